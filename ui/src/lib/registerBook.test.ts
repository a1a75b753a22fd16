import { describe, expect, it } from 'vitest';
import { gapText } from './registerBook';
import type { Gap } from './bindings/Gap';

const d = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const gap = (g: Partial<Gap>): Gap => ({ reason: 'unknown', device_name: null, at_ms: null, by_seq: null, ...g });

describe('the printed register explains every number not used', () => {
  it('names the PC and the day of a lease not used and of a hand-back', () => {
    expect(gapText(gap({ reason: 'leased', device_name: 'Máy trực ban 2', at_ms: 0 }), d)).toBe(
      'cấp cho máy “Máy trực ban 2” ngày 1970-01-01, chưa dùng',
    );
    expect(gapText(gap({ reason: 'returned', device_name: 'Máy 1', at_ms: 0 }), d)).toContain('đã trả lại ngày 1970-01-01');
  });

  it('says which fallback number an offline PC jumped to', () => {
    const t = gapText(gap({ reason: 'skipped', device_name: 'Máy 2', by_seq: 31 }), d);
    expect(t).toContain('ngoại tuyến');
    expect(t).toContain('Máy 2');
    expect(t).toContain('31');
  });

  it('has a sentence for every reason', () => {
    for (const reason of ['leased', 'returned', 'used_elsewhere', 'reserved', 'skipped', 'not_leased', 'unknown'] as const) {
      expect(gapText(gap({ reason }), d).length).toBeGreaterThan(10);
    }
  });
});
