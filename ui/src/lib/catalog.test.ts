import { describe, expect, it } from 'vitest';
import { capLines, cutoffInForce, conflictTitle, inForce, isoDmy, refValueText, ruleAmount, sinceText, todayVn, remoteEntries, transferLimit, upcoming, weekdayVi } from './catalog';
import type { ReferenceVersion } from './bindings/ReferenceVersion';

describe('catalog', () => {
  it('says a rule with the remote communes’ amount', () => {
    expect(ruleAmount({ amount: 24, unit: 'hours', remote_amount: 48 })).toBe('24 giờ (xã vùng sâu, vùng xa: 48 giờ)');
    expect(ruleAmount({ amount: 3, unit: 'working_days', remote_amount: null })).toBe('3 ngày làm việc');
  });
  it('says the transfer limit of the rule in force, remote or not', () => {
    const r = { amount: 36, unit: 'hours', remote_amount: 72 };
    expect(transferLimit(r, false)).toBe('36 giờ');
    expect(transferLimit(r, true)).toBe('72 giờ');
    expect(transferLimit({ amount: 24, unit: 'hours', remote_amount: null }, true)).toBe('24 giờ');
    expect(transferLimit(undefined, true)).toBe('48 giờ');
  });
  it('names the weekday of a calendar date', () => {
    expect(weekdayVi('2026-01-10')).toBe('T7');
    expect(weekdayVi('2026-02-17')).toBe('T3');
    expect(weekdayVi('bad')).toBe('');
  });
});

describe('reference versions', () => {
  const v = (key: string, from: string, over: Partial<ReferenceVersion> = {}): ReferenceVersion => ({
    id: `${key}-${from}`,
    set_name: 'deadline_rule',
    key,
    effective_from: from,
    value: { amount: 36, unit: 'hours', remote_amount: 48, basis: 'b' },
    retired: false,
    in_force: false,
    upcoming: false,
    conflict: false,
    ...over,
  });
  const refs = [
    v('crime_transfer', '2026-01-01'),
    v('crime_transfer', '2026-07-01', { in_force: true }),
    v('crime_transfer', '2027-01-01', { upcoming: true }),
    v('crime_transfer', '2026-09-01', { upcoming: true }),
  ];
  it('finds the version in force and says since when', () => {
    const f = inForce(refs, 'deadline_rule', 'crime_transfer');
    expect(f?.effective_from).toBe('2026-07-01');
    expect(sinceText(f!)).toBe('Áp dụng từ 01/07/2026 — do Công an tỉnh ban hành');
    expect(inForce(refs, 'deadline_rule', 'admin_record')).toBeUndefined();
    expect(upcoming(refs, 'deadline_rule', 'crime_transfer').map((x) => x.effective_from)).toEqual(['2026-09-01', '2027-01-01']);
  });
  it('reads dates as calendar dates in Vietnam', () => {
    expect(isoDmy('2026-07-01')).toBe('01/07/2026');
    expect(isoDmy('bad')).toBe('bad');
    // 30 June 20:00 UTC is already 1 July in Vietnam.
    expect(todayVn(Date.UTC(2026, 5, 30, 20, 0))).toBe('2026-07-01');
  });
  it('says a conflict and its values in words', () => {
    expect(conflictTitle({ set_name: 'deadline_rule', key: 'crime_transfer', effective_from: '2026-07-01' })).toBe(
      'Thời hạn crime_transfer, áp dụng từ 01/07/2026',
    );
    expect(conflictTitle({ set_name: 'holiday', key: '2026-09-02', effective_from: '2026-01-01' })).toBe('Ngày nghỉ 02/09/2026, áp dụng từ 01/01/2026');
    expect(refValueText('deadline_rule', { amount: 36, unit: 'hours', remote_amount: 48 })).toBe('36 giờ (xã vùng sâu, vùng xa: 48 giờ)');
    expect(refValueText('holiday', { name: 'Làm bù', kind: 'workday' })).toBe('Làm bù (làm bù)');
    expect(refValueText('retired', false)).toBe('false');
  });
});

describe('remote communes', () => {
  const v = (key: string, from: string, remote: boolean, state: 'in_force' | 'upcoming' | 'past'): ReferenceVersion => ({
    id: `${key}-${from}`,
    set_name: 'remote_station',
    key,
    effective_from: from,
    value: { remote, basis: 'QĐ 861/QĐ-TTg' },
    retired: false,
    in_force: state === 'in_force',
    upcoming: state === 'upcoming',
    conflict: false,
  });
  it('lists remote communes in force first, with their later versions', () => {
    const rows = remoteEntries([
      v('01843', '2026-01-01', false, 'in_force'),
      v('02000', '2025-07-01', true, 'past'),
      v('02000', '2026-01-01', true, 'in_force'),
      v('02000', '2027-01-01', false, 'upcoming'),
      v('03000', '2027-01-01', true, 'upcoming'),
    ]);
    expect(rows.map((r) => [r.code, r.remote])).toEqual([
      ['02000', true],
      ['01843', false],
      ['03000', false],
    ]);
    expect(rows[0].current?.effective_from).toBe('2026-01-01');
    expect(rows[0].later.map((x) => x.effective_from)).toEqual(['2027-01-01']);
    expect(rows[2].current).toBeUndefined();
  });
});


describe('fine caps and the cut-off day', () => {
  const cap = (title: string, sector: string, from: string, cap_vnd: number) => ({
    title,
    title_vi: title === 'officer_on_duty' ? 'Chiến sĩ' : 'Trưởng Công an cấp xã',
    sector,
    sector_vi: sector === 'road_traffic' ? 'Giao thông đường bộ' : 'An ninh, trật tự',
    sector_max_vnd: 40_000_000,
    percent: 0,
    cap_vnd,
    effective_from: from,
    basis: 'b',
  });
  it('says each title’s cap in force today and the later ones', () => {
    const lines = capLines(
      [
        cap('commune_police_chief', 'road_traffic', '2027-01-01', 10_000_000),
        cap('commune_police_chief', 'road_traffic', '2022-01-01', 4_000_000),
        cap('commune_police_chief', 'road_traffic', '2025-07-01', 20_000_000),
        cap('officer_on_duty', 'security_order', '2025-07-01', 4_000_000),
      ],
      '2026-12-06',
    );
    expect(lines.map((l) => [l.title, l.current?.cap_vnd, l.later.map((x) => x.cap_vnd)])).toEqual([
      ['commune_police_chief', 20_000_000, [10_000_000]],
      ['officer_on_duty', 4_000_000, []],
    ]);
  });
  it('takes the province’s cut-off day, else the 15th', () => {
    expect(cutoffInForce([])).toEqual({ day: 15, since: null });
    const v = { id: 'x', set_name: 'cutoff_day', key: 'default', effective_from: '2026-01-01', value: { day: 20 }, retired: false, in_force: true, upcoming: false, conflict: false };
    expect(cutoffInForce([v])).toEqual({ day: 20, since: '2026-01-01' });
  });
});
