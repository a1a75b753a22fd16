/**
 * The Register's loaded pages of rows with one more added, keeping at most `keep` of them: the
 * ones nearest the page in view (`near`). Scrolling through 100,000 cases then holds a few
 * thousand rows, not all it has read; a dropped page is read again if the officer scrolls back.
 */
export function withPage<T>(pages: Record<number, T>, page: number, rows: T, near: number, keep: number): Record<number, T> {
  const kept: Record<number, T> = { ...pages, [page]: rows };
  const held = Object.keys(kept).map(Number);
  if (held.length > keep) {
    held.sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of held.slice(0, held.length - keep)) delete kept[p];
  }
  return kept;
}
