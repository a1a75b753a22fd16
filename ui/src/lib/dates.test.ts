import { describe, expect, it } from 'vitest';
import { parseDate, showDate } from './dates';

describe('dates typed the Vietnamese way', () => {
  it('reads day first, with or without leading zeros, hours with : or h', () => {
    expect(parseDate('29/9/2022 21:15', true)).toBe('2022-09-29T21:15');
    expect(parseDate('29-09-2022 21h15', true)).toBe('2022-09-29T21:15');
    expect(parseDate('1/7/25', false)).toBe('2025-07-01');
  });
  it('refuses what is not a date rather than guessing', () => {
    expect(parseDate('31/2/2024', false)).toBeNull();
    expect(parseDate('12/13/2024', false)).toBeNull();
    expect(parseDate('29/9/2022 25:00', true)).toBeNull();
    expect(parseDate('hôm qua', false)).toBeNull();
  });
  it('shows ISO values as dd/MM/yyyy HH:mm', () => {
    expect(showDate('2022-09-29T21:15', true)).toBe('29/09/2022 21:15');
    expect(showDate('2022-09-29', false)).toBe('29/09/2022');
  });
});
