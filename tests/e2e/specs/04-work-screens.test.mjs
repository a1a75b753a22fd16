// The screens around the cases: inquiries with answer templates, channels and posts, monthly
// statistics exported to XLSX and PDF, backup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchApp, By, click, find, screenshotDir, textOf, tid, type, waitGone, waitText, waitVisible } from '../lib/app.mjs';
import { CHIEF, firstRun, nav, searchRegister, selectValue, submitSetup } from '../lib/flows.mjs';

test('inquiries, channels and posts, monthly report with XLSX and PDF, backup', async () => {
  const app = await launchApp({ name: 'work' });
  const d = app.driver;
  try {
    await firstRun(app);
    await submitSetup(app);

    // A sanctioned case this month, so the report has a fine to count. Its reporter is
    // confidential: hidden until the chief reveals it on purpose.
    await nav(app, 'new');
    await selectValue(d, 'new-category', 'gambling');
    await type(d, 'new-summary', 'Nhóm đánh bạc tại chợ');
    await type(d, 'new-reporter-name', 'Đặng Văn Khải');
    await type(d, 'new-reporter-phone', '0987654321');
    await click(d, 'new-add-person');
    const person = (await d.findElements(tid('new-person'))).at(-1);
    await person.findElement(tid('new-person-name')).sendKeys('Trần Văn Bạc');
    await person.findElement(tid('new-person-year')).sendKeys('1985');
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    const before = await textOf(d, 'case-screen');
    assert.ok(!before.includes('Đặng Văn Khải'), 'the reporter is not shown before the reveal');
    await click(d, 'reveal-reporter');
    await waitText(d, 'reporter-revealed', 'Đặng Văn Khải · 0987654321');
    await click(d, 'start-verification');
    await waitText(d, 'case-status', 'Đang xác minh');
    // One decision for the one violator, then the closing outcome adds it up.
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10).split('-').reverse().join('/');
    await d.findElement(By.xpath('//select[@data-testid="sanction-person"]/option[normalize-space()="Trần Văn Bạc"]')).click();
    await selectValue(d, 'sanction-type', 'fine');
    await type(d, 'sanction-decision-no', '07/QĐ-XPHC');
    await type(d, 'sanction-date', today);
    await type(d, 'sanction-fine', '1.500.000');
    await click(d, 'sanction-save');
    await waitText(d, 'sanctions-decided', /Trần Văn Bạc: phạt tiền 1\.500\.000 đ/);
    await selectValue(d, 'outcome-type', 'sanctioned');
    await type(d, 'outcome-record-no', '02/BB-VPHC');
    await click(d, 'record-outcome');
    await waitText(d, 'case-status', 'Đã xử phạt hành chính');

    // A chief writes an answer template, then an officer's question uses it.
    await nav(app, 'inquiries');
    await click(d, 'inquiry-templates-toggle');
    await type(d, 'template-title', 'Cấp đổi thẻ căn cước');
    await type(d, 'template-body', 'Công dân mang CCCD cũ đến Công an xã để được cấp đổi, lệ phí theo quy định.');
    await click(d, 'template-save');
    await click(d, 'inquiry-templates-toggle');
    await type(d, 'inquiry-question', 'Thẻ căn cước bị mờ ảnh thì đổi ở đâu?');
    await click(d, 'use-template');
    assert.match(await (await find(d, 'inquiry-answer')).getAttribute('value'), /cấp đổi/);
    await click(d, 'inquiry-save');
    await waitText(d, 'inquiry-list', 'bị mờ ảnh');
    await app.shot('inquiries');

    await nav(app, 'channels');
    await type(d, 'channel-name', 'Nhóm Zalo TDP Xuất Hóa');
    await type(d, 'channel-area', 'Tổ dân phố Xuất Hóa');
    await click(d, 'channel-add');
    await waitText(d, 'channel-list', 'Nhóm Zalo TDP Xuất Hóa');
    await type(d, 'post-title', 'Cảnh báo thủ đoạn giả danh công an gọi điện');
    await type(d, 'post-body', 'Công an không làm việc qua điện thoại, không yêu cầu chuyển tiền.');
    await click(d, 'post-channel');
    await click(d, 'post-save');
    await waitText(d, 'post-list', 'giả danh công an');
    await app.shot('channels');

    await nav(app, 'reports');
    await waitText(d, 'stat-received', '1');
    assert.equal(await textOf(d, 'stat-fines'), '1.500.000 đ');
    await waitVisible(d, 'chart-category');
    await app.shot('reports');
    await click(d, 'export-xlsx');
    const xlsx = (await waitText(d, 'export-done', '.xlsx')).split(': ').pop().trim();
    assert.ok(existsSync(xlsx) && readFileSync(xlsx).subarray(0, 2).toString() === 'PK', xlsx);
    await click(d, 'export-pdf');
    const pdf = (await waitText(d, 'export-done', '.pdf')).split(': ').pop().trim();
    assert.ok(existsSync(pdf) && readFileSync(pdf).subarray(0, 5).toString() === '%PDF-', pdf);
    assert.ok(statSync(pdf).size > 5_000);
    // Kept beside the screenshots so a person can look at the exported files.
    copyFileSync(pdf, join(screenshotDir, 'work-report.pdf'));
    copyFileSync(xlsx, join(screenshotDir, 'work-report.xlsx'));
    // The quarter holding today: its heading, the same sections, and an export named after it.
    await click(d, 'report-kind-quarter');
    await waitVisible(d, 'report-quarter');
    await click(d, 'report-load');
    await waitText(d, 'report-period', /Quý (I|II|III|IV)\/\d{4} \(từ \d\d\/\d\d\/\d{4} đến/);
    await waitText(d, 'stat-received', '1');
    assert.equal(await textOf(d, 'stat-fines'), '1.500.000 đ');
    await app.shot('reports-quarter');
    await click(d, 'export-xlsx');
    const qx = (await waitText(d, 'export-done', /bao-cao-quy-.*\.xlsx/)).split(': ').pop().trim();
    assert.ok(existsSync(qx) && readFileSync(qx).subarray(0, 2).toString() === 'PK', qx);
    await click(d, 'export-pdf');
    const qp = (await waitText(d, 'export-done', /bao-cao-quy-.*\.pdf/)).split(': ').pop().trim();
    copyFileSync(qp, join(screenshotDir, 'work-report-quarter.pdf'));

    await nav(app, 'settings');
    await click(d, 'backup');
    const ok = await waitText(d, 'backup-ok', '.db', 20_000);
    const file = ok.split(': ').pop().trim();
    assert.ok(existsSync(file), file);
    // The backup is encrypted: no plaintext of the register in it.
    assert.ok(!readFileSync(file).includes(Buffer.from('Nhóm đánh bạc')), 'backup holds no plaintext');
    // The reveal left its trace in the audit log.
    await waitText(d, 'audit-log', 'Xem danh tính người báo tin');
    await app.shot('settings-backup');

    // A case registered after the backup disappears when the backup is restored; the restore
    // closes the register, so the chief logs in again.
    await nav(app, 'new');
    await selectValue(d, 'new-category', 'theft');
    await type(d, 'new-summary', 'Mất trộm xe máy sau khi sao lưu');
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    await nav(app, 'register');
    assert.equal((await searchRegister(app, 'sau khi sao luu')).length, 1);
    await nav(app, 'settings');
    await click(d, 'restore');
    await click(d, 'restore-confirm');
    await waitVisible(d, 'lock-screen', 20_000);
    await type(d, 'login-password', CHIEF.password);
    await click(d, 'login-submit');
    await waitGone(d, 'lock-screen');
    await nav(app, 'register');
    assert.equal((await searchRegister(app, 'sau khi sao luu')).length, 0, 'the later case is gone');
    assert.equal((await searchRegister(app, 'danh bac tai cho')).length, 1, 'the backed-up case is back');
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
