// Issue 14, the commune that resolves a crime report itself (Law 99/2025/QH15): the chief flags
// a commune investigator and sets who sends the notices of receipt; a tố giác of a stolen
// motorbike is received with a minor and his guardian linked at intake, kept at the commune,
// its notices of receipt sent and printed as forms; an officer who is not an investigator is
// refused; the investigator extends the Art. 147 limit, suspends, resumes and decides not to
// prosecute, the status and the resolution clock checked on screen after each step. Then an
// administrative violation: found, its record, the decision clock, the sanction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, By, click, find, textOf, tid, type, waitText, waitVisible } from '../lib/app.mjs';
import {
  CHIEF,
  addOfficer,
  clockDue,
  clockState,
  firstRun,
  nav,
  scrollTo,
  searchRegister,
  selectValue,
  submitSetup,
  switchUser,
  unfold,
  waitClock,
} from '../lib/flows.mjs';

const VKS = 'Viện kiểm sát nhân dân khu vực 1 - Thái Nguyên';
const INVESTIGATOR = { fullName: 'Phạm Văn Điều', username: 'dtv.dieu', password: 'dtv-dieu-2025' };
const OFFICER = { fullName: 'Lê Thị Hà', username: 'canbo.ha', password: 'canbo-ha-2025' };
const BODY = 'Cơ quan Cảnh sát điều tra Công an tỉnh Thái Nguyên';

const p2 = (n) => String(n).padStart(2, '0');
/** Today in Vietnam: [dd, mm, yyyy]. */
function vnToday() {
  const t = new Date(Date.now() + 7 * 3_600_000);
  return [p2(t.getUTCDate()), p2(t.getUTCMonth() + 1), String(t.getUTCFullYear())];
}

async function scrollIntoView(d, el) {
  await d.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
}

/** Opens the case found by a search in the register. */
async function openCase(app, q) {
  const rows = await searchRegister(app, q);
  assert.equal(rows.length, 1, `one case for "${q}"`);
  await rows[0].findElement(By.css('.no button')).click();
  await waitVisible(app.driver, 'case-screen', 20_000);
}

/** Records a decision on the source from the case screen's decision box. */
async function decide(d, decision, number) {
  await unfold(d, 'decision-box');
  await selectValue(d, 'decision-type', decision);
  await type(d, 'decision-number', number);
  await type(d, 'decision-body', BODY);
  await type(d, 'decision-signatory', INVESTIGATOR.fullName);
  await click(d, 'decision-save');
  await waitText(d, 'timeline', number);
}

test('the commune resolves a crime report: investigator, printed notices, extension, suspension, resumption, decision; then an administrative violation', async () => {
  const app = await launchApp({ name: 'commune-resolves' });
  const d = app.driver;
  const [dd, mm, yyyy] = vnToday();
  const year = Number(yyyy);
  try {
    await firstRun(app);
    await submitSetup(app);

    // Settings: two officers; the chief flags one as the commune's investigator.
    await nav(app, 'settings');
    await addOfficer(d, INVESTIGATOR.fullName, INVESTIGATOR.username, INVESTIGATOR.password);
    await addOfficer(d, OFFICER.fullName, OFFICER.username, OFFICER.password);
    const row = await d.findElement(By.xpath(`//table[@data-testid="users-table"]//tr[td[contains(., "${INVESTIGATOR.fullName}")]]`));
    const toggle = await row.findElement(tid('user-investigator-toggle'));
    await scrollIntoView(d, toggle);
    await toggle.click();
    await waitText(d, 'user-ok', `${INVESTIGATOR.fullName}: là Điều tra viên ở Công an xã`);
    await scrollTo(d, 'users-table');
    await app.shot('settings-investigator');

    // Danh mục: the procuracy the notices go to, and who sends the notices after a transfer
    // (the agency, then back to the station).
    await nav(app, 'catalog');
    await type(d, 'vks-name', VKS);
    await click(d, 'vks-name-save');
    await waitText(d, 'station-clock-ok', 'Đã lưu tên Viện kiểm sát');
    await click(d, 'notice-sender-agency');
    await waitText(d, 'station-clock-ok', 'Cơ quan điều tra gửi thông báo tiếp nhận');
    await click(d, 'notice-sender-station');
    await waitText(d, 'station-clock-ok', 'Công an xã gửi thông báo tiếp nhận');
    await scrollTo(d, 'station-clock-card');
    await app.shot('catalog-notices');

    // Intake: a tố giác at the station; the 16-year-old suspect's father is linked to him on
    // the form itself.
    await nav(app, 'new');
    await selectValue(d, 'new-channel', 'walk_in');
    await selectValue(d, 'new-kind', 'to_giac');
    await selectValue(d, 'new-category', 'theft');
    await type(d, 'new-summary', 'Mất trộm xe mô tô Honda Wave trước cửa nhà văn hóa tổ 7');
    await type(d, 'new-description', 'Chị Trần Thị Mai trình báo: khoảng 19 giờ, xe mô tô Honda Wave biển số 97B1-123.45 dựng trước cửa nhà văn hóa tổ 7 bị mất trộm; nghi một thanh niên trong tổ.');
    await type(d, 'new-hamlet', 'Tổ 7');
    await type(d, 'new-reporter-name', 'Trần Thị Mai');
    await type(d, 'new-reporter-phone', '0912 345 678');
    for (const [role, name, born] of [['suspect', 'Vũ Văn Nam', year - 16], ['guardian', 'Vũ Văn Lâm', year - 45]]) {
      await click(d, 'new-add-person');
      const rows = await d.findElements(tid('new-person'));
      const r = rows[rows.length - 1];
      await r.findElement(By.css(`[data-testid="new-person-role"] option[value="${role}"]`)).click();
      await r.findElement(tid('new-person-name')).sendKeys(name);
      await r.findElement(tid('new-person-year')).sendKeys(String(born));
    }
    await d.findElement(By.xpath('//select[@data-testid="new-person-guardian-of"]/option[normalize-space()="Vũ Văn Nam"]')).click();
    await scrollIntoView(d, await find(d, 'new-person-guardian-of'));
    await app.shot('new-report-guardian');
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    await waitText(d, 'persons', 'Giám hộ của Vũ Văn Nam');

    // Kept at the commune: the Art. 147 resolution clock (20 days) and the notices run.
    await selectValue(d, 'classify-class', 'crime_commune');
    await click(d, 'classify-save');
    await waitText(d, 'case-class', 'Điều tra viên xã giải quyết');
    await waitClock(d, 'crime_resolution', 'running');
    await waitClock(d, 'notice_vks', 'running');
    await waitClock(d, 'notice_reporter', 'running');
    assert.equal(await clockState(d, 'crime_transfer'), null, 'a case kept at the commune is not transferred');
    const due20 = await clockDue(d, 'crime_resolution');

    await d.findElement(By.xpath(`//select[@data-testid="investigator-select"]/option[contains(., "${INVESTIGATOR.fullName}")]`)).click();
    await click(d, 'assign-investigator');
    await waitText(d, 'investigator-name', INVESTIGATOR.fullName);

    // The notices of receipt, to the procuracy then to the reporter: their clocks are met.
    for (const [to, number] of [['vks', '01/TB-CAP'], ['reporter', '02/TB-CAP']]) {
      await unfold(d, 'notice-box');
      await selectValue(d, 'notice-to', to);
      await type(d, 'notice-number', number);
      await click(d, 'send-notice');
      await waitClock(d, `notice_${to}`, 'met');
    }
    await waitText(d, 'timeline', 'Gửi Viện kiểm sát — số 01/TB-CAP');
    await scrollTo(d);
    await app.shot('case-kept-notices-sent');

    // The procuracy's notice as the form, printed (the print dialog is the system's: the
    // page's print call is only counted here).
    let buttons = await d.findElements(tid('print-notice'));
    assert.equal(buttons.length, 2, 'the chief may print both notices');
    await scrollIntoView(d, buttons[0]);
    await buttons[0].click();
    await waitVisible(d, 'notice-sheet');
    await waitText(d, 'notice-addressee', `Kính gửi: ${VKS}`);
    assert.equal(await textOf(d, 'notice-number'), 'Số: 01/TB-CAP');
    assert.match(await textOf(d, 'notice-date'), new RegExp(`ngày ${dd} tháng ${mm} năm ${yyyy}`));
    const sheet = await textOf(d, 'notice-sheet');
    assert.match(sheet, /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
    assert.match(sheet, /Về việc tiếp nhận tố giác, tin báo về tội phạm, kiến nghị khởi tố/);
    assert.match(sheet, /Điều 145, Điều 146 Bộ luật Tố tụng hình sự/);
    assert.match(sheet, /01\/2017\/TTLT/);
    assert.match(sheet, /đã tiếp nhận tố giác về tội phạm/);
    assert.match(sheet, /Mất trộm xe mô tô Honda Wave/);
    assert.match(sheet, /TRƯỞNG CÔNG AN/);
    assert.doesNotMatch(sheet, /Trần Thị Mai/, 'the procuracy’s notice keeps the reporter confidential');
    await d.executeScript('window.__printed = 0; window.print = () => { window.__printed += 1; };');
    await click(d, 'notice-print');
    await d.wait(async () => (await d.executeScript('return window.__printed')) === 1, 5_000, 'the notice was not printed');
    await scrollTo(d);
    await app.shot('notice-vks');
    await scrollTo(d, 'notice-received');
    await app.shot('notice-vks-bottom');
    await click(d, 'notice-back');
    await waitVisible(d, 'case-screen');

    // The reporter's notice names the reporter (a logged reveal).
    buttons = await d.findElements(tid('print-notice'));
    await scrollIntoView(d, buttons[1]);
    await buttons[1].click();
    await waitText(d, 'notice-addressee', 'Kính gửi: Ông (Bà) Trần Thị Mai');
    assert.equal(await textOf(d, 'notice-number'), 'Số: 02/TB-CAP');
    await app.shot('notice-reporter');
    await click(d, 'notice-back');
    await waitVisible(d, 'case-screen');

    // The audit log keeps the print and the reveal of the reporter.
    await nav(app, 'settings');
    await waitText(d, 'audit-log', /In văn bản\s*1\/2026 \([0-9a-f-]+\) — thông báo tiếp nhận gửi Viện kiểm sát số 01\/TB-CAP/);
    await waitText(d, 'audit-log', 'Xem danh tính người báo tin');
    await waitText(d, 'audit-log', `Ghi nhận Điều tra viên ở Công an xã${INVESTIGATOR.username}`);

    // An officer who is not an investigator: no reporter's notice to print, and the extension
    // is refused by the core, in Vietnamese.
    await switchUser(app, OFFICER.username, OFFICER.password);
    await waitVisible(d, 'today-screen', 20_000);
    await nav(app, 'register');
    await openCase(app, 'honda wave');
    assert.equal((await d.findElements(tid('print-notice'))).length, 1, 'only the procuracy’s notice for a plain officer');
    await unfold(d, 'extend-box');
    await type(d, 'extend-number', '01/QĐ-GH');
    await click(d, 'extend-resolution');
    await waitText(d, 'action-error', 'Bạn không có quyền ra quyết định hoặc gia hạn giải quyết nguồn tin (chỉ Điều tra viên ở Công an xã được ghi nhận).');
    await waitClock(d, 'crime_resolution', 'running');
    await app.shot('officer-refused');

    // The investigator: extension to 2 months with its decision; the clock runs on, later.
    await switchUser(app, INVESTIGATOR.username, INVESTIGATOR.password);
    await waitVisible(d, 'today-screen', 20_000);
    await nav(app, 'register');
    await openCase(app, 'honda wave');
    await unfold(d, 'extend-box');
    await type(d, 'extend-number', '01/QĐ-GH');
    await click(d, 'extend-resolution');
    await waitText(d, 'timeline', 'số 01/QĐ-GH');
    await waitClock(d, 'crime_resolution', 'running');
    const due2m = await clockDue(d, 'crime_resolution');
    assert.notEqual(due2m, due20, 'the extension moves the due date');
    await waitText(d, 'case-status', 'Mới tiếp nhận');

    // Suspension: the case is suspended and the resolution clock ends. A suspension is one of
    // the decisions Art. 147–148 ask for within the limit, so the core counts it as met in time
    // (rule crime_resolution, migration 006), not as a clock merely stopped.
    await decide(d, 'tam_dinh_chi', '02/QĐ-TĐC');
    await waitText(d, 'case-status', 'Tạm đình chỉ giải quyết nguồn tin');
    await waitClock(d, 'crime_resolution', 'met');
    // Only a resumption can follow, and the decision box says so.
    assert.equal(await (await find(d, 'decision-type')).getAttribute('value'), 'phuc_hoi');
    await waitText(d, 'clock-panel', /Giải quyết nguồn tin \(Điều\s+147\)\s*Đã đáp ứng/);
    await scrollTo(d);
    await app.shot('case-suspended');

    // Resumption: open again, the clock restarted from the decision's date.
    await decide(d, 'phuc_hoi', '03/QĐ-PH');
    await d.wait(async () => !(await textOf(d, 'case-status')).includes('Tạm đình chỉ'), 10_000, 'still suspended');
    await waitClock(d, 'crime_resolution', 'running');
    assert.notEqual(await clockDue(d, 'crime_resolution'), due2m, 'restarted from the resumption');
    await app.shot('case-resumed');

    // The final decision: not prosecuted; the resolution clock is met.
    await decide(d, 'khong_khoi_to', '04/QĐ-KKT');
    await waitText(d, 'case-status', 'Không khởi tố vụ án');
    await waitClock(d, 'crime_resolution', 'met');
    await scrollTo(d);
    await app.shot('case-not-prosecuted');
    await scrollTo(d, 'persons');
    await app.shot('case-persons');
    await scrollTo(d, 'timeline');
    await app.shot('case-decisions-timeline');

    // An administrative violation found on patrol, by the chief.
    await switchUser(app, CHIEF.username, CHIEF.password);
    await waitVisible(d, 'today-screen', 20_000);
    await nav(app, 'new');
    await selectValue(d, 'new-channel', 'patrol');
    await selectValue(d, 'new-kind', 'phan_anh');
    await selectValue(d, 'new-category', 'traffic_order');
    await type(d, 'new-summary', 'Điều khiển xe mô tô chở quá số người, không đội mũ bảo hiểm');
    await type(d, 'new-hamlet', 'Tổ 3');
    await click(d, 'new-anonymous');
    await click(d, 'new-add-person');
    const vr = (await d.findElements(tid('new-person')))[0];
    await vr.findElement(By.css('[data-testid="new-person-role"] option[value="suspect"]')).click();
    await vr.findElement(tid('new-person-name')).sendKeys('Đinh Văn Hùng');
    await vr.findElement(tid('new-person-year')).sendKeys(String(year - 35));
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    await selectValue(d, 'classify-class', 'admin_violation');
    await click(d, 'classify-save');
    await waitText(d, 'case-class', 'Vi phạm hành chính');
    assert.equal(await clockState(d, 'admin_record'), null, 'no record clock before the violation is found');
    await click(d, 'violation-found');
    await waitClock(d, 'admin_record', 'running');
    await type(d, 'violation-record-no', '01/BB-VPHC');
    await click(d, 'violation-person');
    await click(d, 'record-violation');
    await waitClock(d, 'admin_record', 'met');
    await waitClock(d, 'admin_decision', 'running');
    await scrollTo(d);
    await app.shot('violation-recorded');

    await d.findElement(By.xpath('//select[@data-testid="sanction-person"]/option[normalize-space()="Đinh Văn Hùng"]')).click();
    await selectValue(d, 'sanction-type', 'fine');
    await type(d, 'sanction-decision-no', '01/QĐ-XPHC');
    await type(d, 'sanction-date', `${dd}/${mm}/${yyyy}`);
    await type(d, 'sanction-fine', '1000000');
    await click(d, 'sanction-save');
    await waitText(d, 'sanctions-decided', /Đinh Văn Hùng: phạt tiền 1\.000\.000 đ/);
    await waitClock(d, 'admin_decision', 'met');
    await selectValue(d, 'outcome-type', 'sanctioned');
    await type(d, 'outcome-record-no', '01/BB-VPHC');
    await click(d, 'record-outcome');
    await waitText(d, 'case-status', 'Đã xử phạt hành chính');
    await waitClock(d, 'admin_decision', 'met');
    await scrollTo(d);
    await app.shot('violation-sanctioned');
    assert.ok(await find(d, 'case-screen'));
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
