// Seed story 2 (shared/scenarios/seed-stories.md): at night a citizen messages the mobile
// police's Facebook page: more than twenty teenagers aged 15–18 are gathering with knives and
// machetes on vacant land near a kindergarten to settle a feud. Police arrive and hold them;
// one tests positive for drugs. In the app: a hỏa tốc tố giác with a confidential reporter,
// minors flagged, the urgent report to the higher level and its clock (issue 14), actions
// logged minute by minute with their real times, classified as a crime to transfer, the
// notices of receipt, transferred; the clocks' states asserted on screen after each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, By, click, find, textOf, tid, type, waitGone, waitText, waitVisible } from '../lib/app.mjs';
import { CHIEF, Key, firstRun, nav, selectValue, submitSetup } from '../lib/flows.mjs';

const p2 = (n) => String(n).padStart(2, '0');
const HOUR = 3_600_000;
/** Vietnam wall time of an instant, as the app's forms take it: dd/MM/yyyy HH:mm. */
function vn(ms) {
  const t = new Date(ms + 7 * HOUR);
  return `${p2(t.getUTCDate())}/${p2(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}`;
}
/**
 * The night the report came in: 00:40 today (Vietnam time) once it is 02:00 or later, else
 * 22:40 the evening before. Every action below happens within 45 minutes of it, so all are in
 * the past, and the 24 hours to transfer have not run out when the transfer is recorded.
 */
function receivedAt() {
  const now = Date.now();
  const vnNow = new Date(now + 7 * HOUR);
  const midnightVn = Date.UTC(vnNow.getUTCFullYear(), vnNow.getUTCMonth(), vnNow.getUTCDate()) - 7 * HOUR;
  return vnNow.getUTCHours() >= 2 ? midnightVn + 40 * 60_000 : midnightVn - 80 * 60_000;
}
const MIN = 60_000;

/** Opens a folded section (a <details>) by its summary, if it is not open yet. */
async function unfold(d, id) {
  const el = await waitVisible(d, id);
  if ((await el.getAttribute('open')) === null) await el.findElement(By.css(':scope > summary')).click();
}

/** Scrolls the screen to the top, or to an element, before a screenshot. */
async function scrollTo(d, id) {
  await d.executeScript(
    'const el = arguments[0] && document.querySelector(`[data-testid="${arguments[0]}"]`);' +
      'if (el) el.scrollIntoView({ block: "start" }); else document.querySelectorAll(".content, .actions").forEach((x) => x.scrollTo(0, 0));',
    id ?? null,
  );
}

async function clockState(d, rule) {
  const els = await d.findElements(By.css(`[data-testid="clock"][data-rule="${rule}"]`));
  return els.length ? els[0].getAttribute('data-state') : null;
}
async function waitClock(d, rule, state, ms = 10_000) {
  let last = null;
  await d.wait(async () => (last = await clockState(d, rule)) === state, ms).catch(() => {
    throw new Error(`clock ${rule}: expected ${state}, saw ${last}`);
  });
}

test('seed story 2: the armed teenagers at night — urgent report, minors, real times, notices, transfer', async () => {
  const app = await launchApp({ name: 'story2' });
  const d = app.driver;
  const received = receivedAt();
  const year = new Date(received + 7 * HOUR).getUTCFullYear();
  try {
    await firstRun(app);
    await submitSetup(app);
    await nav(app, 'new');

    // Intake: a hỏa tốc tố giác by Facebook message to the mobile police page, reporter known
    // but confidential, the receipt's place and what was handed over.
    await selectValue(d, 'new-channel', 'facebook');
    await type(d, 'new-channel-ref', 'Tin nhắn trang Facebook “Cảnh sát cơ động Đắk Lắk”');
    await selectValue(d, 'new-kind', 'to_giac');
    await selectValue(d, 'new-category', 'affray');
    await click(d, 'new-urgency-emergency');
    await type(d, 'new-received-at', vn(received));
    await type(d, 'new-occurred', 'Đêm nay, khoảng 22 giờ');
    await type(d, 'new-summary', 'Hơn 20 thanh thiếu niên mang hung khí tụ tập gần trường mầm non để giải quyết mâu thuẫn');
    await type(d, 'new-description', 'Người dân nhắn tin: hơn 20 thanh thiếu niên 15–18 tuổi, nhiều em là học sinh THPT, mang dao, mã tấu tụ tập tại bãi đất trống gần trường mầm non để “giải quyết mâu thuẫn”.');
    await type(d, 'new-hamlet', 'Tổ dân phố 5');
    await type(d, 'new-reporter-name', 'Người dân (giữ bí mật)');
    await type(d, 'new-reporter-phone', '0905 111 222');
    await type(d, 'new-receipt-place', 'Trực ban Công an phường, qua tin nhắn Facebook');
    // One item a line (WebKitWebDriver drops a "\n" typed into a textarea: Enter it is).
    await type(d, 'new-handed-over', `Ảnh chụp màn hình tin nhắn Facebook${Key.ENTER}01 đoạn video nhóm thanh thiếu niên mang hung khí`);
    const persons = [
      ['Nguyễn Văn A', year - 15],
      ['Trần Văn B', year - 16],
      ['Lê Văn C', year - 17],
      ['Phạm Văn D', year - 19],
    ];
    for (const [name, born] of persons) {
      await click(d, 'new-add-person');
      const rows = await d.findElements(tid('new-person'));
      const row = rows[rows.length - 1];
      await row.findElement(By.css('[data-testid="new-person-role"] option[value="suspect"]')).click();
      await row.findElement(tid('new-person-name')).sendKeys(name);
      await row.findElement(tid('new-person-year')).sendKeys(String(born));
    }
    assert.equal((await d.findElements(tid('minor-flag'))).length, 3, 'three of the four are minors');
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    assert.equal((await d.findElements(tid('person-minor'))).length, 3);
    const registerNo = (await textOf(d, 'case-register-no')).replace(/^Số /, '');

    // Unclassified; the hỏa tốc report to the higher level is already late (30 minutes).
    await waitText(d, 'case-class', 'Chưa phân loại');
    await waitClock(d, 'urgent_report_emergency', 'late');
    assert.equal(await clockState(d, 'crime_transfer'), null, 'no transfer clock before classification');
    const first = await d.findElement(By.css('[data-testid="clock"]'));
    assert.equal(await first.getAttribute('data-rule'), 'urgent_report_emergency', 'the nearest clock comes first');
    await waitVisible(d, 'urgent-report-box');
    await app.shot('case-received-urgent');
    await scrollTo(d, 'classify-box');
    await app.shot('case-classify-and-step');
    await scrollTo(d);

    // Today: the unreported emergency sits at the top, its badge naming the clock.
    await nav(app, 'today');
    await waitText(d, 'today-urgent', registerNo);
    await waitText(d, 'today-urgent', 'Báo cáo hỏa tốc lên cấp trên');
    await app.shot('today-urgent');
    await click(d, 'today-urgent-item');
    await waitVisible(d, 'case-screen');

    // The urgent report: to whom, how, when (8 minutes after receipt): the clock is met.
    await type(d, 'urgent-to', 'Trực ban Công an tỉnh Đắk Lắk');
    await type(d, 'urgent-how', 'Điện thoại');
    await type(d, 'urgent-at', vn(received + 8 * MIN));
    await click(d, 'urgent-report');
    await waitClock(d, 'urgent_report_emergency', 'met');
    await waitGone(d, 'urgent-report-box');
    await waitText(d, 'timeline', `lúc ${vn(received + 8 * MIN)}`);

    // Minute by minute, with their real times; a time in the future is refused by the core.
    await click(d, 'start-verification');
    await waitText(d, 'case-status', 'Đang xác minh');
    await type(d, 'step-text', 'Thử ghi giờ tương lai');
    await type(d, 'step-at', vn(Date.now() + 2 * HOUR));
    await click(d, 'add-step');
    await waitText(d, 'action-error', 'không được ở tương lai');
    const steps = [
      [15, 'Tổ công tác có mặt tại bãi đất trống gần trường mầm non; nhóm thanh thiếu niên bỏ chạy.'],
      [22, 'Tạm giữ 23 thanh thiếu niên, thu giữ 12 hung khí (dao, mã tấu), đưa về trụ sở.'],
      [40, 'Test nhanh ma túy: 01 đối tượng dương tính với ma túy tổng hợp.'],
    ];
    for (const [m, text] of steps) {
      await type(d, 'step-text', text);
      await type(d, 'step-at', vn(received + m * MIN));
      await click(d, 'add-step');
      await waitText(d, 'timeline', `Thực hiện lúc ${vn(received + m * MIN)}`);
    }
    const tl = await textOf(d, 'timeline');
    assert.match(tl, /dương tính với ma túy/);

    // Classified as a crime to transfer: the 24 h transfer clock and the notices run.
    await selectValue(d, 'classify-class', 'crime_transfer');
    await click(d, 'classify-save');
    await waitText(d, 'case-class', 'chuyển CQĐT');
    await waitClock(d, 'crime_transfer', 'running');
    await waitClock(d, 'notice_vks', 'running');
    await waitClock(d, 'notice_reporter', 'running');
    // Classified within 12 hours of receipt, or late: the core decides; either way it ended.
    assert.match(await clockState(d, 'classify'), /^(met|late)$/);

    // The notices of receipt, to the procuracy then to the reporter.
    await unfold(d, 'notice-box');
    await selectValue(d, 'notice-to', 'vks');
    await type(d, 'notice-number', '01/TB-CAP');
    await click(d, 'send-notice');
    await waitClock(d, 'notice_vks', 'met');
    await unfold(d, 'notice-box');
    await selectValue(d, 'notice-to', 'reporter');
    await type(d, 'notice-number', '02/TB-CAP');
    await click(d, 'send-notice');
    await waitClock(d, 'notice_reporter', 'met');
    await waitText(d, 'timeline', 'Gửi Viện kiểm sát — số 01/TB-CAP');

    // Transferred to the investigation agency within 24 hours: the transfer clock is met.
    await selectValue(d, 'outcome-type', 'transferred');
    await type(d, 'outcome-agency', 'Cơ quan CSĐT Công an tỉnh Đắk Lắk');
    await type(d, 'outcome-documents', `Biên bản tiếp nhận${Key.ENTER}12 hung khí (dao, mã tấu) thu giữ${Key.ENTER}Kết quả test nhanh ma túy`);
    await click(d, 'record-outcome');
    await waitText(d, 'case-status', 'Đã chuyển cơ quan điều tra');
    // The documents and objects sent with it are listed in the journal, one by one.
    await waitText(d, 'timeline', /Kèm theo: 1\. Biên bản tiếp nhận; 2\. 12 hung khí \(dao, mã tấu\) thu giữ; 3\. Kết quả test nhanh ma túy/);
    await waitClock(d, 'crime_transfer', 'met');
    await waitClock(d, 'urgent_report_emergency', 'met');
    await waitClock(d, 'notice_vks', 'met');
    await scrollTo(d);
    await app.shot('case-transferred');
    await scrollTo(d, 'timeline');
    await app.shot('case-timeline');

    // The receipt record: the receiving officer, the place of receipt, what was handed over.
    await click(d, 'print-receipt');
    await waitVisible(d, 'receipt-sheet');
    assert.match(await textOf(d, 'receipt-officer'), new RegExp(CHIEF.fullName));
    assert.match(await textOf(d, 'receipt-start'), /Trực ban Công an phường, qua tin nhắn Facebook/);
    const handed = await textOf(d, 'receipt-handed-over');
    assert.match(handed, /1\. Ảnh chụp màn hình tin nhắn Facebook\s*\n\s*2\. 01 đoạn video nhóm thanh thiếu niên mang hung khí/);
    await app.shot('receipt');
    await scrollTo(d, 'receipt-handed-over');
    await app.shot('receipt-handed-over');

    // Nothing urgent is left on Today.
    await nav(app, 'today');
    await waitGone(d, 'today-urgent-box');
    await app.shot('today-after');
    assert.ok(await find(d, 'today-screen'));

    // The catalogue's card: a remote commune gets 48 hours to transfer; who sends the notices.
    await nav(app, 'catalog');
    await waitText(d, 'station-transfer-limit', '24 giờ');
    await click(d, 'station-remote');
    await waitText(d, 'station-clock-ok', '48 giờ');
    await waitText(d, 'station-transfer-limit', '48 giờ');
    await click(d, 'notice-sender-agency');
    await waitText(d, 'station-clock-ok', 'Cơ quan điều tra gửi thông báo');
    await scrollTo(d, 'station-clock-card');
    await app.shot('catalog-station-card');

    // Settings: the chief flags a commune investigator (here, himself).
    await nav(app, 'settings');
    await click(d, 'user-investigator-toggle');
    await waitText(d, 'user-ok', 'là Điều tra viên ở Công an xã');
    assert.equal(await (await find(d, 'user-investigator-toggle')).isSelected(), true);
    await app.shot('settings-investigator');
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
