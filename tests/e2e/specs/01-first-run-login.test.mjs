import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, click, find, textOf, tid, type, waitGone, waitText, waitVisible } from '../lib/app.mjs';
import { CHIEF, firstRun, login, nav, submitSetup } from '../lib/flows.mjs';

test('first run creates the encrypted register and the chief; later runs log in offline; lock and switch user', async () => {
  let app = await launchApp({ name: 'first-run' });
  const dataDir = app.dataDir;
  try {
    const d = await firstRun(app);
    await app.shot('setup-filled');
    // A mistyped confirmation is refused and nothing typed is lost.
    await type(d, 'setup-password2', 'khac-mat-khau');
    await click(d, 'setup-submit');
    await waitText(d, 'setup-error', 'không khớp');
    assert.equal(await (await find(d, 'setup-fullname')).getAttribute('value'), CHIEF.fullName);
    await type(d, 'setup-password2', CHIEF.password);
    await submitSetup(app);
    assert.match(await textOf(d, 'station-name'), /Phường Bắc Kạn/);
    assert.match(await textOf(d, 'current-user'), /Nguyễn Văn Trường/);
    await app.shot('today-empty');

    // The chief adds an officer, who can then log in on this PC.
    await nav(app, 'settings');
    await type(d, 'user-fullname', 'Lê Thị Hà');
    await type(d, 'user-username', 'canbo.ha');
    await type(d, 'user-password', 'canbo-ha-2025');
    await click(d, 'user-create');
    await waitVisible(d, 'user-ok', 20_000);
    await app.shot('settings-users');

    // Lock on demand: the register disappears behind the lock screen.
    await click(d, 'lock-button');
    await waitVisible(d, 'lock-screen');
    assert.match(await textOf(d, 'lock-title'), /đã khóa/);
    await app.shot('locked');
    await type(d, 'login-password', 'sai-mat-khau');
    await click(d, 'login-submit');
    await waitText(d, 'login-error', 'không đúng');
    await type(d, 'login-password', CHIEF.password);
    await click(d, 'login-submit');
    // The screens stay mounted under the lock screen; unlocked means the lock screen is gone.
    await waitGone(d, 'lock-screen');
    await waitVisible(d, 'settings-screen');

    // Switch user on the shared PC.
    await click(d, 'lock-button');
    await click(d, 'switch-user');
    await login(app, 'canbo.ha', 'canbo-ha-2025');
    await waitVisible(d, 'today-screen', 20_000);
    assert.match(await textOf(d, 'current-user'), /Lê Thị Hà/);
    assert.match(await textOf(d, 'current-user'), /Cán bộ/);
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit({ keepData: true });
  }

  // A later run: the register exists, so the login screen comes first, and works offline.
  app = await launchApp({ name: 'login', dataDir });
  try {
    const d = app.driver;
    await waitVisible(d, 'login-screen', 20_000);
    await app.shot('login');
    await login(app, CHIEF.username, 'sai-mat-khau');
    const err = await waitText(d, 'login-error', 'không đúng');
    assert.match(err, /Tên đăng nhập hoặc mật khẩu không đúng/);
    await login(app, CHIEF.username, CHIEF.password);
    await waitVisible(d, 'today-screen', 20_000);
    // English switch, then back.
    await nav(app, 'settings');
    await click(d, 'lang-en');
    await waitText(d, 'nav-register', 'Register');
    await app.shot('settings-english');
    await click(d, 'lang-vi');
    await waitText(d, 'nav-register', 'Sổ tiếp nhận');
    assert.equal((await d.findElements(tid('setup-screen'))).length, 0);
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
