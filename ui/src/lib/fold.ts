// Same folding as the core's text::fold: no diacritics, đ as d, no apostrophes, lower case.
// Used to match pasted text against place names; the search itself is folded in Rust.
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .replace(/['’‘ʼ`´]/g, '')
    .toLowerCase();
}

/** Folds character by character, remembering where each folded character came from. */
export function foldWithMap(s: string): { folded: string; map: number[] } {
  let folded = '';
  const map: number[] = [];
  const chars = Array.from(s.normalize('NFC'));
  let pos = 0;
  for (const c of chars) {
    const f = fold(c);
    for (let i = 0; i < f.length; i++) map.push(pos);
    folded += f;
    pos += c.length;
  }
  map.push(pos);
  return { folded, map };
}
