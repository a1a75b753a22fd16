// The supervisor's Review screen: which cases it lists, and how a case's review reads.
import type { SearchQuery } from './bindings/SearchQuery';
import type { Status } from './bindings/Status';

export const OPEN: Status[] = ['received', 'verifying'];

/** `queue`: closed cases not yet approved and overdue open ones (the default). */
export type ReviewStatusFilter = 'queue' | 'open' | Status;

export interface ReviewFilters {
  station: string;
  status: ReviewStatusFilter;
}

export function reviewQuery(f: ReviewFilters, page: number, pageSize: number): SearchQuery {
  return {
    text: null,
    from: null,
    to: null,
    status: f.status === 'queue' ? null : f.status === 'open' ? OPEN : [f.status],
    category: null,
    channel: null,
    kind: null,
    hamlet: null,
    assignee: null,
    station: f.station || null,
    due_only: false,
    conflict_only: false,
    review_queue: f.status === 'queue',
    page,
    page_size: pageSize,
  };
}

export type ReviewState =
  | { state: 'none' }
  | { state: 'approved' }
  | { state: 'returned'; comment: string };

/** The core keeps the review as `approved` or `returned: <comment>`. */
export function parseReview(review: string | null | undefined): ReviewState {
  if (!review) return { state: 'none' };
  if (review === 'approved') return { state: 'approved' };
  const m = /^returned:\s?([\s\S]*)$/.exec(review);
  if (m) return { state: 'returned', comment: m[1] };
  return { state: 'none' };
}

/** What may be done with a case from the Review screen. */
export function reviewActions(status: Status, review: string | null | undefined): { approve: boolean; ret: boolean } {
  const closed = !OPEN.includes(status) && status !== 'duplicate';
  return { approve: closed && parseReview(review).state !== 'approved', ret: status !== 'duplicate' };
}

/** A return needs a comment the station can act on; the message if it is missing. */
export function returnCommentError(comment: string, L: (vi: string, en: string) => string): string | null {
  return comment.trim().length < 5
    ? L('Nhập ý kiến khi trả lại (ít nhất 5 ký tự) để đơn vị biết cần bổ sung gì.', 'Write a comment (5+ characters) so the station knows what to fix.')
    : null;
}
