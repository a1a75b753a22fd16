// dd/MM/yyyy [HH:mm] as Vietnamese officers type them, to and from ISO local values.
const p2 = (n: number) => String(n).padStart(2, '0');

/** `2022-09-29T21:15` → `29/09/2022 21:15` (the time only when asked for). */
export function showDate(v: string, withTime: boolean): string {
  const m = v.match(/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/);
  if (!m) return '';
  return `${m[3]}/${m[2]}/${m[1]}${withTime && m[4] ? ` ${m[4]}:${m[5]}` : ''}`;
}

/** `29/9/2022 21:15`, `29-09-2022 21h15`, `29/9/22` → ISO local, or null when unreadable. */
export function parseDate(t: string, withTime: boolean): string | null {
  const m = t.trim().match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[\s,]+(\d{1,2})\s*[:hg]\s*(\d{1,2})?)?$/i);
  if (!m) return null;
  let y = Number(m[3]);
  if (m[3].length === 2) y += 2000;
  const mo = Number(m[2]);
  const d = Number(m[1]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  const date = `${y}-${p2(mo)}-${p2(d)}`;
  if (!withTime) return date;
  const h = m[4] ? Number(m[4]) : 0;
  const mi = m[5] ? Number(m[5]) : 0;
  if (h > 23 || mi > 59) return null;
  return `${date}T${p2(h)}:${p2(mi)}`;
}
