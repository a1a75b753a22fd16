import { describe, expect, it } from 'vitest';
import { ruleAmount, weekdayVi } from './catalog';

describe('catalog', () => {
  it('says a rule with the remote communes’ amount', () => {
    expect(ruleAmount({ amount: 24, unit: 'hours', remote_amount: 48 })).toBe('24 giờ (xã vùng sâu, vùng xa: 48 giờ)');
    expect(ruleAmount({ amount: 3, unit: 'working_days', remote_amount: null })).toBe('3 ngày làm việc');
  });
  it('names the weekday of a calendar date', () => {
    expect(weekdayVi('2026-01-10')).toBe('T7');
    expect(weekdayVi('2026-02-17')).toBe('T3');
    expect(weekdayVi('bad')).toBe('');
  });
});
