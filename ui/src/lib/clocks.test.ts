import { describe, expect, it } from 'vitest';
import { caseClassOf, clockLeft, defaultOutcome, sanctionsApply, clockStateText, fmtSpan, sortClocks, urgentReportOwed } from './clocks';
import type { Clock } from './bindings/Clock';
import type { Event } from './bindings/Event';

const clock = (rule: string, state: Clock['state'], due_at: string, ended_at: string | null = null): Clock => ({
  rule, label_vi: rule, basis: 'b', started_at: '2020-06-17T23:05:00+07:00', due_at, state, ended_at, reason: null,
});
const now = new Date('2020-06-17T23:20:00+07:00');

describe('clocks', () => {
  it('lists the nearest live clock first, then the ended ones', () => {
    const cs = [
      clock('notice_vks', 'running', '2020-06-22T23:59:59+07:00'),
      clock('classify', 'met', '2020-06-18T11:05:00+07:00', '2020-06-17T23:30:00+07:00'),
      clock('crime_transfer', 'running', '2020-06-18T23:05:00+07:00'),
      clock('urgent_report_emergency', 'late', '2020-06-17T23:35:00+07:00'),
    ];
    expect(sortClocks(cs).map((c) => c.rule)).toEqual(['urgent_report_emergency', 'crime_transfer', 'notice_vks', 'classify']);
    expect(urgentReportOwed(cs)).toBe(true);
    expect(urgentReportOwed([clock('urgent_report', 'met', '2020-06-18T01:05:00+07:00', '2020-06-17T23:15:00+07:00')])).toBe(false);
  });

  it('says the time left, how late, and met late', () => {
    expect(clockLeft(clock('x', 'running', '2020-06-18T02:40:00+07:00'), now)).toBe('còn 3 giờ 20 phút');
    expect(clockLeft(clock('x', 'late', '2020-06-17T22:35:00+07:00'), now)).toBe('quá hạn 45 phút');
    expect(clockLeft(clock('x', 'running', '2020-06-20T01:20:00+07:00'), now)).toBe('còn 2 ngày 2 giờ');
    const metLate = clock('x', 'late', '2020-06-17T23:00:00+07:00', '2020-06-17T23:10:00+07:00');
    expect(clockLeft(metLate, now)).toBe('trễ 10 phút');
    expect(clockStateText(metLate)).toBe('Đã đáp ứng, trễ hạn');
    expect(clockStateText(clock('x', 'late', '2020-06-17T23:00:00+07:00'))).toBe('Quá hạn');
    expect(clockLeft(clock('x', 'met', '2020-06-17T23:00:00+07:00', '2020-06-17T22:50:00+07:00'), now)).toBe('');
    expect(fmtSpan(59_000)).toBe('0 phút');
    expect(fmtSpan(3 * 86_400_000)).toBe('3 ngày');
  });

  it('reads the class from the latest classification that gave one', () => {
    const ev = (type: string, data: unknown) => ({ id: 'e', type, data, author: 'u', author_name: 'A', at: '' }) as Event;
    expect(caseClassOf([ev('created', {})])).toBeNull();
    expect(caseClassOf([ev('classified', { class: 'admin_violation' }), ev('classified', { class: 'crime_transfer' }), ev('classified', { urgency: 'urgent' })])).toBe('crime_transfer');
  });
});

describe('the outcome a class closes with', () => {
  it('offers the usual outcome first, and sanctions only where they apply', () => {
    expect(defaultOutcome('crime_transfer')).toBe('transferred');
    expect(defaultOutcome('other_agency')).toBe('transferred');
    expect(defaultOutcome('civil_dispute')).toBe('mediated');
    expect(defaultOutcome('crime_commune')).toBe('resolved_other');
    expect(defaultOutcome('admin_violation')).toBe('sanctioned');
    expect(defaultOutcome(null)).toBe('sanctioned');
    expect(sanctionsApply('admin_violation')).toBe(true);
    expect(sanctionsApply(null)).toBe(true);
    expect(sanctionsApply('crime_commune')).toBe(false);
    expect(sanctionsApply('crime_transfer')).toBe(false);
  });
});
