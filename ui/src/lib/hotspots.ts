// How a hotspot reads on the Reports screen.
import type { Hotspot } from './bindings/Hotspot';

/** `Tổ dân phố 7, Phường Bắc Kạn`; the commune alone; or `unknown` when the reports named neither. */
export function hotspotPlace(h: Pick<Hotspot, 'hamlet' | 'commune_name' | 'commune'>, unknown: string): string {
  const parts = [h.hamlet, h.commune_name ?? h.commune].filter(Boolean);
  return parts.length ? parts.join(', ') : unknown;
}

/** The three most reported categories: `Đánh bạc 2 · Gây rối 1`. */
export function topCategories(h: Pick<Hotspot, 'by_category'>, name: (code: string) => string): string {
  return h.by_category
    .slice(0, 3)
    .map((c) => `${name(c.category)} ${c.count}`)
    .join(' · ');
}
