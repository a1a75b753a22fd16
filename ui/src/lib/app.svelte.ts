// The app's session, screen and inactivity lock, shared by every screen.
import { api, onLocked } from './api';
import type { AppStatus } from './bindings/AppStatus';
import type { SessionInfo } from './bindings/SessionInfo';
import type { Vocab } from './bindings/Vocab';
import { registerFilters } from './registerFilters.svelte';
import { resetDraft } from './newReport.svelte';

export type Route =
  | { name: 'today' }
  | { name: 'register' }
  | { name: 'new' }
  | { name: 'case'; id: string }
  | { name: 'receipt'; id: string }
  | { name: 'notice'; id: string; event: string }
  | { name: 'book'; year: number }
  | { name: 'inquiries' }
  | { name: 'channels' }
  | { name: 'reports' }
  | { name: 'review' }
  | { name: 'catalog' }
  | { name: 'settings' };

export const app = $state({
  status: null as AppStatus | null,
  session: null as SessionInfo | null,
  /** Locked sessions keep the screens mounted (hidden) so that typed text survives. */
  locked: false,
  lockedUser: null as string | null,
  vocab: null as Vocab | null,
  route: { name: 'today' } as Route,
  back: [] as Route[],
  /** Bumped when another user logs in: screens are rebuilt from nothing. */
  epoch: 0,
  /** Bumped after any write, so lists that show cases reload. */
  dataVersion: 0,
});

export function go(route: Route) {
  if (JSON.stringify(route) === JSON.stringify(app.route)) return;
  app.back.push(app.route);
  if (app.back.length > 30) app.back.shift();
  app.route = route;
}

export function goBack() {
  const r = app.back.pop();
  if (r) app.route = r;
}

export function changed() {
  app.dataVersion += 1;
}

/**
 * After a sync that brought something: the lists (categories, statuses…) may be the province's
 * new ones, and every mounted screen reloads its data.
 */
export async function pulled() {
  try {
    app.vocab = await api.vocab();
  } finally {
    changed();
  }
}

export async function refreshStatus() {
  const st = await api.appStatus();
  app.status = st;
  if (st.session) {
    app.session = st.session;
    app.locked = false;
  } else if (app.session) {
    app.locked = true;
  }
  app.lockedUser = st.locked_user;
}

export async function loggedIn(s: SessionInfo) {
  const sameUser = app.session?.actor.user_id === s.actor.user_id;
  app.session = s;
  app.locked = false;
  app.lockedUser = null;
  lastActivity = Date.now();
  lastTouch = Date.now();
  if (!sameUser) {
    // Another officer on the shared PC: nothing of the previous one's screens stays.
    app.epoch += 1;
    app.route = { name: 'today' };
    app.back = [];
    Object.assign(registerFilters, { text: '', from: '', to: '', status: '', category: '', channel: '', kind: '', hamlet: '', assignee: '', dueOnly: false });
    resetDraft(null);
  }
  app.vocab = await api.vocab();
  // Back from the lock screen, the mounted screens reload what may have changed meanwhile; after
  // a new login they were just built and are loading already (a second Today query at login
  // held up the first Register page by its whole cost).
  if (sameUser) changed();
}

export async function lockNow() {
  try {
    await api.lock();
  } finally {
    app.lockedUser = app.session?.actor.username ?? null;
    app.locked = true;
  }
}

export async function logoutNow() {
  await api.logout();
  app.session = null;
  app.locked = false;
  app.lockedUser = null;
  app.epoch += 1;
  app.route = { name: 'today' };
  app.back = [];
}

// Inactivity: the UI locks on its own timer and tells the backend that the user is active,
// often enough that the backend's own timer (which guards the data) never fires first.
let lastActivity = Date.now();
let lastTouch = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

export function activity() {
  lastActivity = Date.now();
}

export function startInactivityWatch(now: () => number = Date.now) {
  if (timer) return;
  onLocked(() => {
    if (app.session) {
      app.lockedUser = app.session.actor.username;
      app.locked = true;
    }
  });
  timer = setInterval(() => {
    if (!app.session || app.locked) return;
    const limit = app.session.lock_after_secs * 1000;
    const t = now();
    if (t - lastActivity >= limit) {
      void lockNow();
      return;
    }
    const touchEvery = Math.min(20_000, limit / 3);
    if (lastActivity > lastTouch && t - lastTouch >= touchEvery) {
      lastTouch = t;
      api.touch().catch(() => {
        // A locked answer is handled by onLocked; anything else is retried on the next tick.
      });
    }
  }, 500);
}
