// Vietnamese formats: dates dd/MM/yyyy HH:mm in Vietnam time, money 8.000.000 đ.
const VN_OFFSET_MIN = 7 * 60;

function vnParts(d: Date) {
  const t = new Date(d.getTime() + VN_OFFSET_MIN * 60_000);
  return {
    y: t.getUTCFullYear(),
    mo: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    h: t.getUTCHours(),
    mi: t.getUTCMinutes(),
  };
}
const p2 = (n: number) => String(n).padStart(2, '0');

/** `dd/MM/yyyy HH:mm`, Vietnam time, from an RFC 3339 string, a Date or unix seconds. */
export function fmtDateTime(v: string | Date | number | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const p = vnParts(d);
  return `${p2(p.d)}/${p2(p.mo)}/${p.y} ${p2(p.h)}:${p2(p.mi)}`;
}

export function fmtDate(v: string | Date | number | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const p = vnParts(d);
  return `${p2(p.d)}/${p2(p.mo)}/${p.y}`;
}

function toDate(v: string | Date | number | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = typeof v === 'number' ? new Date(v * 1000) : v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 8000000 → `8.000.000 đ`. */
export function fmtMoney(vnd: number | bigint | null | undefined): string {
  if (vnd === null || vnd === undefined) return '';
  return `${fmtInt(vnd)} đ`;
}

/** Thousands grouped with dots, as Vietnamese documents write them. */
export function fmtInt(n: number | bigint): string {
  const neg = n < 0;
  const s = String(neg ? -n : n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return neg ? `-${s}` : s;
}

/** Reads `8.000.000`, `8 000 000 đ`, `8tr`, `8 triệu`, `500k` as a whole number of đồng. */
export function parseMoney(s: string): number | null {
  const t = s.trim().toLowerCase().replace(/đ|vnd|đồng|dong/g, '').trim();
  if (!t) return null;
  const m = t.match(/^([\d.,\s]+?)\s*(tr|triệu|trieu|k|nghìn|nghin|ngàn|ngan)?$/);
  if (!m) return null;
  const unit = m[2];
  if (unit) {
    const num = Number(m[1].replace(/\s/g, '').replace(',', '.'));
    if (!Number.isFinite(num)) return null;
    const mult = unit.startsWith('tr') ? 1_000_000 : 1_000;
    return Math.round(num * mult);
  }
  const digits = m[1].replace(/[.,\s]/g, '');
  if (!/^\d+$/.test(digits)) return null;
  return Number(digits);
}

/** A `datetime-local` value (Vietnam wall time) to RFC 3339 with +07:00. */
export function localInputToRfc3339(v: string): string | null {
  const m = v.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+07:00`;
}

/** Now, or a Date, as a `datetime-local` value in Vietnam wall time. */
export function toLocalInput(d: Date = new Date()): string {
  const p = vnParts(d);
  return `${p.y}-${p2(p.mo)}-${p2(p.d)}T${p2(p.h)}:${p2(p.mi)}`;
}

/** Today's date in Vietnam as yyyy-MM-dd. */
export function vnToday(d: Date = new Date()): string {
  const p = vnParts(d);
  return `${p.y}-${p2(p.mo)}-${p2(p.d)}`;
}
