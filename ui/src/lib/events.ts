// How each journal event reads in the timeline. Event types are the core's strings.
import type { Event } from './bindings/Event';
import { L } from './i18n.svelte';
import { fmtDate, fmtDateTime, fmtMoney } from './format';

type Data = Record<string, unknown>;

/** Code lists of the vocabulary an event's detail names (the UI keeps no copy of them). */
export type EventLists = 'case_classes' | 'prosecution_decisions' | 'resolution_steps' | 'notice_to';

/** How names are looked up for the journal; `person` and `label` fall back to the code. */
export interface EventNames {
  user: (id: string) => string;
  outcome: (t: string) => string;
  person?: (id: string) => string;
  label?: (list: EventLists, code: string) => string;
}

const TITLES: Record<string, [string, string]> = {
  created: ['Tiếp nhận, vào sổ', 'Registered'],
  imported: ['Nhập từ dữ liệu cũ', 'Imported'],
  assigned: ['Phân công cán bộ', 'Assigned'],
  verification_started: ['Bắt đầu xác minh', 'Verification started'],
  note: ['Ghi chú', 'Note'],
  step: ['Bước xác minh, biện pháp đã làm', 'Verification step / action'],
  classified: ['Phân loại', 'Classified'],
  outcome_recorded: ['Ghi nhận kết quả giải quyết', 'Outcome recorded'],
  merged: ['Gộp vào vụ việc khác', 'Merged into another case'],
  reopened: ['Mở lại', 'Reopened'],
  reviewed_returned: ['Cấp tỉnh trả lại', 'Returned by the province'],
  reviewed_approved: ['Cấp tỉnh phê duyệt', 'Approved by the province'],
  prosecution_decision: ['Quyết định của Cơ quan điều tra', 'Investigation agency decision'],
  conflict_resolved: ['Xử lý xung đột dữ liệu', 'Conflict resolved'],
  person_added: ['Thêm người liên quan', 'Person added'],
  attachment_added: ['Đính kèm tệp', 'Attachment added'],
};

// The clocks' events (issue 14).
const CLOCK_TITLES: Record<string, [string, string]> = {
  investigator_assigned: ['Phân công Điều tra viên ở Công an xã', 'Commune investigator assigned'],
  resolution_extended: ['Gia hạn giải quyết nguồn tin', 'Resolution limit extended'],
  notice_sent: ['Gửi thông báo tiếp nhận', 'Notice of receipt sent'],
  urgent_reported: ['Đã báo cáo khẩn lên cấp trên', 'Urgent report made to the higher level'],
  violation_found: ['Phát hiện vi phạm hành chính', 'Administrative violation found'],
  violation_recorded: ['Lập biên bản vi phạm hành chính', 'Administrative violation record'],
  sanction_decided: ['Quyết định xử phạt vi phạm hành chính', 'Administrative sanction decided'],
  decision_extended: ['Gia hạn thời hạn ra quyết định xử phạt', 'Sanction decision limit extended'],
};

export function eventTitle(e: Event, names?: Pick<EventNames, 'label'>): string {
  // A decision reads as itself: "Quyết định khởi tố vụ án", "… phục hồi …".
  const decision = e.type === 'prosecution_decision' ? (e.data as Data | null)?.decision : undefined;
  if (typeof decision === 'string' && names?.label) return names.label('prosecution_decisions', decision);
  const t = TITLES[e.type] ?? CLOCK_TITLES[e.type];
  return t ? L(t[0], t[1]) : e.type;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** The event's details as plain text (rendered as text, never as HTML). */
export function eventDetail(e: Event, names: EventNames): string {
  const d = (e.data ?? {}) as Data;
  switch (e.type) {
    case 'created':
      return `${L('Số thụ lý', 'No.')} ${str(d.register_no)}${d.number_outside_lease ? L(' (số dự phòng: máy đã hết số được cấp khi làm việc ngoại tuyến)', ' (fallback number: the PC had run out of leased numbers offline)') : ''}${d.anonymous ? L(' · người báo tin ẩn danh', ' · anonymous reporter') : ''}`;
    case 'assigned':
      return names.user(str(d.user));
    case 'verification_started':
      return str(d.note);
    case 'note':
      return str(d.text);
    case 'step':
      // The real time the officer entered; the save time is the line's own time.
      return typeof d.occurred_utc === 'number' ? `${str(d.text)}\n${L('Thực hiện lúc', 'Done at')} ${fmtDateTime(d.occurred_utc)}` : str(d.text);
    case 'outcome_recorded': {
      const o = (d.outcome ?? {}) as Data;
      const head = names.outcome(str(o.type));
      if (o.type === 'sanctioned')
        return `${head}: ${L('biên bản', 'record')} ${str(o.record_no)}, ${L('quyết định', 'decision')} ${str(o.decision_no)}, ${L('tổng tiền phạt', 'total fines')} ${fmtMoney(Number(o.fine_vnd ?? 0))}, ${L('người ra quyết định', 'by')} ${str(o.decided_by)}${o.note ? ` — ${str(o.note)}` : ''}`;
      if (o.type === 'transferred') {
        const docs = Array.isArray(o.documents) ? o.documents.map(str).filter(Boolean) : [];
        const sent = docs.length ? `\n${L('Kèm theo', 'Sent with it')}: ${docs.map((x, i) => `${i + 1}. ${x}`).join('; ')}` : '';
        return `${head}: ${str(o.to_agency)}${o.note ? ` — ${str(o.note)}` : ''}${sent}`;
      }
      if (o.type === 'unfounded') return `${head}: ${str(o.reason)}`;
      return `${head}: ${str(o.note)}`;
    }
    case 'reopened':
      return str(d.reason);
    case 'reviewed_returned':
    case 'reviewed_approved':
      return str(d.comment);
    case 'prosecution_decision':
      return [
        `${L('Số', 'No.')} ${str(d.number)}${d.date ? ` ${L('ngày', 'of')} ${fmtDate(str(d.date))}` : ''}`,
        str(d.issuing_body),
        d.signatory ? `${L('người ký', 'signed by')} ${str(d.signatory)}` : '',
      ].filter(Boolean).join(' — ');
    case 'conflict_resolved':
      return str(d.note);
    case 'person_added':
      return str(d.name);
    case 'attachment_added':
      return str(d.file_name);
    case 'classified': {
      const cls = d.class ? lbl(names, 'case_classes', str(d.class)) : '';
      const head = [cls, d.agency ? `${L('cơ quan có thẩm quyền', 'competent agency')}: ${str(d.agency)}` : ''].filter(Boolean).join(' — ');
      const also = [d.kind, d.category, d.urgency].filter(Boolean).map(str).join(', ');
      return [head, also].filter(Boolean).join('\n');
    }
    default:
      return clockEventDetail(e.type, d, names);
  }
}

const lbl = (names: EventNames, list: EventLists, code: string) => names.label?.(list, code) ?? code;
const when = (v: unknown) => (typeof v === 'number' ? fmtDateTime(v) : '');

/** The clocks' events (issue 14); unknown fields are skipped, never shown as "undefined". */
function clockEventDetail(type: string, d: Data, names: EventNames): string {
  const person = (id: unknown) => (names.person ? names.person(str(id)) : str(id));
  switch (type) {
    case 'investigator_assigned':
      return names.user(str(d.user));
    case 'resolution_extended':
      return `${lbl(names, 'resolution_steps', str(d.step))} — ${L('quyết định số', 'decision no.')} ${str(d.number)}${d.date ? ` ${L('ngày', 'of')} ${fmtDate(str(d.date))}` : ''}`;
    case 'notice_sent':
      return `${L('Gửi', 'To')} ${lbl(names, 'notice_to', str(d.to))} — ${L('số', 'no.')} ${str(d.number)}${d.date ? ` ${L('ngày', 'of')} ${fmtDate(str(d.date))}` : ''}`;
    case 'urgent_reported':
      return [
        d.to ? `${L('Báo cáo', 'Reported to')} ${str(d.to)}` : '',
        d.how ? `${L('qua', 'by')} ${str(d.how)}` : '',
        d.at_utc !== undefined ? `${L('lúc', 'at')} ${when(d.at_utc)}` : '',
      ].filter(Boolean).join(' ');
    case 'violation_found':
      return `${L('Phát hiện lúc', 'Found at')} ${when(d.at_utc)}${d.complex ? ` · ${L('phức tạp', 'complex')}` : ''}`;
    case 'violation_recorded': {
      const who = Array.isArray(d.persons) ? d.persons.map(person).join(', ') : '';
      return [
        `${L('Biên bản số', 'Record no.')} ${str(d.record_no)}, ${L('lập lúc', 'at')} ${when(d.at_utc)}${d.complex ? ` · ${L('phức tạp', 'complex')}` : ''}`,
        who ? `${L('Người vi phạm', 'Violators')}: ${who}` : '',
      ].filter(Boolean).join('\n');
    }
    case 'sanction_decided': {
      const form = d.form === 'fine' ? `${L('phạt tiền', 'fine')}${d.fine_vnd !== undefined && d.fine_vnd !== null ? ` ${fmtMoney(Number(d.fine_vnd))}` : ''}` : d.form === 'warning' ? L('cảnh cáo', 'warning') : str(d.form);
      const decider = [str(d.decider_name ?? d.decided_by), str(d.decider_title)].filter(Boolean).join(', ');
      const no = str(d.decision_no ?? d.number);
      const on = str(d.decided_on ?? d.date);
      return [
        d.person ? person(d.person) : '',
        form,
        no ? `${L('QĐ số', 'decision')} ${no}${on ? ` ${L('ngày', 'of')} ${/^\d{4}-\d{2}-\d{2}$/.test(on) ? fmtDate(on) : on}` : ''}` : '',
        decider ? `${L('người quyết định', 'by')} ${decider}` : '',
      ].filter(Boolean).join(' — ');
    }
    case 'decision_extended':
      return `+${str(d.days ?? 30)} ${L('ngày', 'days')}${d.reason ? ` — ${str(d.reason)}` : ''}`;
    default:
      return '';
  }
}
