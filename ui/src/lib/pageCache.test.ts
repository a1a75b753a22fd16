import { describe, expect, it } from 'vitest';
import { withPage } from './pageCache';

describe('withPage', () => {
  it('adds pages until the limit', () => {
    let pages: Record<number, string> = {};
    for (const p of [0, 1, 2]) pages = withPage(pages, p, `rows ${p}`, p, 3);
    expect(pages).toEqual({ 0: 'rows 0', 1: 'rows 1', 2: 'rows 2' });
  });

  it('drops the pages farthest from the view, never the one just read', () => {
    let pages: Record<number, string> = {};
    for (let p = 0; p < 10; p++) pages = withPage(pages, p, `rows ${p}`, p, 4);
    expect(Object.keys(pages).map(Number).sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
    // Back to the top: the page read there stays, the farthest go.
    pages = withPage(pages, 0, 'rows 0', 0, 4);
    expect(Object.keys(pages).map(Number).sort((a, b) => a - b)).toEqual([0, 6, 7, 8]);
  });

  it('leaves the old object as it was', () => {
    const before = { 0: 'a', 1: 'b' };
    const after = withPage(before, 2, 'c', 2, 2);
    expect(before).toEqual({ 0: 'a', 1: 'b' });
    expect(after).toEqual({ 1: 'b', 2: 'c' });
  });
});
