import { describe, expect, it } from 'vitest';
import { dayMonthYear, noticeNumber, noticeOf } from './notices';
import type { Event } from './bindings/Event';

const ev = (id: string, type: string, data: unknown): Event => ({ id, type, data: data as Event['data'], author: 'u', author_name: 'Cán bộ', at: '2025-06-18T08:00:00+07:00' });

describe('noticeOf', () => {
  const events = [
    ev('a', 'created', {}),
    ev('b', 'notice_sent', { to: 'vks', number: '15/TB-CAX', date: '2025-06-18' }),
    ev('c', 'notice_sent', { to: 'reporter', number: '16', date: '2025-06-19' }),
    ev('d', 'notice_sent', { to: 'someone', number: '17', date: '2025-06-19' }),
  ];
  it('reads the addressee, number and date of the notice event asked for', () => {
    expect(noticeOf(events, 'b')).toEqual({ to: 'vks', number: '15/TB-CAX', date: '2025-06-18' });
    expect(noticeOf(events, 'c')?.to).toBe('reporter');
  });
  it('refuses another event, an unknown id or an unknown addressee', () => {
    expect(noticeOf(events, 'a')).toBeNull();
    expect(noticeOf(events, 'zz')).toBeNull();
    expect(noticeOf(events, 'd')).toBeNull();
  });
});

describe('the form’s number and date', () => {
  it('adds the TB symbol only to a bare number', () => {
    expect(noticeNumber('16')).toBe('16/TB');
    expect(noticeNumber(' 15/TB-CAX ')).toBe('15/TB-CAX');
  });
  it('splits a date into day, month and year', () => {
    expect(dayMonthYear('2025-06-08')).toEqual(['08', '06', '2025']);
    expect(dayMonthYear('')).toEqual(['', '', '']);
  });
});
