// A provincial supervisor's laptop against the real sync server: the station's register comes
// from the `tinbao` command line (import, sync); the supervisor sets up the laptop for province
// 66, enrols it, syncs, returns one case with a comment and approves another, syncs again; the
// station then pulls the return and its case is back in `verifying`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launchApp, click, find, repoRoot, tid, textOf, type, waitGone, waitText, waitVisible, By } from '../lib/app.mjs';
import { Key, nav, selectValue } from '../lib/flows.mjs';
import { bin, startServer } from '../lib/server.mjs';

const SUP = { fullName: 'Trần Thị Hoa', username: 'giamsat.hoa', password: 'giamsat-2025' };
const COMMENT = 'Thiếu quyết định xử phạt kèm hồ sơ, đề nghị bổ sung';

test('a supervisor reviews the province: returns one case, approves another; the station sees the return', async () => {
  const srv = await startServer({ name: 'review', key: 'khoa-thu-tram-24280' });
  const stationDb = join(srv.tmp, 's.db');
  const station = srv.station(stationDb);
  let app;
  try {
    srv.server('station', 'add', '--code', '24280');
    station('init', '--station', '24280');
    station('enrol', '--server', srv.url, '--code', srv.enrolCode({ station: '24280' }));
    // The sample holds several stations: this station's cases are taken, the others refused
    // (exit status 1, "input refused in part").
    const imp = spawnSync(bin('tinbao'), ['--db', stationDb, '--json', 'import', join(repoRoot, 'tests', 'data', 'sample-500.jsonl')], { env: srv.env, encoding: 'utf8' });
    assert.ok([0, 1].includes(imp.status), imp.stderr);
    const imported = JSON.parse(imp.stdout);
    assert.ok(imported.imported >= 20 && imported.rejected.every((r) => /phạm vi/.test(r.reason)), imp.stdout.slice(0, 300));
    const pushed = JSON.parse(station('--json', 'sync'));
    assert.ok(pushed.pushed > 0, `the station pushed its cases: ${JSON.stringify(pushed)}`);

    // The supervisor's laptop: first run for province 66 (Đắk Lắk).
    app = await launchApp({ name: 'supervisor' });
    const d = app.driver;
    await waitVisible(d, 'setup-screen', 20_000);
    await click(d, 'setup-machine-province');
    await selectValue(d, 'setup-province', '66');
    assert.equal((await d.findElements(tid('setup-commune'))).length, 0, 'no commune to choose on a provincial laptop');
    await type(d, 'setup-fullname', SUP.fullName);
    await type(d, 'setup-username', SUP.username);
    await type(d, 'setup-password', SUP.password);
    await type(d, 'setup-password2', SUP.password);
    await app.shot('setup-province');
    await click(d, 'setup-submit');
    await waitVisible(d, 'today-screen', 30_000);
    await waitText(d, 'station-name', 'Đắk Lắk');
    assert.match(await textOf(d, 'current-user'), /Cán bộ kiểm tra cấp tỉnh/);
    // Station work is not in a supervisor's navigation.
    for (const name of ['new', 'inquiries', 'channels']) assert.equal((await d.findElements(tid(`nav-${name}`))).length, 0, name);
    for (const name of ['today', 'register', 'review', 'reports', 'settings']) await find(d, `nav-${name}`);
    await app.shot('today');

    // Enrol the laptop with a one-time code for the province, then sync.
    await nav(app, 'settings');
    await type(d, 'enrol-server', srv.url);
    await type(d, 'enrol-code', srv.enrolCode({ province: '66' }));
    await click(d, 'enrol-submit');
    await waitVisible(d, 'sync-now', 30_000);
    // The app syncs by itself once enrolled; "sync now" also works, whatever is left to pull.
    await click(d, 'sync-now');
    await waitText(d, 'sync-ok', /Đã gửi \d+, đã nhận \d+/, 60_000);
    await waitText(d, 'sync-status', 'Đã đồng bộ', 30_000);
    await app.shot('settings-synced');
    // Today: the supervisor's work is the review queue.
    await nav(app, 'today');
    await waitText(d, 'today-review-count', /^[1-9]\d*$/, 20_000);
    await app.shot('today-synced');

    // The Review screen: the stations' cases to review, overdue and due soon first.
    await nav(app, 'review');
    await d.wait(async () => (await d.findElements(tid('review-row'))).length > 1, 20_000, 'no case to review after the sync');
    await app.shot('review');
    const rows = await d.findElements(tid('review-row'));
    const closed = [];
    for (const r of rows) {
      const st = await r.findElement(tid('status-badge')).getAttribute('data-status');
      if (!['received', 'verifying', 'duplicate'].includes(st)) closed.push(r);
    }
    assert.ok(closed.length >= 2, 'at least two closed cases wait for review');
    const toReturn = await closed[0].getAttribute('data-register-no');
    const toApprove = await closed[1].getAttribute('data-register-no');
    const row = (no) => d.findElement(By.css(`[data-testid="review-row"][data-register-no="${no}"]`));

    // Return: a comment is required, then Ctrl+Enter sends it from the keyboard.
    await (await row(toReturn)).findElement(tid('review-return')).click();
    const box = await waitVisible(d, 'review-comment');
    await click(d, 'review-return-confirm');
    await waitText(d, 'review-comment-error', 'ý kiến');
    await box.sendKeys(COMMENT);
    // The "too short" message goes once the comment is long enough.
    await waitGone(d, 'review-comment-error');
    await app.shot('review-return');
    await box.sendKeys(Key.chord(Key.CONTROL, Key.ENTER));
    await waitText(d, 'review-ok', toReturn);
    await d.wait(async () => (await (await row(toReturn)).findElement(tid('review-state')).getAttribute('data-state')) === 'returned', 10_000);
    assert.equal(await (await row(toReturn)).findElement(tid('status-badge')).getAttribute('data-status'), 'verifying');

    // Approve another.
    await (await row(toApprove)).findElement(tid('review-approve')).click();
    await waitText(d, 'review-ok', toApprove);
    await d.wait(async () => (await (await row(toApprove)).findElement(tid('review-state')).getAttribute('data-state')) === 'approved', 10_000);
    assert.equal((await (await row(toApprove)).findElements(tid('review-approve'))).length, 0, 'an approved case cannot be approved twice');
    await app.shot('review-decided');

    // The case screen shows the review.
    await (await row(toReturn)).findElement(tid('review-open')).click();
    await waitText(d, 'case-review', 'trả lại');
    await waitText(d, 'case-review-comment', COMMENT);
    await app.shot('case-returned');

    // The register spans the province with a station filter.
    await nav(app, 'register');
    await selectValue(d, 'filter-station', '24280');
    await d.wait(async () => (await d.findElements(tid('register-row'))).length > 0, 20_000, 'no row for the station');
    await app.shot('register-station');

    // The province's yearly report: a row per station and the total row.
    await nav(app, 'reports');
    await click(d, 'report-kind-year');
    await type(d, 'report-year', '2025');
    await click(d, 'report-load');
    await waitText(d, 'report-period', /Năm 2025 \(từ 15\/12\/2024 đến 14\/12\/2025\)/);
    await waitVisible(d, 'report-stations');
    assert.ok((await d.findElements(tid('report-station-row'))).length >= 1, 'a row per station');
    await waitText(d, 'report-station-total', 'Tổng cộng');
    await waitText(d, 'report-period', 'CÔNG AN TỈNH ĐẮK LẮK');
    await app.shot('reports-province');
    await d.executeScript('arguments[0].scrollIntoView()', await find(d, 'report-stations'));
    await app.shot('reports-province-stations');

    // Send the decisions to the server.
    await nav(app, 'settings');
    await click(d, 'sync-now');
    await waitText(d, 'sync-ok', /Đã gửi [1-9]/, 60_000);

    // The station pulls them: the returned case is back in verification, the other approved.
    const pulled = JSON.parse(station('--json', 'sync'));
    assert.ok(pulled.pulled >= 2, `the station pulled the review: ${JSON.stringify(pulled)}`);
    const all = JSON.parse(station('--json', 'search', '--limit', '500')).rows;
    const back = all.find((r) => r.register_no === toReturn);
    const ok = all.find((r) => r.register_no === toApprove);
    assert.ok(back && ok, 'both cases are in the station register');
    assert.equal(back.status, 'verifying');
    assert.match(back.review ?? '', /Thiếu quyết định xử phạt/);
    assert.equal(ok.review, 'approved');
  } catch (e) {
    if (app) await app.shot('FAILED').catch(() => {});
    e.message += `\nserver log (tail):\n${srv.log()}`;
    throw e;
  } finally {
    if (app) await app.quit();
    await srv.stop();
  }
});
