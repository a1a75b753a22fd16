import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, click, find, textOf, type, waitGone, waitVisible } from '../lib/app.mjs';
import { CHIEF, firstRun, nav, submitSetup } from '../lib/flows.mjs';

test('the app locks itself after inactivity, the backend refuses commands, typed text survives', async () => {
  // A 5-second delay instead of the default 10 minutes (TINBAO_LOCK_SECONDS reaches the app).
  const app = await launchApp({ name: 'auto-lock', env: { TINBAO_LOCK_SECONDS: '5' } });
  const d = app.driver;
  try {
    await firstRun(app);
    await submitSetup(app);
    await nav(app, 'new');
    await type(d, 'new-summary', 'Đang nhập dở: mất trộm xe máy');
    const started = Date.now();
    await waitVisible(d, 'lock-screen', 15_000);
    const waited = Date.now() - started;
    assert.ok(waited >= 3500, `locked after ${waited} ms, not before the delay`);
    assert.match(await textOf(d, 'lock-title'), /Phiên làm việc đã khóa/);
    await app.shot('locked-after-inactivity');

    // The register is closed in the backend too, whatever the page does.
    const res = await d.executeAsyncScript(`
      const done = arguments[arguments.length - 1];
      window.__TAURI_INTERNALS__.invoke('search', { query: { text: null, from: null, to: null, status: null, category: null,
        channel: null, kind: null, hamlet: null, assignee: null, station: null, due_only: false, conflict_only: false,
        page: 0, page_size: 10 } }).then((r) => done({ ok: r }), (e) => done({ err: e }));`);
    assert.equal(res.err?.kind, 'locked', JSON.stringify(res));

    await type(d, 'login-password', CHIEF.password);
    await click(d, 'login-submit');
    await waitGone(d, 'lock-screen');
    await waitVisible(d, 'new-report-screen');
    assert.equal(await (await find(d, 'new-summary')).getAttribute('value'), 'Đang nhập dở: mất trộm xe máy');
    await app.shot('unlocked-form-kept');
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await app.quit();
  }
});
