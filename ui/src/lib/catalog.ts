// Reference data as officers read it: a rule's limit in words, a date's weekday.
import type { DeadlineRule } from './bindings/DeadlineRule';
import type { ReferenceVersion } from './bindings/ReferenceVersion';
import type { ReferenceConflict } from './bindings/ReferenceConflict';
import type { FineCap } from './bindings/FineCap';

const UNIT: Record<string, string> = { minutes: 'phút', hours: 'giờ', days: 'ngày', working_days: 'ngày làm việc' };

/** `24 giờ (xã vùng sâu, vùng xa: 48 giờ)`. */
export function ruleAmount(r: Pick<DeadlineRule, 'amount' | 'unit' | 'remote_amount'>): string {
  const unit = UNIT[r.unit] ?? r.unit;
  const base = `${r.amount} ${unit}`;
  return r.remote_amount != null && r.remote_amount !== r.amount ? `${base} (xã vùng sâu, vùng xa: ${r.remote_amount} ${unit})` : base;
}

/** The time to transfer a crime report under `rule` (`crime_transfer`), remote or not: `48 giờ`. */
export function transferLimit(rule: Pick<DeadlineRule, 'amount' | 'unit' | 'remote_amount'> | undefined, remote: boolean): string {
  if (!rule) return remote ? '48 giờ' : '24 giờ';
  const n = remote ? (rule.remote_amount ?? rule.amount) : rule.amount;
  return `${n} ${UNIT[rule.unit] ?? rule.unit}`;
}

const DAYS = ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'];

/** `2026-01-10` → `T7` (Saturday), read as a calendar date whatever the PC's time zone. */
export function weekdayVi(isoDate: string): string {
  const m = isoDate.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (!m) return '';
  return DAYS[new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay()];
}

// The province's reference versions (`api.reference`): which one applies and since when.

/** `2026-07-01` → `01/07/2026`, as a calendar date whatever the PC's time zone. */
export function isoDmy(iso: string): string {
  const m = iso.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** Today's date in Vietnam, `YYYY-MM-DD`. */
export function todayVn(nowMs: number = Date.now()): string {
  return new Date(nowMs + 7 * 3600_000).toISOString().slice(0, 10);
}

/** The version of an entry in force today, if the province issued one. */
export function inForce(refs: ReferenceVersion[], set: string, key: string): ReferenceVersion | undefined {
  return refs.find((v) => v.set_name === set && v.key === key && v.in_force);
}

/** The versions of an entry that take effect later, soonest first. */
export function upcoming(refs: ReferenceVersion[], set: string, key: string): ReferenceVersion[] {
  return refs
    .filter((v) => v.set_name === set && v.key === key && v.upcoming)
    .sort((a, b) => a.effective_from.localeCompare(b.effective_from));
}

/** `Áp dụng từ 01/07/2026 — do Công an tỉnh ban hành`. */
export function sinceText(v: Pick<ReferenceVersion, 'effective_from'>): string {
  return `Áp dụng từ ${isoDmy(v.effective_from)} — do Công an tỉnh ban hành`;
}

type Value = ReferenceVersion['value'];

/** A version's content in words: a rule's limit, a day's name, a category's label. */
export function refValueText(set: string, value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? '' : String(value);
  const v = value as Value;
  switch (set) {
    case 'deadline_rule':
      return ruleAmount({
        amount: Number(v.amount ?? 0),
        unit: String(v.unit ?? ''),
        remote_amount: v.remote_amount == null ? null : Number(v.remote_amount),
      });
    case 'holiday':
      return `${String(v.name ?? '')}${v.kind === 'workday' ? ' (làm bù)' : ''}`;
    case 'category':
      return String(v.label_vi ?? '');
    case 'cutoff_day':
      return `ngày ${String(v.day ?? '')}`;
    case 'fine_cap':
      return `${Number(v.amount_vnd ?? 0).toLocaleString('vi-VN')} đ`;
    case 'remote_station':
      return v.remote === true ? 'vùng sâu, vùng xa' : 'không thuộc vùng sâu, vùng xa';
    default:
      return JSON.stringify(v);
  }
}

const SET_VI: Record<string, string> = {
  deadline_rule: 'Thời hạn',
  holiday: 'Ngày nghỉ',
  category: 'Loại vụ việc',
  cutoff_day: 'Ngày chốt số liệu',
  fine_cap: 'Mức phạt tối đa',
  remote_station: 'Xã vùng sâu, vùng xa',
  answer_template: 'Mẫu trả lời',
};

/** `Thời hạn crime_transfer, áp dụng từ 01/07/2026`. */
export function conflictTitle(c: Pick<ReferenceConflict, 'set_name' | 'key' | 'effective_from'>): string {
  const key = c.set_name === 'holiday' ? isoDmy(c.key) : c.key;
  return `${SET_VI[c.set_name] ?? c.set_name} ${key}, áp dụng từ ${isoDmy(c.effective_from)}`;
}

/** One commune the province has ruled on: its version in force (if any) and the later ones. */
export type RemoteEntry = { code: string; current: ReferenceVersion | undefined; later: ReferenceVersion[]; remote: boolean };

/**
 * The communes of the province's `remote_station` versions, remote ones in force first, then
 * by code. A commune whose only versions are later ones is listed with `current` undefined.
 */
export function remoteEntries(refs: ReferenceVersion[]): RemoteEntry[] {
  const codes = [...new Set(refs.filter((v) => v.set_name === 'remote_station').map((v) => v.key))];
  return codes
    .map((code) => {
      const current = inForce(refs, 'remote_station', code);
      return { code, current, later: upcoming(refs, 'remote_station', code), remote: !!current && !current.retired && current.value.remote === true };
    })
    .sort((a, b) => Number(b.remote) - Number(a.remote) || a.code.localeCompare(b.code));
}

/** A title's cap in one sector: the row in force on `today` and the later ones. */
export type CapLine = { title: string; title_vi: string; sector: string; sector_vi: string; current: FineCap | undefined; later: FineCap[] };

/** The dated caps (`api.fineCaps`) as one line per title and sector, by title then sector. */
export function capLines(caps: FineCap[], today: string): CapLine[] {
  const lines = new Map<string, CapLine>();
  for (const c of [...caps].sort((a, b) => a.effective_from.localeCompare(b.effective_from))) {
    const k = `${c.title}/${c.sector}`;
    const line = lines.get(k) ?? { title: c.title, title_vi: c.title_vi, sector: c.sector, sector_vi: c.sector_vi, current: undefined, later: [] };
    if (c.effective_from <= today) line.current = c;
    else line.later.push(c);
    line.title_vi = c.title_vi;
    lines.set(k, line);
  }
  return [...lines.values()].sort((a, b) => a.title.localeCompare(b.title) || a.sector_vi.localeCompare(b.sector_vi, 'vi'));
}

/** The statistics cut-off day in force: the province's version, else the default 15th. */
export function cutoffInForce(refs: ReferenceVersion[]): { day: number; since: string | null } {
  const v = inForce(refs, 'cutoff_day', 'default');
  const day = Number(v?.value.day);
  return v && !v.retired && Number.isInteger(day) ? { day, since: v.effective_from } : { day: 15, since: null };
}
