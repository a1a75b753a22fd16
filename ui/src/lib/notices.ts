// Notices of receipt recorded on a case (`notice_sent` events), for the printed form.
import type { Event } from './bindings/Event';
import type { NoticeTo } from './bindings/NoticeTo';

export interface SentNotice {
  to: NoticeTo;
  number: string;
  /** `YYYY-MM-DD`, the notice's own date. */
  date: string;
}

/** The notice recorded by event `id`, or null when that event is not a notice. */
export function noticeOf(events: Event[], id: string): SentNotice | null {
  const e = events.find((x) => x.id === id && x.type === 'notice_sent');
  const d = e?.data as { to?: unknown; number?: unknown; date?: unknown } | undefined;
  if (!d || (d.to !== 'vks' && d.to !== 'reporter') || typeof d.number !== 'string' || typeof d.date !== 'string') return null;
  return { to: d.to, number: d.number, date: d.date };
}

/** "Số: …" as forms write it: the number as recorded when it has its symbol ("15/TB-CAX"),
 * else with the notice's symbol TB (thông báo) added. */
export function noticeNumber(n: string): string {
  const s = n.trim();
  return s.includes('/') ? s : `${s}/TB`;
}

/** The day, month and year of a `YYYY-MM-DD` date, as "ngày … tháng … năm …" prints them. */
export function dayMonthYear(date: string): [string, string, string] {
  const m = date.match(/^(\d{4})-(\d{2})-(\d{2})/);
  return m ? [m[3], m[2], m[1]] : ['', '', ''];
}
