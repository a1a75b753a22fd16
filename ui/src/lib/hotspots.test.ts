import { describe, expect, it } from 'vitest';
import { hotspotPlace, topCategories } from './hotspots';

describe('hotspots', () => {
  it('names the place by hamlet and commune', () => {
    expect(hotspotPlace({ hamlet: 'Tổ dân phố 7', commune_name: 'Phường Bắc Kạn', commune: '01843' }, '?')).toBe('Tổ dân phố 7, Phường Bắc Kạn');
    expect(hotspotPlace({ hamlet: null, commune_name: null, commune: '01843' }, '?')).toBe('01843');
    expect(hotspotPlace({ hamlet: null, commune_name: null, commune: null }, 'Không rõ')).toBe('Không rõ');
  });
  it('lists the three main categories', () => {
    const by_category = [
      { category: 'gambling', count: 5 },
      { category: 'affray', count: 2 },
      { category: 'theft', count: 1 },
      { category: 'drugs', count: 1 },
    ];
    expect(topCategories({ by_category }, (c) => c.toUpperCase())).toBe('GAMBLING 5 · AFFRAY 2 · THEFT 1');
  });
});
