import { queryIssue, queryMoment, type QueryIssue } from './query-params.js';
import { AppError } from './errors.js';

/**
 * The access log: who opened which ticket, downloaded which attachment, viewed, exported or erased
 * a person's data (GDPR art. 30 accountability). Entries hold ids and counts, never customers' data.
 */

/** What an access-log entry records. */
export const ACCESS_ACTIONS = ['ticket_viewed', 'attachment_downloaded', 'contact_viewed', 'export_requested', 'export_downloaded', 'person_erased', 'retention_applied'] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** An id as the store hands it out (a MongoDB ObjectId); structural so the domain stays free of the driver. */
export interface AccessLogId {
  toHexString(): string;
}

/**
 * One entry to record. `userId` null: the system (a job). `detail`: short text WITHOUT customers'
 * personal data — a message id and attachment index, counts — never a filename, address or subject.
 */
export interface AccessLogInput {
  at: Date;
  userId: AccessLogId | null;
  action: AccessAction;
  ticketId?: AccessLogId | null;
  inboxId?: AccessLogId | null;
  contactId?: AccessLogId | null;
  detail?: string | null;
}

/** Longest `detail` kept; longer text is cut (it is a note of ids and counts, not a document). */
export const ACCESS_LOG_DETAIL_MAX = 500;

/** Whether a string is one of {@link ACCESS_ACTIONS}. */
export function isAccessAction(value: string): value is AccessAction {
  return (ACCESS_ACTIONS as readonly string[]).includes(value);
}

/** How long entries are kept unless ACCESS_LOG_RETENTION_DAYS says otherwise (days; 0 keeps them forever). */
export const ACCESS_LOG_DEFAULT_RETENTION_DAYS = 365;
/** The longest retention the setting accepts (days, about 100 years). */
export const ACCESS_LOG_MAX_RETENTION_DAYS = 36_500;

/** The first moment still kept: entries before it are purged. Null: the retention is 0, nothing is purged. */
export function accessLogCutoff(now: Date, retentionDays: number): Date | null {
  if (retentionDays <= 0) return null;
  return new Date(now.getTime() - retentionDays * 86_400_000);
}

/** The access log's filter: who, what, which ticket, when (`from` included, `to` excluded). */
export interface AccessLogFilter {
  /** A user id (hex). */
  userId: string | null;
  action: AccessAction | null;
  ticketNumber: number | null;
  from: Date | null;
  to: Date | null;
  /** Where the previous page ended (its `nextCursor`). */
  before: { at: Date; id: string } | null;
}

/** Query parameters as an HTTP framework parses them (a repeated name gives an array). */
export type AccessLogQuery = Record<string, unknown>;

const HEX_ID = /^[0-9a-f]{24}$/i;
const CURSOR = /^(\d{1,15})\.([0-9a-f]{24})$/i;
/** Longest value of a parameter looked at; longer is refused before any parsing. */
const VALUE_MAX = 100;

/** The `nextCursor` of a page ending with this entry. */
export function accessLogCursor(entry: { at: Date; id: string }): string {
  return `${entry.at.getTime()}.${entry.id}`;
}

/**
 * Parses the access log's query parameters (`user`, `action`, `ticket` (a number, `#` allowed),
 * `from`, `to`, `cursor`), in the reader's time zone: `from`/`to` are ISO date-times (without an
 * offset: the reader's local time) or days `YYYY-MM-DD` (`to` then includes that whole day). Empty
 * parameters are ignored, unknown ones left alone. Throws VALIDATION_FAILED naming every wrong one.
 */
export function parseAccessLogFilter(query: AccessLogQuery, opts: { timeZone: string }): AccessLogFilter {
  const issues: QueryIssue[] = [];
  const single = (name: string): string | null => {
    const v = query[name];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') {
      issues.push(queryIssue(name, 'issue.report.once', 'must be given once'));
      return null;
    }
    if (v.length > VALUE_MAX) {
      issues.push(queryIssue(name, 'issue.tooLong', 'is too long'));
      return null;
    }
    return v.trim() === '' ? null : v.trim();
  };

  const userText = single('user');
  const userId = userText !== null && HEX_ID.test(userText) ? userText.toLowerCase() : null;
  if (userText !== null && userId === null) issues.push(queryIssue('user', 'issue.notAnId', 'is not an id'));

  const actionText = single('action');
  const action = actionText !== null && isAccessAction(actionText) ? actionText : null;
  if (actionText !== null && action === null) issues.push(queryIssue('action', 'issue.accessLogAction', `must be one of ${ACCESS_ACTIONS.join(', ')}`, { actions: ACCESS_ACTIONS.join(', ') }));

  const ticketText = single('ticket');
  const ticketDigits = ticketText?.replace(/^#/, '') ?? null;
  const ticketNumber = ticketDigits !== null && /^\d{1,12}$/.test(ticketDigits) && Number(ticketDigits) > 0 ? Number(ticketDigits) : null;
  if (ticketText !== null && ticketNumber === null) issues.push(queryIssue('ticket', 'issue.accessLogTicket', 'must be a ticket number'));

  const dateIssue = (name: string) => queryIssue(name, 'issue.report.date', 'must be a date and time (ISO 8601) or a day written YYYY-MM-DD');
  const fromText = single('from');
  const toText = single('to');
  const from = fromText === null ? null : queryMoment(fromText, opts.timeZone, false);
  const to = toText === null ? null : queryMoment(toText, opts.timeZone, true);
  if (fromText !== null && from === null) issues.push(dateIssue('from'));
  if (toText !== null && to === null) issues.push(dateIssue('to'));
  if (from && to && from.getTime() >= to.getTime()) issues.push(queryIssue('from', 'issue.fromBeforeTo', 'must be before to'));

  const cursorText = single('cursor');
  const cursor = cursorText === null ? null : CURSOR.exec(cursorText);
  if (cursorText !== null && !cursor) issues.push(queryIssue('cursor', 'issue.cursor', 'is not a cursor this list gave'));

  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Access log filter is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      details: { issues },
      key: 'input.invalid',
      params: { what: 'Access log filter' },
    });
  }
  return { userId, action, ticketNumber, from, to, before: cursor ? { at: new Date(Number(cursor[1])), id: cursor[2]!.toLowerCase() } : null };
}

