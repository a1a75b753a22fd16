// How each journal event reads in the timeline. Event types are the core's strings.
import type { Event } from './bindings/Event';
import { L } from './i18n.svelte';
import { fmtMoney } from './format';

type Data = Record<string, unknown>;

const TITLES: Record<string, [string, string]> = {
  created: ['Tiếp nhận, vào sổ', 'Registered'],
  imported: ['Nhập từ dữ liệu cũ', 'Imported'],
  assigned: ['Phân công cán bộ', 'Assigned'],
  verification_started: ['Bắt đầu xác minh', 'Verification started'],
  note: ['Ghi chú', 'Note'],
  step: ['Bước xác minh, biện pháp đã làm', 'Verification step / action'],
  classified: ['Phân loại lại', 'Reclassified'],
  outcome_recorded: ['Ghi nhận kết quả giải quyết', 'Outcome recorded'],
  merged: ['Gộp vào vụ việc khác', 'Merged into another case'],
  reopened: ['Mở lại', 'Reopened'],
  reviewed_returned: ['Cấp tỉnh trả lại', 'Returned by the province'],
  reviewed_approved: ['Cấp tỉnh phê duyệt', 'Approved by the province'],
  prosecution_decision: ['Quyết định của Cơ quan điều tra', 'Investigation agency decision'],
  conflict_resolved: ['Xử lý xung đột dữ liệu', 'Conflict resolved'],
  person_added: ['Thêm người liên quan', 'Person added'],
  sanction_decided: ['Quyết định xử phạt vi phạm hành chính', 'Administrative sanction decided'],
  attachment_added: ['Đính kèm tệp', 'Attachment added'],
};

export function eventTitle(e: Event): string {
  const t = TITLES[e.type];
  return t ? L(t[0], t[1]) : e.type;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** The event's details as plain text (rendered as text, never as HTML). */
export function eventDetail(e: Event, names: { user: (id: string) => string; outcome: (t: string) => string }): string {
  const d = (e.data ?? {}) as Data;
  switch (e.type) {
    case 'created':
      return `${L('Số thụ lý', 'No.')} ${str(d.register_no)}${d.number_outside_lease ? L(' (số dự phòng: máy đã hết số được cấp khi làm việc ngoại tuyến)', ' (fallback number: the PC had run out of leased numbers offline)') : ''}${d.anonymous ? L(' · người báo tin ẩn danh', ' · anonymous reporter') : ''}`;
    case 'assigned':
      return names.user(str(d.user));
    case 'verification_started':
      return str(d.note);
    case 'note':
    case 'step':
      return str(d.text);
    case 'outcome_recorded': {
      const o = (d.outcome ?? {}) as Data;
      const head = names.outcome(str(o.type));
      if (o.type === 'sanctioned')
        return `${head}: ${L('biên bản', 'record')} ${str(o.record_no)}, ${L('quyết định', 'decision')} ${str(o.decision_no)}, ${L('tổng tiền phạt', 'total fines')} ${fmtMoney(Number(o.fine_vnd ?? 0))}, ${L('người ra quyết định', 'by')} ${str(o.decided_by)}${o.note ? ` — ${str(o.note)}` : ''}`;
      if (o.type === 'transferred') return `${head}: ${str(o.to_agency)}${o.note ? ` — ${str(o.note)}` : ''}`;
      if (o.type === 'unfounded') return `${head}: ${str(o.reason)}`;
      return `${head}: ${str(o.note)}`;
    }
    case 'reopened':
      return str(d.reason);
    case 'reviewed_returned':
    case 'reviewed_approved':
      return str(d.comment);
    case 'prosecution_decision':
      return `${str(d.decision)} ${str(d.number)} — ${str(d.issuing_body)}, ${str(d.signatory)}`;
    case 'conflict_resolved':
      return str(d.note);
    case 'person_added':
      return str(d.name);
    case 'sanction_decided':
      return `${L('QĐ số', 'decision')} ${str(d.decision_no)} (${str(d.decided_on)}): ${d.form === 'fine' ? `${L('phạt tiền', 'fine')} ${fmtMoney(Number(d.fine_vnd))}` : L('cảnh cáo', 'warning')} — ${str(d.decider_name)}`;
    case 'attachment_added':
      return str(d.file_name);
    case 'classified':
      return [d.kind, d.category, d.urgency].filter(Boolean).map(str).join(', ');
    default:
      return '';
  }
}
