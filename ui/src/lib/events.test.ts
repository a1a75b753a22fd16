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
    expect(eventDetail(w, names)).toContain('cảnh cáo — QĐ số 01/QĐ ngày 05/10/2022 — người quyết định Nguyễn Văn Trưởng');
    const f = ev('sanction_decided', { person: 'p2', form: 'fine', fine_vnd: 4000000, decision_no: '02/QĐ', decided_on: '2022-10-05', decider_name: 'Nguyễn Văn Trưởng' });
    expect(eventDetail(f, names)).toContain('phạt tiền 4.000.000 đ');
  });
  it('lists what a transfer sent with the report, and reads an older transfer without the list', () => {
    const outcome = { type: 'transferred', to_agency: 'CQĐT Công an tỉnh', note: null, documents: ['Biên bản tiếp nhận', '12 hung khí'] };
    expect(eventDetail(ev('outcome_recorded', { from: 'verifying', outcome }), names)).toBe(
      'transferred: CQĐT Công an tỉnh\nKèm theo: 1. Biên bản tiếp nhận; 2. 12 hung khí',
    );
    const older = { type: 'transferred', to_agency: 'CQĐT', note: 'gấp' };
    expect(eventDetail(ev('outcome_recorded', { from: 'verifying', outcome: older }), names)).toBe('transferred: CQĐT — gấp');
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

describe('the clocks’ events', () => {
  const labels: Record<string, string> = {
    crime_transfer: 'Dấu hiệu tội phạm – chuyển CQĐT',
    other_agency: 'Việc của cơ quan khác',
    khoi_to: 'Quyết định khởi tố vụ án',
    phuc_hoi: 'Quyết định phục hồi giải quyết nguồn tin',
    two_months: 'Gia hạn đến 02 tháng',
    vks: 'Viện kiểm sát',
    reporter: 'Người báo tin',
  };
  const full = { ...names, person: (id: string) => (id === 'p1' ? 'Y Bim' : id === 'p2' ? 'H Lan' : id), label: (_: string, code: string) => labels[code] ?? code };
  // 17/06/2020 23:10 in Vietnam.
  const t2310 = Date.UTC(2020, 5, 17, 16, 10) / 1000;

  it('names the class of a classification, and the agency of another agency’s matter', () => {
    const e = ev('classified', { class: 'crime_transfer', kind: null, category: null, urgency: null });
    expect(eventTitle(e)).toBe('Phân loại');
    expect(eventDetail(e, full)).toBe('Dấu hiệu tội phạm – chuyển CQĐT');
    expect(eventDetail(ev('classified', { class: 'other_agency', agency: 'Ban CHQS xã' }), full)).toBe('Việc của cơ quan khác — cơ quan có thẩm quyền: Ban CHQS xã');
    // An older reclassification without a class still reads.
    expect(eventDetail(ev('classified', { kind: 'to_giac', category: null, urgency: 'emergency' }), full)).toBe('to_giac, emergency');
  });

  it('shows a step’s real time beside its save time', () => {
    expect(eventDetail(ev('step', { text: 'Có mặt tại hiện trường', occurred_utc: t2310 }), full)).toBe('Có mặt tại hiện trường\nThực hiện lúc 17/06/2020 23:10');
    expect(eventDetail(ev('step', { text: 'Không có giờ' }), full)).toBe('Không có giờ');
  });

  it('titles a decision by what it decides, phục hồi included', () => {
    const e = ev('prosecution_decision', { from: 'suspended', decision: 'phuc_hoi', number: '07/QĐ', date: '2020-07-01', issuing_body: 'Cơ quan CSĐT Công an tỉnh', signatory: 'Trần Văn B' });
    expect(eventTitle(e, full)).toBe('Quyết định phục hồi giải quyết nguồn tin');
    expect(eventTitle(e)).toBe('Quyết định của Cơ quan điều tra');
    expect(eventDetail(e, full)).toBe('Số 07/QĐ ngày 01/07/2020 — Cơ quan CSĐT Công an tỉnh — người ký Trần Văn B');
  });

  it('writes every new event with its numbers, dates and names', () => {
    const cases: [string, unknown, string, string][] = [
      ['investigator_assigned', { user: 'u2' }, 'Phân công Điều tra viên ở Công an xã', 'Lê Thị Hà'],
      ['resolution_extended', { step: 'two_months', number: '12/QĐ-GH', date: '2020-07-05' }, 'Gia hạn giải quyết nguồn tin', 'Gia hạn đến 02 tháng — quyết định số 12/QĐ-GH ngày 05/07/2020'],
      ['notice_sent', { to: 'vks', number: '15/TB', date: '2020-06-18' }, 'Gửi thông báo tiếp nhận', 'Gửi Viện kiểm sát — số 15/TB ngày 18/06/2020'],
      ['urgent_reported', { to: 'Trực ban Công an tỉnh', how: 'Điện thoại', at_utc: t2310 }, 'Đã báo cáo khẩn lên cấp trên', 'Báo cáo Trực ban Công an tỉnh qua Điện thoại lúc 17/06/2020 23:10'],
      ['violation_found', { at_utc: t2310, complex: true }, 'Phát hiện vi phạm hành chính', 'Phát hiện lúc 17/06/2020 23:10 · phức tạp'],
      ['violation_recorded', { record_no: '03/BB', at_utc: t2310, complex: false, persons: ['p1', 'p2'] }, 'Lập biên bản vi phạm hành chính', 'Biên bản số 03/BB, lập lúc 17/06/2020 23:10\nNgười vi phạm: Y Bim, H Lan'],
      ['decision_extended', { reason: 'Cần giám định', days: 30 }, 'Gia hạn thời hạn ra quyết định xử phạt', '+30 ngày — Cần giám định'],
      ['sanction_decided', { person: 'p1', form: 'fine', fine_vnd: 4000000, decider_name: 'Nguyễn Văn Trường', decider_title: 'Trưởng Công an xã', decision_no: '05/QĐ-XPHC', decided_on: '2020-06-20' }, 'Quyết định xử phạt vi phạm hành chính', 'Y Bim — phạt tiền 4.000.000 đ — QĐ số 05/QĐ-XPHC ngày 20/06/2020 — người quyết định Nguyễn Văn Trường, Trưởng Công an xã'],
    ];
    for (const [type, data, title, detail] of cases) {
      expect(eventTitle(ev(type, data)), type).toBe(title);
      expect(eventDetail(ev(type, data), full), type).toBe(detail);
    }
  });

  it('renders a sanction or a violation with missing fields without "undefined"', () => {
    expect(eventDetail(ev('sanction_decided', { person: 'p2', form: 'warning' }), full)).toBe('H Lan — cảnh cáo');
    expect(eventDetail(ev('sanction_decided', {}), names)).toBe('');
    expect(eventDetail(ev('violation_recorded', { record_no: '1' }), names)).not.toMatch(/undefined/);
    expect(eventDetail(ev('urgent_reported', null), names)).toBe('');
  });
});
