import { describe, expect, it } from 'vitest';
import { capInForce, choices, decisionsByPerson, fineLimit, guardiansOf, todayVn } from './sanctions';
import type { FineCap } from './bindings/FineCap';
import type { Person } from './bindings/Person';
import type { Event } from './bindings/Event';

const cap = (title: string, from: string, cap_vnd: number): FineCap => ({
  title, title_vi: title === 'commune_police_chief' ? 'Trưởng Công an cấp xã' : 'Chiến sĩ', sector: 'road_traffic', sector_vi: 'Giao thông đường bộ',
  sector_max_vnd: 40_000_000, percent: 10, cap_vnd, effective_from: from, basis: 'Điều 8 Nghị định 189/2025/NĐ-CP',
});
const caps = [cap('commune_police_chief', '2022-01-01', 4_000_000), cap('commune_police_chief', '2025-07-01', 20_000_000), cap('officer_on_duty', '2025-07-01', 4_000_000)];
const person = (id: string, role: Person['role'], guardian_of: string | null = null): Person => ({
  id, role, name: id, birth_year: null, id_number: null, phone: null, address: null, birth_date: null, guardian_of, age_at_violation: null, minor: null, age_warning: null,
});

describe('sanctions', () => {
  it('takes the cap in force on the decision date', () => {
    expect(capInForce(caps, 'commune_police_chief', 'road_traffic', '2025-06-30')?.cap_vnd).toBe(4_000_000);
    expect(capInForce(caps, 'commune_police_chief', 'road_traffic', '2025-07-01')?.cap_vnd).toBe(20_000_000);
    expect(capInForce(caps, 'commune_police_chief', 'road_traffic', '2021-12-31')).toBeNull();
    expect(capInForce(caps, 'commune_police_chief', 'security_order', '2025-07-01')).toBeNull();
  });

  it('lists titles and sectors once each', () => {
    expect(choices(caps, 'title').map((c) => c.code)).toEqual(['commune_police_chief', 'officer_on_duty']);
    expect(choices(caps, 'sector')).toEqual([{ code: 'road_traffic', label: 'Giao thông đường bộ' }]);
  });

  it('allows what each band of minors allows', () => {
    const c = caps[1];
    expect(fineLimit('under14', null, c)).toEqual({ fine: false, max: null, why: 'under14' });
    expect(fineLimit('from14_to16', 8_000_000, c).fine).toBe(false);
    expect(fineLimit('from16_to18', 8_000_000, c)).toEqual({ fine: true, max: 4_000_000, why: 'half' });
    // Half of a large adult level is still held to the title's cap.
    expect(fineLimit('from16_to18', 60_000_000, c)).toEqual({ fine: true, max: 20_000_000, why: 'cap' });
    expect(fineLimit(null, null, c)).toEqual({ fine: true, max: 20_000_000, why: 'cap' });
    expect(fineLimit(null, null, null).why).toBe('none');
  });

  it('finds decisions and linked guardians', () => {
    const ev = (type: string, data: unknown) => ({ id: type, type, data, author: 'u', author_name: 'A', at: '2025-10-01T08:00:00+07:00' }) as Event;
    const m = decisionsByPerson([ev('note', { text: 'x' }), ev('sanction_decided', { person: 'p1', form: 'warning', decision_no: '1/QĐ' })]);
    expect([...m.keys()]).toEqual(['p1']);
    const ps = [person('p1', 'suspect'), person('g1', 'guardian', 'p1'), person('g2', 'guardian', 'p2'), person('w', 'witness', 'p1')];
    expect(guardiansOf(ps, 'p1').map((p) => p.id)).toEqual(['g1']);
  });

  it('gives today in Vietnam', () => {
    expect(todayVn(new Date('2025-09-30T18:00:00Z'))).toBe('2025-10-01');
  });
});
