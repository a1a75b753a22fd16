// Seed story 1 (shared/scenarios/seed-stories.md; first line of tests/data/sample-500.jsonl):
// residents film two teenagers doing wheelies and weaving through a ward and post it on
// Facebook; the police verify, invite them and their relatives, fine them 8,000,000 VND.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchApp, By, click, find, repoRoot, textOf, tid, type, waitText, waitVisible } from '../lib/app.mjs';
import { firstRun, nav, searchRegister, selectValue, submitSetup } from '../lib/flows.mjs';

const story = JSON.parse(readFileSync(join(repoRoot, 'tests', 'data', 'sample-500.jsonl'), 'utf8').split('\n')[0]);
const INJECTION = '<img src=x onerror=alert(1)>';

function screenshotFile() {
  const file = join(tmpdir(), `boc-dau-${process.pid}.png`);
  try {
    execFileSync('convert', ['-size', '640x360', 'gradient:#3b4a5a-#1d252d', '-fill', 'white', '-pointsize', '30',
      '-annotate', '+40+170', 'Video Facebook: xe máy bốc đầu', '-pointsize', '20', '-annotate', '+40+215', 'Phường Xuất Hóa, 29/9/2022', file]);
  } catch {
    // Without ImageMagick, a 1×1 PNG is still an image the core accepts.
    writeFileSync(file, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'));
  }
  return file;
}

test('seed story 1: register the Facebook wheelies report, verify, fine 8.000.000 đ, close, find it', async () => {
  const app = await launchApp({ name: 'story1' });
  const d = app.driver;
  try {
    await firstRun(app);
    await submitSetup(app);
    await nav(app, 'new');

    // The officer pastes the resident's post: the evening and the ward are proposed.
    const post = `${story.description} Clip đăng lúc 21h15 tối 29/9/2022, ai biết xin liên hệ 0912 345 678.`;
    await type(d, 'new-paste', post);
    await waitText(d, 'proposals', '29/09/2022 21:15');
    const phones = await d.findElements(tid('proposal-phone'));
    assert.equal(phones.length, 1);
    assert.match(await phones[0].getText(), /0912345678/);

    await selectValue(d, 'new-channel', 'facebook');
    await type(d, 'new-channel-ref', story.channel_ref);
    await selectValue(d, 'new-kind', 'tin_bao');
    await selectValue(d, 'new-category', 'traffic_order');
    await type(d, 'new-received-at', '29/09/2022 21:15');
    await click(d, 'proposal-time');
    await type(d, 'new-summary', story.summary);
    await type(d, 'new-description', story.description);
    await type(d, 'new-hamlet', story.location.hamlet);
    await click(d, 'new-anonymous');
    for (const p of story.persons) {
      await click(d, 'new-add-person');
      const rows = await d.findElements(tid('new-person'));
      const row = rows[rows.length - 1];
      await row.findElement(By.css(`[data-testid="new-person-role"] option[value="${p.role}"]`)).click();
      await row.findElement(tid('new-person-name')).sendKeys(p.name);
      await row.findElement(tid('new-person-year')).sendKeys(String(p.birth_year));
    }
    // The two teenagers are flagged as minors as they are typed in (14–16 and 16–18 in 2022).
    const flags = await d.findElements(tid('minor-flag'));
    assert.equal(flags.length, 2);
    assert.match(await flags[0].getText(), /16 đến dưới 18/);
    assert.match(await flags[1].getText(), /14 đến dưới 16/);

    const fileInput = await find(d, 'new-file-input');
    await fileInput.sendKeys(screenshotFile());
    await waitVisible(d, 'new-file');
    await app.shot('new-report-filled');

    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    assert.equal(await textOf(d, 'case-register-no'), 'Số 1/2022');
    assert.equal(await textOf(d, 'case-summary'), story.summary);
    assert.match(await textOf(d, 'case-channel-ref'), /Tin Bắc Kạn/);
    assert.equal((await d.findElements(tid('person-minor'))).length, 2);
    assert.equal((await d.findElements(tid('attachment'))).length, 1);
    await d.wait(async () => (await d.findElements(By.css('[data-testid="attachment"] img'))).length === 1, 10_000, 'preview shows');

    // Verify, record the steps taken, then the administrative fine, which closes the case.
    await click(d, 'start-verification');
    await waitText(d, 'case-status', 'Đang xác minh');
    await type(d, 'step-text', 'Xác minh clip, mời 02 thanh thiếu niên cùng gia đình lên trụ sở làm việc.');
    await click(d, 'add-step');
    await waitText(d, 'timeline', 'mời 02 thanh thiếu niên');
    await selectValue(d, 'outcome-type', 'sanctioned');
    await type(d, 'outcome-record-no', '01/BB-VPHC');
    await type(d, 'outcome-decision-no', '05/QĐ-XPHC');
    await type(d, 'outcome-fine', '8000000');
    assert.equal(await textOf(d, 'outcome-fine-preview'), '8.000.000 đ');
    await type(d, 'outcome-decided-by', 'Trưởng Công an phường Bắc Kạn');
    await click(d, 'record-outcome');
    await waitText(d, 'case-status', 'Đã xử phạt hành chính');
    const timeline = await textOf(d, 'timeline');
    assert.match(timeline, /phạt 8\.000\.000 đ/);
    assert.match(timeline, /Bắt đầu xác minh/);
    await app.shot('case-sanctioned');

    // The receipt record as an A4 page; the reporter stays confidential.
    await click(d, 'print-receipt');
    await waitVisible(d, 'receipt-sheet');
    const sheet = await textOf(d, 'receipt-sheet');
    assert.match(sheet, /BIÊN BẢN TIẾP NHẬN/);
    assert.match(sheet, /Hồi 21 giờ 15 phút, ngày 29\/09\/2022/);
    await app.shot('receipt');

    // Found with words typed without diacritics.
    await nav(app, 'register');
    for (const q of ['boc dau', 'lang lach', 'LẠNG LÁCH']) {
      const rows = await searchRegister(app, q);
      assert.equal(rows.length, 1, `search "${q}"`);
      assert.equal(await rows[0].getAttribute('data-register-no'), '1/2022');
    }
    await app.shot('register-search-lang-lach');
    // Both cases, newest first, each on its own line.
    const all = await searchRegister(app, '');
    assert.equal(all.length, 1);
    assert.equal((await searchRegister(app, 'lua dao chiem doat')).length, 0, 'an unrelated search finds nothing');

    // A second resident reports the same clip: the intake form points at case 1/2022 before
    // saving. A screenshot dropped on the form (HTML5 drag and drop) is attached.
    await nav(app, 'new');
    await type(d, 'new-received-at', '30/09/2022 08:00');
    await type(d, 'new-summary', 'Thanh thiếu niên bốc đầu, lạng lách ở Xuất Hóa');
    await waitText(d, 'duplicates', '1/2022', 10_000);
    await d.executeScript(`
      const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([png], 'anh-chup-zalo.png', { type: 'image/png' }));
      document.querySelector('[data-testid="new-dropzone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));`);
    await waitText(d, 'new-dropzone', 'anh-chup-zalo.png');
    await app.shot('new-report-duplicate-hint');
    await click(d, 'new-clear');
    assert.equal((await d.findElements(tid('new-file'))).length, 0);

    // Citizen text is text: the injection string shows as those characters, runs nothing.
    await selectValue(d, 'new-category', 'other');
    await type(d, 'new-summary', `Tin nhắn lạ ${INJECTION}`);
    await type(d, 'new-description', INJECTION);
    await click(d, 'new-save');
    await waitVisible(d, 'case-screen', 20_000);
    assert.equal(await textOf(d, 'case-description'), INJECTION);
    assert.equal(await textOf(d, 'case-summary'), `Tin nhắn lạ ${INJECTION}`);
    const desc = await find(d, 'case-description');
    assert.equal((await desc.findElements(By.css('img'))).length, 0);
    assert.equal((await d.findElements(By.css('img[src="x"]'))).length, 0);
    await assert.rejects(() => d.switchTo().alert(), 'no alert was opened');
    await app.shot('injection-as-text');
    await nav(app, 'register');
    const rows = await searchRegister(app, 'tin nhan la');
    assert.equal(rows.length, 1);
    // The cell is cut with an ellipsis on screen; its text content is the whole string.
    assert.match(await rows[0].getAttribute('textContent'), /Tin nhắn lạ <img src=x onerror=alert\(1\)>/);
    assert.equal((await rows[0].findElements(By.css('img'))).length, 0);

    // Today lists the new report; the monthly report counts the fine.
    await nav(app, 'today');
    await waitText(d, 'today-new-list', 'Tin nhắn lạ');
    await app.shot('today');
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
