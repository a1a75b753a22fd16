// Issue 15: the province sets a rule once and every station follows. Two apps against the real
// sync server: a station PC (Phường Bắc Kạn, province 19) registers a crime report to transfer,
// whose 24-hour transfer clock runs; the province's administrator, on a laptop, gives the
// transfer rule a new version (36 hours, in force from the day of that report) on the Danh mục
// screen and syncs; the station syncs and its case screen shows the new due time. Then the
// province marks the station's commune remote: the rule's remote amount (72 hours) applies.
// The province also sets a fine cap, a new category and an answer template: the station's
// Danh mục lists the cap, its New report offers the category, its Inquiries the template. The station's Danh mục says which version applies
// and since when, and edits none of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, By, click, find, textOf, tid, type, waitText, waitVisible } from '../lib/app.mjs';
import { firstRun, nav, searchRegister, selectValue, submitSetup } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const ADMIN = { fullName: 'Lê Thị Quản Trị', username: 'quantri.tinh', password: 'quantri-2025' };
const HOUR = 3_600_000;
const p2 = (n) => String(n).padStart(2, '0');
/** Vietnam wall time of an instant as the app shows and takes it: dd/MM/yyyy HH:mm. */
function vn(ms, withTime = true) {
  const t = new Date(ms + 7 * HOUR);
  const day = `${p2(t.getUTCDate())}/${p2(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`;
  return withTime ? `${day} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}` : day;
}

async function enrolAndSync(d, srv, scope) {
  await type(d, 'enrol-server', srv.url);
  await type(d, 'enrol-code', srv.enrolCode(scope));
  await click(d, 'enrol-submit');
  await waitVisible(d, 'sync-now', 30_000);
  await syncNow(d);
}

async function syncNow(d) {
  // The app also syncs by itself once enrolled: wait for a "sync now" that is free.
  await d.wait(async () => (await (await find(d, 'sync-now')).isEnabled()), 60_000, 'sync stays busy');
  await click(d, 'sync-now');
  await waitText(d, 'sync-ok', /Đã gửi \d+, đã nhận \d+/, 60_000);
}

const ruleRow = (d) => d.findElement(By.css('[data-testid="rule-row"][data-rule="crime_transfer"]'));
const transferClock = (d) => d.findElement(By.css('[data-testid="clock"][data-rule="crime_transfer"]'));

test('the province edits the transfer rule on Danh mục; the station’s case shows the new due time after sync', async () => {
  const srv = await startServer({ name: 'rule' });
  // An hour ago, so that the due time is a whole hour from receipt on the screen.
  const received = Math.floor((Date.now() - HOUR) / 60_000) * 60_000;
  let station;
  let province;
  try {
    srv.server('station', 'add', '--code', '01843');

    // The station: first run, a crime report to transfer, enrolled and synced.
    station = await launchApp({ name: 'rule-station' });
    const s = station.driver;
    await firstRun(station);
    await submitSetup(station);
    await nav(station, 'new');
    await selectValue(s, 'new-kind', 'to_giac');
    await selectValue(s, 'new-category', 'theft');
    await type(s, 'new-received-at', vn(received));
    await type(s, 'new-summary', 'Trộm cắp xe máy tại nhà văn hóa tổ 7');
    await type(s, 'new-reporter-name', 'Hoàng Văn Bình');
    await click(s, 'new-save');
    await waitVisible(s, 'case-screen', 20_000);
    await selectValue(s, 'classify-class', 'crime_transfer');
    await click(s, 'classify-save');
    await waitText(s, 'case-class', 'chuyển CQĐT');
    const due24 = vn(received + 24 * HOUR);
    await waitDue(s, due24);
    await nav(station, 'settings');
    await enrolAndSync(s, srv, { station: '01843' });

    // The province's laptop: first run for province 19, enrolled, synced.
    province = await launchApp({ name: 'rule-province' });
    const p = province.driver;
    await waitVisible(p, 'setup-screen', 20_000);
    await click(p, 'setup-machine-province');
    await selectValue(p, 'setup-province', '19');
    await type(p, 'setup-fullname', ADMIN.fullName);
    await type(p, 'setup-username', ADMIN.username);
    await type(p, 'setup-password', ADMIN.password);
    await type(p, 'setup-password2', ADMIN.password);
    await click(p, 'setup-submit');
    await waitVisible(p, 'today-screen', 30_000);
    await nav(province, 'settings');
    await enrolAndSync(p, srv, { province: '19' });

    // Danh mục: a new version of the transfer rule, 36 hours (72 for remote communes), in
    // force from the day the station received its report.
    await nav(province, 'catalog');
    await waitVisible(p, 'rules-table');
    const row = await ruleRow(p);
    assert.match(await row.getText(), /24 giờ/);
    await row.findElement(tid('rule-edit')).click();
    await waitVisible(p, 'rule-form');
    await type(p, 'rule-amount', '36');
    await selectValue(p, 'rule-unit', 'hours');
    await type(p, 'rule-remote', '72');
    await type(p, 'rule-from', vn(received, false));
    await type(p, 'rule-basis', 'Điều 145 BLTTHS 2015; Công văn hướng dẫn của Công an tỉnh (thử nghiệm)');
    await click(p, 'rule-save');
    await waitText(p, 'catalog-ok', `áp dụng từ ${vn(received, false)}`);
    await p.wait(async () => /36 giờ/.test(await (await ruleRow(p)).getText()), 10_000, 'the new version is not shown');
    await p.executeScript('arguments[0].scrollIntoView({ block: "center" })', await ruleRow(p));
    await province.shot('catalog-rule-edited');
    await nav(province, 'settings');
    await syncNow(p);
    assert.match(await textOf(p, 'sync-ok'), /Đã gửi [1-9]/, 'the rule went to the province server');

    // The station syncs: its case's transfer clock now runs 36 hours from receipt.
    await nav(station, 'settings');
    await syncNow(s);
    await openCase(station);
    await waitDue(s, vn(received + 36 * HOUR));
    assert.equal(await (await transferClock(s)).getAttribute('data-state'), 'running');
    await (await transferClock(s)).findElement(tid('clock-due')).click();
    await waitText(s, 'clock-basis', 'Công văn hướng dẫn của Công an tỉnh');
    await station.shot('case-new-deadline');

    // The province marks Phường Bắc Kạn remote from the same day: the remote amount applies.
    await nav(province, 'catalog');
    await waitVisible(p, 'remote-communes');
    await type(p, 'remote-commune', 'bac kan');
    await click(p, 'remote-commune-option-01843');
    await type(p, 'remote-from', vn(received, false));
    await type(p, 'remote-basis', 'Quyết định của UBND tỉnh về xã vùng sâu, vùng xa (thử nghiệm)');
    await click(p, 'remote-save');
    await waitText(p, 'remote-ok', 'Phường Bắc Kạn là xã vùng sâu, vùng xa');
    await p.wait(async () => (await p.findElements(By.css('[data-testid="remote-row"][data-code="01843"][data-remote="true"]'))).length === 1, 10_000, 'the commune is not listed as remote');
    await p.executeScript('arguments[0].scrollIntoView({ block: "center" })', await find(p, 'remote-communes'));
    await province.shot('catalog-remote-commune');
    // A fine cap for the commune chief in road traffic, and a new category, from today.
    await selectValue(p, 'cap-title', 'commune_police_chief');
    await selectValue(p, 'cap-sector', 'road_traffic');
    await type(p, 'cap-amount', '10.000.000');
    await type(p, 'cap-basis', 'Nghị định thử nghiệm 999/2026/NĐ-CP');
    await click(p, 'cap-save');
    await waitText(p, 'lists-ok', 'Đã lưu mức phạt tối đa 10.000.000 đ');
    await type(p, 'category-code', 'drone_flying');
    await type(p, 'category-vi', 'Bay flycam trái phép');
    await selectValue(p, 'category-group-select', 'high_tech');
    await click(p, 'category-save');
    await waitText(p, 'lists-ok', 'Bay flycam trái phép');
    await p.executeScript('arguments[0].scrollIntoView({ block: "start" })', await find(p, 'province-lists'));
    await province.shot('catalog-caps-categories');
    // An answer template for the province's shared library.
    await selectValue(p, 'template-topic', 'cccd');
    await type(p, 'template-title', 'Cấp đổi thẻ căn cước khi hết hạn (mẫu của tỉnh)');
    await type(p, 'template-body', 'Công dân mang thẻ cũ đến Công an xã nơi cư trú hoặc đăng ký trên Cổng dịch vụ công.');
    await click(p, 'template-save');
    await waitText(p, 'template-ok', 'mẫu của tỉnh');
    await nav(province, 'settings');
    await syncNow(p);
    await nav(station, 'settings');
    await syncNow(s);
    // The station's New report offers the province's new category at once.
    await nav(station, 'new');
    await find(s, 'new-category');
    await s.wait(async () => (await s.findElements(By.css('[data-testid="new-category"] option[value="drone_flying"]'))).length === 1, 10_000, 'the new category is not offered');
    // Its Inquiries offer the province's answer template.
    await nav(station, 'inquiries');
    await selectValue(s, 'inquiry-topic', 'cccd');
    await s.wait(async () => {
      for (const chip of await s.findElements(tid('use-template'))) if (/mẫu của tỉnh/.test(await chip.getText())) return true;
      return false;
    }, 10_000, 'the province’s template is not offered');
    await openCase(station);
    await waitDue(s, vn(received + 72 * HOUR));

    // The station's Danh mục says which version applies and since when, and edits nothing:
    // neither the rules nor the remote flag, which the province has now decided.
    await nav(station, 'catalog');
    await waitText(s, 'station-remote-since', `Do Công an tỉnh quyết định, áp dụng từ ${vn(received, false)}`);
    assert.equal(await (await find(s, 'station-remote')).isEnabled(), false, 'the chief no longer sets the flag');
    await waitText(s, 'station-transfer-limit', '72 giờ');
    const capRow = await find(s, 'caps-table');
    await s.wait(async () => /10\.000\.000 đ/.test(await (await capRow.findElement(By.css('[data-key="commune_police_chief/road_traffic"]'))).getText()), 10_000, 'the province’s cap is not shown');
    assert.equal((await s.findElements(tid('cap-form'))).length, 0, 'a station does not edit the caps');
    const drone = await s.findElement(By.css('[data-testid="category-row"][data-code="drone_flying"]'));
    assert.match(await drone.getText(), /Bay flycam trái phép[\s\S]*công nghệ cao[\s\S]*Áp dụng từ/);
    await s.executeScript('arguments[0].scrollIntoView({ block: "center" })', await find(s, 'station-clock-card'));
    await station.shot('catalog-station-remote');
    await waitVisible(s, 'rules-table');
    const since = await (await ruleRow(s)).getText();
    assert.match(since, /36 giờ/);
    assert.ok(since.includes(`Áp dụng từ ${vn(received, false)} — do Công an tỉnh ban hành`), since);
    assert.equal((await s.findElements(tid('rule-edit'))).length, 0, 'a station does not edit the province’s rules');
    await s.executeScript('arguments[0].scrollIntoView({ block: "center" })', await ruleRow(s));
    await station.shot('catalog-station');
  } catch (e) {
    if (station) await station.shot('FAILED').catch(() => {});
    if (province) await province.shot('FAILED').catch(() => {});
    e.message += `\nserver log (tail):\n${srv.log()}`;
    throw e;
  } finally {
    if (station) await station.quit();
    if (province) await province.quit();
    await srv.stop();
  }
});

/**
 * Opens the station's one case from the register. A sync that brought data reloads the
 * register's rows, so a row found a moment before may be gone: found again then.
 */
async function openCase(app) {
  const d = app.driver;
  await nav(app, 'register');
  for (let attempt = 0; ; attempt++) {
    try {
      const rows = await searchRegister(app, 'xe may nha van hoa');
      assert.equal(rows.length, 1);
      await rows[0].findElement(By.css('button.link')).click();
      await waitVisible(d, 'case-screen', 3_000);
      return;
    } catch (e) {
      if (!['StaleElementReferenceError', 'TimeoutError'].includes(e.name) || attempt >= 4) throw e;
    }
  }
}

/** Waits until the case screen's transfer clock is due at `due` (dd/MM/yyyy HH:mm). */
async function waitDue(d, due) {
  let last = '';
  await d
    .wait(async () => {
      const els = await d.findElements(By.css('[data-testid="clock"][data-rule="crime_transfer"] [data-testid="clock-due"]'));
      last = els.length ? await els[0].getText() : '(no transfer clock)';
      return last === due;
    }, 20_000)
    .catch(() => {
      throw new Error(`transfer clock: expected due ${due}, saw ${last}`);
    });
}
