import { describe, expect, it } from 'vitest';
import { eventDetail, eventTitle } from './events';
import type { Event } from './bindings/Event';

const ev = (type: string, data: unknown): Event => ({ id: 'e', type, data: data as Event['data'], author: 'u', author_name: 'A', at: '2022-10-01T08:00:00+07:00' });
const names = { user: (id: string) => (id === 'u2' ? 'Lê Thị Hà' : id), outcome: (t: string) => (t === 'sanctioned' ? 'Đã xử phạt hành chính' : t) };

describe('timeline', () => {
  it('writes a sanction with its numbers and the fine in đồng', () => {
    const e = ev('outcome_recorded', { from: 'verifying', outcome: { type: 'sanctioned', record_no: '01/BB', decision_no: '05/QĐ', fine_vnd: 8000000, decided_by: 'Trưởng CA', note: null } });
    expect(eventTitle(e)).toBe('Ghi nhận kết quả giải quyết');
    expect(eventDetail(e, names)).toBe('Đã xử phạt hành chính: biên bản 01/BB, quyết định 05/QĐ, tổng tiền phạt 8.000.000 đ, người ra quyết định Trưởng CA');
  });
  it('writes one violator’s decision: a warning, or a fine in đồng', () => {
    const w = ev('sanction_decided', { person: 'p1', form: 'warning', fine_vnd: 0, decision_no: '01/QĐ', decided_on: '2022-10-05', decider_name: 'Nguyễn Văn Trưởng' });
    expect(eventTitle(w)).toBe('Quyết định xử phạt vi phạm hành chính');
    expect(eventDetail(w, names)).toBe('QĐ số 01/QĐ (2022-10-05): cảnh cáo — Nguyễn Văn Trưởng');
    const f = ev('sanction_decided', { person: 'p2', form: 'fine', fine_vnd: 4000000, decision_no: '02/QĐ', decided_on: '2022-10-05', decider_name: 'Nguyễn Văn Trưởng' });
    expect(eventDetail(f, names)).toContain('phạt tiền 4.000.000 đ');
  });
  it('names the assigned officer and keeps unknown event types readable', () => {
    expect(eventDetail(ev('assigned', { user: 'u2' }), names)).toBe('Lê Thị Hà');
    expect(eventTitle(ev('something_new', {}))).toBe('something_new');
  });
  it('says when a register number was taken outside a lease', () => {
    expect(eventDetail(ev('created', { register_no: '31/2026', number_outside_lease: true }), names)).toContain('số dự phòng');
    expect(eventDetail(ev('created', { register_no: '3/2026' }), names)).toBe('Số thụ lý 3/2026');
  });
});
