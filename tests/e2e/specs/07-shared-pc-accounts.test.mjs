import { test } from 'node:test';
import assert from 'node:assert/strict';
import { By, launchApp, click, textOf, type, waitGone, waitText, waitVisible } from '../lib/app.mjs';
import { CHIEF, firstRun, login, nav, submitSetup } from '../lib/flows.mjs';

/** Creates an officer from Settings (the chief is logged in there). */
async function addOfficer(d, fullName, username, password) {
  await type(d, 'user-fullname', fullName);
  await type(d, 'user-username', username);
  await type(d, 'user-password', password);
  await click(d, 'user-create');
  await waitText(d, 'user-ok', 'Đã tạo tài khoản', 20_000);
}

async function switchUser(app) {
  const d = app.driver;
  await click(d, 'lock-button');
  await waitVisible(d, 'lock-screen');
  await click(d, 'switch-user');
  await waitVisible(d, 'login-username');
}

test('a shared PC: five wrong passwords lock an account until the chief unlocks it; a disabled officer cannot log in', async () => {
  const app = await launchApp({ name: 'shared-pc' });
  const d = app.driver;
  try {
    await firstRun(app);
    await submitSetup(app);
    await nav(app, 'settings');
    await addOfficer(d, 'Lê Thị Hà', 'canbo.ha', 'canbo-ha-2025');
    await addOfficer(d, 'Phạm Văn Nghỉ', 'canbo.nghi', 'canbo-nghi-2025');

    // Someone tries Hà's account on the shared PC.
    await switchUser(app);
    for (let i = 1; i <= 4; i++) {
      await login(app, 'canbo.ha', `doan-sai-${i}`);
      await waitText(d, 'login-error', 'không đúng');
    }
    await login(app, 'canbo.ha', 'doan-sai-5');
    const locked = await waitText(d, 'login-error', 'tạm bị khóa');
    assert.match(locked, /sai mật khẩu 5 lần/);
    assert.match(locked, /15 phút/);
    // Even the right password waits now.
    await login(app, 'canbo.ha', 'canbo-ha-2025');
    await waitText(d, 'login-error', 'tạm bị khóa');
    await app.shot('account-locked');

    // The chief sees it in Settings and unlocks early; the audit log has both.
    // The chief was the one who locked: the app returns to the screen he left, reloaded.
    await login(app, CHIEF.username, CHIEF.password);
    await waitGone(d, 'login-screen');
    await waitVisible(d, 'user-locked-out');
    assert.match(await textOf(d, 'user-locked-out'), /còn 1[45] phút/);
    await app.shot('settings-locked-account');
    await click(d, 'user-unlock');
    await waitText(d, 'user-ok', 'Đã mở khóa đăng nhập');
    await waitGone(d, 'user-locked-out');
    const audit = await textOf(d, 'audit-log');
    assert.match(audit, /Tạm khóa đăng nhập/);
    assert.match(audit, /Mở khóa đăng nhập/);

    // The chief disables Nghỉ: his password no longer opens the register on this PC.
    const row = await d.findElement(By.xpath("//tr[td[normalize-space()='canbo.nghi']]"));
    await row.findElement(By.css('[data-testid="user-toggle-active"]')).click();
    await waitText(d, 'user-ok', 'Đã khóa tài khoản');
    await app.shot('settings-officer-disabled');

    await switchUser(app);
    await login(app, 'canbo.nghi', 'canbo-nghi-2025');
    const refused = await waitText(d, 'login-error', 'canbo.nghi');
    assert.doesNotMatch(refused, /tạm bị khóa/);
    await app.shot('disabled-officer-refused');

    // Hà, unlocked, logs in with her own password.
    await login(app, 'canbo.ha', 'canbo-ha-2025');
    await waitVisible(d, 'today-screen', 20_000);
    assert.match(await textOf(d, 'current-user'), /Lê Thị Hà/);
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
