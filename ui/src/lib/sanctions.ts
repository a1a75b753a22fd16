// The sanction form's arithmetic, kept out of the component so it is tested: which cap applies
// on a date, what a minor's band allows, who may pay. The core checks all of it again and its
// refusal is what the officer reads; this only shows the limits before saving.
import type { Event } from './bindings/Event';
import type { FineCap } from './bindings/FineCap';
import type { Person } from './bindings/Person';

/** The cap of `title` in `sector` in force on `on` (`YYYY-MM-DD`): the latest not after it. */
export function capInForce(caps: FineCap[], title: string, sector: string, on: string): FineCap | null {
  let best: FineCap | null = null;
  for (const c of caps) {
    if (c.title !== title || c.sector !== sector || c.effective_from > on) continue;
    if (!best || c.effective_from > best.effective_from) best = c;
  }
  return best;
}

/** Distinct codes with their labels, in first-seen order (titles or sectors of the caps). */
export function choices(caps: FineCap[], key: 'title' | 'sector'): { code: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const c of caps) if (!seen.has(c[key])) seen.set(c[key], key === 'title' ? c.title_vi : c.sector_vi);
  return [...seen].map(([code, label]) => ({ code, label }));
}

/** The sanction decided for each person of the case, by person id. */
export function decisionsByPerson(events: Event[]): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    if (e.type !== 'sanction_decided') continue;
    const d = (e.data ?? {}) as Record<string, unknown>;
    if (typeof d.person === 'string') m.set(d.person, d);
  }
  return m;
}

/** The guardians of the case linked to `minor`: the only persons who may pay their fine. */
export function guardiansOf(persons: Person[], minor: string): Person[] {
  return persons.filter((p) => p.role === 'guardian' && p.guardian_of === minor);
}

export type Limit = { fine: boolean; max: number | null; why: 'under14' | 'warning_only' | 'half' | 'cap' | 'none' };

/**
 * What may be decided for a person of this band: nothing under 14, a warning only from 14 to
 * under 16, at most half the adult level from 16 to under 18, and never above the cap.
 */
export function fineLimit(minor: Person['minor'], adultFine: number | null, cap: FineCap | null): Limit {
  if (minor === 'under14') return { fine: false, max: null, why: 'under14' };
  if (minor === 'from14_to16') return { fine: false, max: null, why: 'warning_only' };
  const capMax = cap ? cap.cap_vnd : null;
  if (minor === 'from16_to18' && adultFine !== null) {
    const half = Math.floor(adultFine / 2);
    if (capMax === null || half <= capMax) return { fine: true, max: half, why: 'half' };
  }
  return capMax === null ? { fine: true, max: null, why: 'none' } : { fine: true, max: capMax, why: 'cap' };
}

/** Today in Vietnam, `YYYY-MM-DD`. */
export function todayVn(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
