import { DateTime } from 'luxon';

/**
 * What the filters read from query strings (the reports' and the access log's) share: a problem with
 * one parameter, in the shape of a zod issue so that the edges answer both alike, and the moments a
 * period is written in. Pure: the time zone is passed in.
 */

/** A problem with one query parameter: `key` names its words in the `errors` catalog. */
export interface QueryIssue {
  path: string;
  message: string;
  code: 'custom';
  key: string;
  params?: Record<string, unknown>;
}

/** The issue of parameter `path`, worded by `errors:<key>` (with `message` as its English fallback). */
export const queryIssue = (path: string, key: string, message: string, params?: Record<string, unknown>): QueryIssue => ({ path, message, code: 'custom', key: `errors:${key}`, ...(params ? { params } : {}) });

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 date-time, seconds and fractions optional; without `Z` or an offset it is the reader's local time. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A moment as a query writes it: an ISO date-time (local to `zone` without an offset), or a day
 * `YYYY-MM-DD`, its midnight in the zone (the next midnight when it ends a period); null when it is neither.
 */
export function queryMoment(value: string, zone: string, end: boolean): Date | null {
  if (DAY_ONLY.test(value)) {
    const day = DateTime.fromISO(value, { zone });
    if (!day.isValid || day.toISODate() !== value) return null;
    return (end ? day.plus({ days: 1 }) : day).startOf('day').toJSDate();
  }
  if (!DATE_TIME.test(value)) return null;
  const at = DateTime.fromISO(value, { zone });
  return at.isValid ? at.toJSDate() : null;
}
