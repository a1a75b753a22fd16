import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, waitText } from '../lib/app.mjs';

test('the app opens its window with the Svelte UI', async () => {
  const app = await launchApp({ name: 'smoke' });
  try {
    const t = await waitText(app.driver, 'ping', 'pong');
    assert.equal(t, 'pong');
    await app.shot('window');
  } finally {
    await app.quit();
  }
});
