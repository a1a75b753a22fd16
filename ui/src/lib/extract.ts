// Proposals from a pasted Zalo/Facebook message: phone numbers, when it happened, where.
// Only proposals: the officer accepts each one with a click, nothing is filled silently.
import { fold, foldWithMap } from './fold';

export interface PhoneProposal {
  phone: string;
  raw: string;
}
export interface TimeProposal {
  /** The words as written, kept as the approximate "when" (`tối 17/6`). */
  text: string;
  /** RFC 3339 with +07:00. */
  iso: string;
  /** True when the hour came from a part of the day (sáng, tối…) or was missing. */
  approximate: boolean;
}
export interface PlaceUnit {
  code: string;
  name: string;
  province: string;
}
export interface PlaceProposal {
  kind: 'commune' | 'hamlet';
  text: string;
  code?: string;
  province?: string;
}
export interface Proposals {
  phones: PhoneProposal[];
  times: TimeProposal[];
  places: PlaceProposal[];
}

/** Vietnamese mobiles (03, 05, 07, 08, 09 + 8 digits) and landlines (02 + 9 digits), +84 or 0. */
export function findPhones(text: string): PhoneProposal[] {
  const out: PhoneProposal[] = [];
  const re = /(?<![\d])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?![\d])/g;
  for (const m of text.matchAll(re)) {
    let digits = m[0].replace(/\D/g, '');
    if (digits.startsWith('84')) digits = '0' + digits.slice(2);
    const ok = /^0[35789]\d{8}$/.test(digits) || /^02\d{9}$/.test(digits);
    if (ok && !out.some((p) => p.phone === digits)) out.push({ phone: digits, raw: m[0] });
  }
  return out;
}

// Hour a part of the day stands for when no hour is written, and how an hour is read in it.
const PARTS: Record<string, { hour: number; pm: boolean }> = {
  sang: { hour: 8, pm: false },
  trua: { hour: 12, pm: false },
  chieu: { hour: 15, pm: true },
  toi: { hour: 20, pm: true },
  dem: { hour: 23, pm: true },
  khuya: { hour: 23, pm: true },
};

const p2 = (n: number) => String(n).padStart(2, '0');

function vnDate(ref: Date): { y: number; m: number; d: number } {
  const t = new Date(ref.getTime() + 7 * 3600_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function addDays(ymd: { y: number; m: number; d: number }, n: number) {
  const t = new Date(Date.UTC(ymd.y, ymd.m - 1, ymd.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function validDate(y: number, m: number, d: number) {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * Dates and times as people write them in messages: `tối 17/6`, `22h40 ngày 17/6/2020`,
 * `lúc 21 giờ 15`, `8 giờ tối qua`, `sáng nay`, `ngày 5 tháng 3`. A date without a year that
 * would lie in the future is taken from the year before.
 */
export function findTimes(text: string, ref: Date = new Date()): TimeProposal[] {
  const norm = text.normalize('NFC');
  const { folded: f, map } = foldWithMap(norm);
  const today = vnDate(ref);
  const out: TimeProposal[] = [];

  // One pass over each date mention, looking around it for an hour and a part of the day.
  const dateRe =
    /(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?!\d)|ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?|(hom nay|hom qua|toi qua|dem qua|sang nay|chieu nay|toi nay|trua nay|dem nay)/g;
  const timeRe = /(\d{1,2})\s*(?:h|gio|:)\s*(\d{1,2})?(?:\s*phut)?(?!\d)/;
  const partRe = /\b(sang|trua|chieu|toi|dem|khuya)\b/;

  for (const m of f.matchAll(dateRe)) {
    let ymd: { y: number; m: number; d: number } | null = null;
    let impliedPart: string | null = null;
    if (m[1]) {
      const d = Number(m[1]);
      const mo = Number(m[2]);
      let y = m[3] ? Number(m[3]) : today.y;
      if (m[3] && m[3].length === 2) y += 2000;
      if (!validDate(y, mo, d)) continue;
      if (!m[3] && Date.UTC(y, mo - 1, d) > Date.UTC(today.y, today.m - 1, today.d)) y -= 1;
      ymd = { y, m: mo, d };
    } else if (m[4]) {
      const d = Number(m[4]);
      const mo = Number(m[5]);
      let y = m[6] ? Number(m[6]) : today.y;
      if (!validDate(y, mo, d)) continue;
      if (!m[6] && Date.UTC(y, mo - 1, d) > Date.UTC(today.y, today.m - 1, today.d)) y -= 1;
      ymd = { y, m: mo, d };
    } else if (m[7]) {
      const w = m[7];
      ymd = w.endsWith('qua') || w === 'hom qua' ? addDays(today, -1) : today;
      const first = w.split(' ')[0];
      if (first in PARTS) impliedPart = first;
    }
    if (!ymd) continue;

    // Look 25 characters either side for an hour and a part of the day.
    const start = m.index!;
    const end = start + m[0].length;
    const before = f.slice(Math.max(0, start - 25), start);
    const after = f.slice(end, end + 25);
    const around = before + ' ' + after;
    const tm = after.match(timeRe) ?? before.match(new RegExp(timeRe.source + '[^\\d]*$'));
    const pm = impliedPart ?? around.match(partRe)?.[1] ?? null;

    let hour: number;
    let minute = 0;
    let approximate = true;
    if (tm && Number(tm[1]) <= 23) {
      hour = Number(tm[1]);
      minute = tm[2] ? Math.min(59, Number(tm[2])) : 0;
      if (pm && PARTS[pm].pm && hour < 12) hour += 12;
      approximate = false;
    } else if (pm) {
      hour = PARTS[pm].hour;
    } else {
      hour = 0;
    }

    // The words as written: from the part of the day before the date to the hour after it.
    let from = start;
    if (pm && !impliedPart) {
      const at = before.lastIndexOf(pm);
      if (at >= 0) from = start - before.length + at;
    }
    let to = end;
    if (tm && after.indexOf(tm[0]) >= 0 && after.indexOf(tm[0]) < 12) to = end + after.indexOf(tm[0]) + tm[0].length;
    else if (tm) {
      const at = before.lastIndexOf(tm[0]);
      if (at >= 0) from = Math.min(from, start - before.length + at);
    }
    const written = norm.slice(map[from], map[to]).trim();
    const iso = `${ymd.y}-${p2(ymd.m)}-${p2(ymd.d)}T${p2(hour)}:${p2(minute)}:00+07:00`;
    if (!out.some((o) => o.iso === iso)) out.push({ text: written, iso, approximate });
  }
  return out;
}

const KIND_WORDS = ['xa', 'phuong', 'thi tran', 'dac khu'];

/**
 * Communes named in the text (`phường Bắc Kạn`, `xã Cư M'gar`) from the official list, and
 * hamlets/residential groups (`thôn 7`, `tổ dân phố Xuất Hóa`, `buôn Ko Siêr`) as written.
 * A commune name without its kind word counts only when it has two or more words, so that
 * `Phường Láng` is not proposed for `lạng lách`.
 */
export function findPlaces(text: string, units: PlaceUnit[], preferProvince?: string): PlaceProposal[] {
  const f = ' ' + fold(text).replace(/[^a-z0-9]+/g, ' ') + ' ';
  const found: { p: PlaceProposal; score: number }[] = [];
  for (const u of units) {
    const full = fold(u.name).replace(/[^a-z0-9]+/g, ' ').trim();
    const bare = KIND_WORDS.reduce((s, k) => (s.startsWith(k + ' ') ? s.slice(k.length + 1) : s), full);
    let score = 0;
    if (f.includes(' ' + full + ' ')) score = 3;
    else if (bare.includes(' ') && f.includes(' ' + bare + ' ')) score = 1;
    if (score === 0) continue;
    if (preferProvince && u.province === preferProvince) score += 2;
    found.push({ p: { kind: 'commune', text: u.name, code: u.code, province: u.province }, score });
  }
  found.sort((a, b) => b.score - a.score);
  const places = found.slice(0, 5).map((x) => x.p);

  const hamletRe =
    /(?:^|[\s,.;(])((?:[Tt]ổ dân phố|TDP|[Tt]hôn|[Bb]uôn|[Bb]ản|[Ấấ]p|[Kk]hu phố|[Xx]óm|[Tt]ổ)\s+(?:\d+[A-Za-z]?|[A-ZĐÀ-Ỹ][^\s,.;:!?()]*(?:\s+[A-ZĐÀ-Ỹ][^\s,.;:!?()]*){0,3}))/gu;
  for (const m of text.matchAll(hamletRe)) {
    const t = m[1].trim();
    if (!places.some((p) => p.text === t)) places.push({ kind: 'hamlet', text: t });
  }
  return places;
}

export function propose(text: string, units: PlaceUnit[], ref: Date = new Date(), preferProvince?: string): Proposals {
  return { phones: findPhones(text), times: findTimes(text, ref), places: findPlaces(text, units, preferProvince) };
}
