// A station PC's disk damages the register's file: login says the file is damaged (not that the
// password is wrong) and the chief restores the latest backup from the login screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchApp, click, find, textOf, type, waitText, waitVisible } from '../lib/app.mjs';
import { CHIEF, firstRun, login, nav, searchRegister, selectValue, submitSetup } from '../lib/flows.mjs';

const PAGE = 4096;

/**
 * A failing disk: a byte changes inside every page of the file but the first (the header, which
 * still opens with the key), and inside every page the write-ahead log holds but the first.
 */
function damageEveryPageButTheFirst(db) {
  const bytes = readFileSync(db);
  for (let at = PAGE + 2000; at < bytes.length; at += PAGE) bytes[at] ^= 0xa5;
  writeFileSync(db, bytes);
  const wal = `${db}-wal`;
  if (!existsSync(wal)) return;
  // The log: a 32-byte header, then frames of a 24-byte header (page number first) and a page.
  const log = readFileSync(wal);
  for (let frame = 32; frame + 24 + PAGE <= log.length; frame += 24 + PAGE) {
    if (log.readUInt32BE(frame) !== 1) log[frame + 24 + 2000] ^= 0xa5;
  }
  writeFileSync(wal, log);
}

test('a damaged register is told as damaged at login, and the chief restores the latest backup there', async () => {
  let app = await launchApp({ name: 'damaged' });
  const dataDir = app.dataDir;
  try {
    const d = app.driver;
    await firstRun(app);
    await submitSetup(app);
    await nav(app, 'new');
    await selectValue(d, 'new-category', 'theft');
    await type(d, 'new-summary', 'Mất trộm bò tại rẫy cà phê');
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    await nav(app, 'settings');
    await click(d, 'backup');
    await waitText(d, 'backup-ok', '.db', 20_000);
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    await app.quit();
    throw e;
  }
  // WebDriver ends the app without its exit (the register stays open, its write-ahead log
  // beside it), so both files are damaged.
  await app.quit({ keepData: true });
  const db = join(dataDir, 'tinbao.db');
  damageEveryPageButTheFirst(db);

  app = await launchApp({ name: 'damaged', dataDir });
  try {
    const d = app.driver;
    await waitVisible(d, 'login-screen', 20_000);
    await login(app, CHIEF.username, CHIEF.password);
    const said = await waitText(d, 'login-error', 'bị hỏng', 20_000);
    assert.doesNotMatch(said, /Sai khóa|mật khẩu không đúng/);
    await waitVisible(d, 'damaged-panel');
    const options = await (await find(d, 'damaged-backup')).findElements({ css: 'option' });
    assert.equal(options.length, 1);
    await app.shot('login-damaged');

    await click(d, 'restore-damaged');
    assert.match(await waitText(d, 'restore-damaged-ok', 'Đã khôi phục 1 vụ việc', 30_000), /Đăng nhập lại/);
    await app.shot('restored');
    await type(d, 'login-password', CHIEF.password);
    await click(d, 'login-submit');
    await waitVisible(d, 'today-screen', 30_000);
    await nav(app, 'register');
    assert.equal((await searchRegister(app, 'bo tai ray')).length, 1, 'the backed-up case is back');
    await nav(app, 'settings');
    await waitText(d, 'audit-log', 'Khôi phục dữ liệu bị hỏng từ bản sao lưu');
    assert.ok((await textOf(d, 'audit-log')).includes(CHIEF.username));
    await app.shot('audit');
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
