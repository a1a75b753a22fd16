// Reference data as officers read it: a rule's limit in words, a date's weekday.
import type { DeadlineRule } from './bindings/DeadlineRule';

const UNIT: Record<string, string> = { minutes: 'phút', hours: 'giờ', days: 'ngày', working_days: 'ngày làm việc' };

/** `24 giờ (xã vùng sâu, vùng xa: 48 giờ)`. */
export function ruleAmount(r: Pick<DeadlineRule, 'amount' | 'unit' | 'remote_amount'>): string {
  const unit = UNIT[r.unit] ?? r.unit;
  const base = `${r.amount} ${unit}`;
  return r.remote_amount != null && r.remote_amount !== r.amount ? `${base} (xã vùng sâu, vùng xa: ${r.remote_amount} ${unit})` : base;
}

const DAYS = ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'];

/** `2026-01-10` → `T7` (Saturday), read as a calendar date whatever the PC's time zone. */
export function weekdayVi(isoDate: string): string {
  const m = isoDate.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (!m) return '';
  return DAYS[new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay()];
}
