import { describe, expect, it } from 'vitest';
import { convertNumber, periodNumbers } from './reportPeriod';

describe('report period picker', () => {
  it('offers months, quarters in Roman numerals, nothing for a year', () => {
    expect(periodNumbers('month').map((x) => x.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(periodNumbers('quarter').map((x) => x.text)).toEqual(['I', 'II', 'III', 'IV']);
    expect(periodNumbers('year')).toEqual([]);
  });
  it('keeps the period in view when the kind changes', () => {
    expect(convertNumber('month', 'quarter', 10)).toBe(4);
    expect(convertNumber('month', 'quarter', 3)).toBe(1);
    expect(convertNumber('quarter', 'month', 2)).toBe(6);
    expect(convertNumber('year', 'month', 0)).toBe(12);
    expect(convertNumber('year', 'quarter', 0)).toBe(4);
    expect(convertNumber('quarter', 'year', 3)).toBe(0);
    expect(convertNumber('month', 'month', 7)).toBe(7);
  });
});
