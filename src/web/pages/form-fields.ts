import type { Request } from 'express';
import { isAppError } from '../../domain/errors.js';

/** A posted form as body-parser's plain (`extended: false`) parser hands it over: repeated names become arrays. */
export type FormBody = Record<string, unknown>;

/** One problem with a form, by the dotted path of the use case's input (`''` for the form as a whole). */
export interface FormIssue {
  path: string;
  message: string;
}

/** The posted form of a request (empty when there is none). */
export function formOf(req: Request): FormBody {
  const body: unknown = req.body;
  return body && typeof body === 'object' ? (body as FormBody) : {};
}

/** A posted text field of a request; '' when missing or not a single value. */
export function postedText(req: Request, name: string): string {
  const v = formOf(req)[name];
  return typeof v === 'string' ? v : '';
}

/** A query-string value, or undefined when missing, empty or repeated. */
export function queryText(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One text field; the first value when a name was posted twice, '' when missing. */
export function field(body: FormBody, name: string): string {
  const v = body[name];
  if (typeof v === 'string') return v;
  return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

/** Every value posted under a name (checkbox groups, multi-selects). */
export function fields(body: FormBody, name: string): string[] {
  const v = body[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** Whether a checkbox was ticked: unticked boxes are not posted at all. */
export function checked(body: FormBody, name: string): boolean {
  return field(body, name) !== '';
}

/** The issues a use case reported with VALIDATION_FAILED, or null for any other error (rethrow it). */
export function validationIssues(err: unknown): FormIssue[] | null {
  if (!isAppError(err, 'VALIDATION_FAILED')) return null;
  const issues = err.details?.issues;
  if (Array.isArray(issues) && issues.length > 0) return issues as FormIssue[];
  return [{ path: '', message: err.message }];
}

/**
 * The text a query code names in a table of fixed texts, or null. Only the table's own keys count:
 * `?error=constructor` must not find Object.prototype.constructor.
 */
export function fixedText(table: Readonly<Record<string, string>>, key: unknown): string | null {
  return typeof key === 'string' && Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}

/** Fixed notices for `?saved=`: the query names one, it never carries the text itself. */
export const SAVED_NOTICES: Record<string, string> = {
  '1': 'Saved.',
  created: 'Inbox created. Test its connection below.',
};

/** The notice for a `?saved=` value, or null. */
export function savedNotice(value: unknown): string | null {
  return fixedText(SAVED_NOTICES, value);
}

/** The week as forms show it, Monday first; `day` is the number cron and the domain use (0 = Sunday). */
export const WEEK_DAYS = [
  { day: 1, short: 'Mon', label: 'Monday' },
  { day: 2, short: 'Tue', label: 'Tuesday' },
  { day: 3, short: 'Wed', label: 'Wednesday' },
  { day: 4, short: 'Thu', label: 'Thursday' },
  { day: 5, short: 'Fri', label: 'Friday' },
  { day: 6, short: 'Sat', label: 'Saturday' },
  { day: 0, short: 'Sun', label: 'Sunday' },
] as const;
