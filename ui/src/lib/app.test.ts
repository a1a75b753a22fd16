import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
vi.mock('./api', () => ({
  api: {
    lock: vi.fn(async () => void calls.push('lock')),
    touch: vi.fn(async () => void calls.push('touch')),
    vocab: vi.fn(async () => ({})),
  },
  onLocked: () => () => {},
}));

import { app, activity, loggedIn, startInactivityWatch } from './app.svelte';
import type { SessionInfo } from './bindings/SessionInfo';
import { draft } from './newReport.svelte';
import { registerFilters } from './registerFilters.svelte';

const session = (secs: number): SessionInfo => ({
  actor: { user_id: 'u1', username: 'truong', full_name: 'Nguyễn Văn Trường', role: 'chief', station: '01843', province: null },
  scope: { type: 'station', code: '01843' },
  station: null,
  lock_after_secs: secs,
});

describe('inactivity lock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    calls.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('locks after the delay without activity, and not before while the officer types', async () => {
    await loggedIn(session(60));
    startInactivityWatch();
    await vi.advanceTimersByTimeAsync(30_000);
    activity();
    await vi.advanceTimersByTimeAsync(45_000);
    expect(app.locked).toBe(false);
    // Activity is reported to the backend so its own timer does not fire first.
    expect(calls).toContain('touch');
    await vi.advanceTimersByTimeAsync(16_000);
    expect(app.locked).toBe(true);
    expect(calls).toContain('lock');
    expect(app.lockedUser).toBe('truong');
  });

  it('a different user logging in starts from clean screens', async () => {
    await loggedIn(session(600));
    const epoch = app.epoch;
    app.route = { name: 'settings' };
    draft.summary = 'bản nháp của người trước';
    registerFilters.text = 'tìm kiếm của người trước';
    await loggedIn({ ...session(600), actor: { ...session(600).actor, user_id: 'u2', username: 'canbo' } });
    expect(app.epoch).toBe(epoch + 1);
    expect(app.route).toEqual({ name: 'today' });
    expect(draft.summary).toBe('');
    expect(registerFilters.text).toBe('');
  });
});
