import type { Request } from 'express';
import { isAppError } from '../../domain/errors.js';
import type { Translator } from '../../i18n/catalog.js';
import { errorText } from '../../i18n/error-text.js';

/** A posted form as body-parser's plain (`extended: false`) parser hands it over: repeated names become arrays. */
export type FormBody = Record<string, unknown>;

/** One problem with a form, by the dotted path of the use case's input (`''` for the form as a whole). */
export interface FormIssue {
  path: string;
  message: string;
  /** A zod issue code (`too_small`, …) or `custom`, from the use case. */
  code?: string;
  /**
   * The catalog key of its text: `errors:issue.required` and the like from the use case, or a key of
   * this page's own (`settings:form.required`) for a problem the page itself found.
   */
  key?: string;
  params?: Record<string, unknown>;
}

/** What a form issue says in the page's language (its key's text when the catalogs have it, else its English message). */
export { issueText } from '../../i18n/error-text.js';

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

/**
 * The issues a use case reported with VALIDATION_FAILED, or null for any other error (rethrow it).
 * Without issues the error's own text stands for the whole form: in the page's language when it has
 * a catalog key and `tr` is given, else its English message, whose particulars (a template's syntax
 * error) say more than the catalog's general sentence would.
 */
export function validationIssues(err: unknown, tr?: Translator): FormIssue[] | null {
  if (!isAppError(err, 'VALIDATION_FAILED')) return null;
  const issues = err.details?.issues;
  if (Array.isArray(issues) && issues.length > 0) return issues as FormIssue[];
  return [{ path: '', message: tr && err.key ? errorText(err, tr) : err.message }];
}

/**
 * The text a query code names in a table of fixed texts, or null. Only the table's own keys count:
 * `?error=constructor` must not find Object.prototype.constructor.
 */
export function fixedText(table: Readonly<Record<string, string>>, key: unknown): string | null {
  return typeof key === 'string' && Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}

/**
 * The message a query code names in a table of catalog keys (`?error=name` → `settings:account.error.name`),
 * in the page's language; null for a code the table does not have.
 */
export function fixedMessage(table: Readonly<Record<string, string>>, code: unknown, t: Translator['t'], params?: Record<string, unknown>): string | null {
  const key = fixedText(table, code);
  return key ? t(key, params) : null;
}

/** Fixed notices for `?saved=`: the query names one, it never carries the text itself. */
export const SAVED_NOTICES: Record<string, string> = {
  '1': 'settings:notice.saved',
  created: 'settings:notice.inboxCreated',
  inboxDisabled: 'settings:inboxState.notice.disabled',
  inboxEnabled: 'settings:inboxState.notice.enabled',
  inboxDeleted: 'settings:inboxState.notice.deleted',
};

/** The notice for a `?saved=` value in the page's language, or null. */
export function savedNotice(value: unknown, t: Translator['t']): string | null {
  return fixedMessage(SAVED_NOTICES, value, t);
}

/**
 * The week as forms show it, Monday first; `day` is the number cron and the domain use (0 = Sunday).
 * Names come from the catalog: `settings:day.short.<day>`, `settings:day.long.<day>`.
 */
export const WEEK_DAYS = [{ day: 1 }, { day: 2 }, { day: 3 }, { day: 4 }, { day: 5 }, { day: 6 }, { day: 0 }] as const;
