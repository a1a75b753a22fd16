// How the case screen and the lists read a case's clocks (the core computes them: each legal
// time limit with its rule, basis, start, due time and state; see crates/core/src/clocks.rs).
import type { CaseClass } from './bindings/CaseClass';
import type { Clock } from './bindings/Clock';
import type { Event } from './bindings/Event';
import { L } from './i18n.svelte';

/** Still counting: running, or late and not yet met. */
export const isLive = (c: Clock) => c.ended_at === null && (c.state === 'running' || c.state === 'late');

/** Live clocks first, nearest due first; then the ended ones, most recently ended first. */
export function sortClocks(clocks: Clock[]): Clock[] {
  const t = (s: string | null) => (s ? new Date(s).getTime() : 0);
  return [...clocks].sort((a, b) => {
    const la = isLive(a);
    const lb = isLive(b);
    if (la !== lb) return la ? -1 : 1;
    if (la) return t(a.due_at) - t(b.due_at);
    return t(b.ended_at) - t(a.ended_at) || t(a.due_at) - t(b.due_at);
  });
}

/** What the state means for the officer: met on time, met late, late and still owed… */
export function clockStateText(c: Clock): string {
  switch (c.state) {
    case 'running':
      return L('Đang chạy', 'Running');
    case 'met':
      return L('Đã đáp ứng', 'Met');
    case 'late':
      return c.ended_at ? L('Đã đáp ứng, trễ hạn', 'Met late') : L('Quá hạn', 'Overdue');
    case 'stopped':
      return L('Dừng', 'Stopped');
  }
}

/** `2 ngày 3 giờ`, `3 giờ 20 phút`, `25 phút` (seconds are dropped; under a minute is 0 phút). */
export function fmtSpan(ms: number): string {
  const min = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const day = L('ngày', 'd');
  const hour = L('giờ', 'h');
  const minute = L('phút', 'min');
  if (d > 0) return h ? `${d} ${day} ${h} ${hour}` : `${d} ${day}`;
  if (h > 0) return m ? `${h} ${hour} ${m} ${minute}` : `${h} ${hour}`;
  return `${m} ${minute}`;
}

/** The time left, or how late: `còn 3 giờ 20 phút`, `quá hạn 1 giờ`, `trễ 25 phút`, or ''. */
export function clockLeft(c: Clock, now: Date): string {
  const due = new Date(c.due_at).getTime();
  if (c.state === 'stopped' || c.state === 'met') return '';
  if (c.ended_at) {
    const late = new Date(c.ended_at).getTime() - due;
    return late > 0 ? `${L('trễ', 'late by')} ${fmtSpan(late)}` : '';
  }
  const left = due - now.getTime();
  return left >= 0 ? `${L('còn', 'left:')} ${fmtSpan(left)}` : `${L('quá hạn', 'late by')} ${fmtSpan(left)}`;
}

/** The case's class: its latest classification that gave one (as the core reads it). */
export function caseClassOf(events: Event[]): CaseClass | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    const cls = e.type === 'classified' ? (e.data as Record<string, unknown> | null)?.class : undefined;
    if (typeof cls === 'string') return cls as CaseClass;
  }
  return null;
}

/** The outcome a case of this class usually closes with, offered first on the case screen. */
export function defaultOutcome(cls: CaseClass | null): 'sanctioned' | 'transferred' | 'mediated' | 'resolved_other' {
  switch (cls) {
    case 'crime_transfer':
    case 'other_agency':
      return 'transferred';
    case 'civil_dispute':
      return 'mediated';
    case 'crime_commune':
    case 'not_police':
      return 'resolved_other';
    default:
      return 'sanctioned';
  }
}

/** Administrative sanctions apply to a violation, or to a case not classified yet. */
export const sanctionsApply = (cls: CaseClass | null) => cls === null || cls === 'admin_violation';

/** Rules whose clock is the urgent report to the higher level (khẩn, hỏa tốc). */
export const isUrgentRule = (rule: string | null | undefined) => !!rule && rule.startsWith('urgent_report');

/** An urgent report is still owed: a live clock of an urgent-report rule. */
export const urgentReportOwed = (clocks: Clock[]) => clocks.some((c) => isUrgentRule(c.rule) && isLive(c));

/** Rows with a running clock first, nearest due first; the others keep their order. */
export function byNearestClock<T extends { deadline: number | null }>(rows: T[]): T[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.deadline ?? Infinity) - (b.r.deadline ?? Infinity) || a.i - b.i)
    .map((x) => x.r);
}
