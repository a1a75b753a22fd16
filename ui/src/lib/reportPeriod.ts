// The Reports screen's period picker: month, quarter or year, and the numbers each offers.
import type { PeriodKind } from './bindings/PeriodKind';

export const ROMAN = ['I', 'II', 'III', 'IV'];

/** The numbers to pick within a year: months 1–12, quarters I–IV, none for a year. */
export function periodNumbers(kind: PeriodKind): { value: number; text: string }[] {
  if (kind === 'month') return Array.from({ length: 12 }, (_, i) => ({ value: i + 1, text: String(i + 1) }));
  if (kind === 'quarter') return ROMAN.map((r, i) => ({ value: i + 1, text: r }));
  return [];
}

/** The number kept when the kind changes: the month's quarter, a quarter's last month, 0 for a year. */
export function convertNumber(from: PeriodKind, to: PeriodKind, n: number): number {
  if (to === 'year') return 0;
  if (from === to) return n;
  if (to === 'quarter') return from === 'month' ? Math.ceil(n / 3) : 4;
  return from === 'quarter' ? n * 3 : 12;
}
