// The printed register accounts for every number. Against the real sync server: another PC of
// the station (the `tinbao` command line) syncs first and is leased numbers 1–10 it does not
// use; this PC (the app) enrols, is leased the next block and registers two cases, 11 and 12;
// the printed register of the year lists 1–12 in order and says of each of 1–10 that it was
// leased to the other PC and not used yet. The reporter never appears in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchApp, click, textOf, tid, type, waitText, waitVisible } from '../lib/app.mjs';
import { firstRun, nav, selectValue, submitSetup } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

test('the printed register lists every number of the year and why one is not used', async () => {
  const srv = await startServer({ name: 'book', key: 'khoa-may-thu-hai-01843' });
  const other = srv.station(join(srv.tmp, 'other.db'));
  const year = new Date().getFullYear();
  let app;
  try {
    srv.server('station', 'add', '--code', '01843');
    other('init', '--station', '01843');
    other('enrol', '--server', srv.url, '--code', srv.enrolCode({ station: '01843' }));
    other('--json', 'sync');

    app = await launchApp({ name: 'register-book' });
    const d = app.driver;
    await firstRun(app);
    await submitSetup(app);
    await nav(app, 'settings');
    await type(d, 'enrol-server', srv.url);
    await type(d, 'enrol-code', srv.enrolCode({ station: '01843' }));
    await click(d, 'enrol-submit');
    await waitVisible(d, 'sync-now', 30_000);
    await click(d, 'sync-now');
    await waitText(d, 'sync-ok', /Đã gửi \d+, đã nhận \d+/, 60_000);

    for (const [category, summary] of [['theft', 'Mất trộm xe máy tại chợ'], ['gambling', 'Nhóm đánh bạc tại bãi sông']]) {
      await nav(app, 'new');
      await selectValue(d, 'new-category', category);
      await type(d, 'new-summary', summary);
      await type(d, 'new-reporter-name', 'Đặng Văn Khải');
      await click(d, 'new-save');
      await waitVisible(d, 'case-screen', 20_000);
    }
    assert.equal(await textOf(d, 'case-register-no'), `Số 12/${year}`);

    await nav(app, 'register');
    await click(d, 'print-register');
    await waitVisible(d, 'register-book-sheet', 20_000);
    const sheet = await textOf(d, 'register-book-sheet');
    assert.match(sheet, new RegExp(`1/${year}\\s*Không sử dụng — cấp cho máy “[^”]+” ngày \\d\\d/\\d\\d/${year}, chưa dùng`));
    assert.match(sheet, new RegExp(`11/${year}[\\s\\S]*Mất trộm xe máy tại chợ`));
    assert.match(sheet, new RegExp(`12/${year}[\\s\\S]*Nhóm đánh bạc tại bãi sông`));
    assert.equal((await d.findElements(tid('book-gap'))).length, 10);
    assert.equal((await d.findElements(tid('book-line'))).length, 2);
    assert.ok(!sheet.includes('Đặng Văn Khải'), 'the reporter is not in the printed register');
    assert.match(await textOf(d, 'register-book-summary'), /2 số đã dùng, 10 số chưa dùng/);
    await app.shot('register-book');
  } catch (e) {
    if (app) await app.shot('FAILED').catch(() => {});
    e.message += `\nserver log (tail):\n${srv.log()}`;
    throw e;
  } finally {
    if (app) await app.quit();
    await srv.stop();
  }
});
