import { describe, expect, it } from 'vitest';
import { parseReview, returnCommentError, reviewActions, reviewQuery } from './review';

const L = (vi: string) => vi;

describe('review screen logic', () => {
  it('asks the core for its review queue by default, and for a station when filtered', () => {
    const q = reviewQuery({ station: '', status: 'queue' }, 0, 100);
    expect(q.review_queue).toBe(true);
    expect(q.status).toBeNull();
    expect(q.station).toBeNull();
    const s = reviewQuery({ station: '24280', status: 'sanctioned' }, 2, 50);
    expect(s.review_queue).toBe(false);
    expect(s.status).toEqual(['sanctioned']);
    expect(s.station).toBe('24280');
    expect([s.page, s.page_size]).toEqual([2, 50]);
    expect(reviewQuery({ station: '', status: 'open' }, 0, 10).status).toEqual(['received', 'verifying']);
  });

  it('reads the review the core keeps', () => {
    expect(parseReview(null)).toEqual({ state: 'none' });
    expect(parseReview('approved')).toEqual({ state: 'approved' });
    expect(parseReview('returned: Thiếu biên bản: bổ sung')).toEqual({ state: 'returned', comment: 'Thiếu biên bản: bổ sung' });
  });

  it('approves only closed cases not yet approved', () => {
    expect(reviewActions('sanctioned', null)).toEqual({ approve: true, ret: true });
    expect(reviewActions('sanctioned', 'approved').approve).toBe(false);
    expect(reviewActions('verifying', null)).toEqual({ approve: false, ret: true });
    expect(reviewActions('duplicate', null)).toEqual({ approve: false, ret: false });
  });

  it('requires a real comment to return a case', () => {
    expect(returnCommentError('   ', L)).toMatch(/ý kiến/);
    expect(returnCommentError('ok', L)).not.toBeNull();
    expect(returnCommentError('Thiếu quyết định xử phạt', L)).toBeNull();
  });
});
