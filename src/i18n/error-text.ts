import type { AppError } from '../domain/errors.js';
import type { Translator } from './catalog.js';

/**
 * One problem with an input as the use cases report it (`details.issues` of VALIDATION_FAILED, see
 * src/services/validate.ts): the English `message`, and when known the `errors:` key and parameters
 * that say it in another language.
 */
export interface TranslatableIssue {
  path?: string;
  message: string;
  /** A zod issue code (`too_small`, …) or `custom`. */
  code?: string;
  /** A catalog key: `errors:issue.required`, or without namespace one of `errors`. */
  key?: string;
  params?: Record<string, unknown>;
}

const QUOTES: Record<string, [string, string]> = { fr: ['«\u00a0', '\u00a0»'] };

/** A list of allowed values in the reader's language: `"a", "b", or "c"` / `« a », « b » ou « c »`. */
function valueList(values: unknown[], formatLocale: string): string {
  const [open, close] = QUOTES[formatLocale.split('-')[0] ?? ''] ?? ['"', '"'];
  const shown = values.map((v) => (typeof v === 'string' ? `${open}${v}${close}` : String(v)));
  return new Intl.ListFormat(formatLocale, { type: 'disjunction' }).format(shown);
}

/** An issue's parameters made printable: lists of values become a list in the reader's language. */
function printable(params: Record<string, unknown> | undefined, tr: Translator): Record<string, unknown> {
  if (!params) return {};
  const out: Record<string, unknown> = { ...params };
  if (Array.isArray(params.values)) out.values = valueList(params.values, tr.formatLocale);
  return out;
}

/**
 * What one input issue says to a person in their language, without its field path: its own key's
 * text; else, in English, its English message, and in another language the general text of its zod
 * code (`errors:validation.<code>`) before the English message.
 */
export function issueText(issue: TranslatableIssue, tr: Translator): string {
  const params = printable(issue.params, tr);
  const key = issue.key && (issue.key.includes(':') ? issue.key : `errors:${issue.key}`);
  if (key && tr.has(key)) return tr.t(key, params);
  const english = tr.formatLocale.split('-')[0] === 'en';
  if (!english && issue.code && tr.has(`errors:validation.${issue.code}`)) return tr.t(`errors:validation.${issue.code}`, params);
  return issue.message;
}

/** The issues of a VALIDATION_FAILED error, or none. */
export function issuesOf(err: AppError): TranslatableIssue[] {
  const issues = err.details?.issues;
  return Array.isArray(issues) ? issues.filter((i): i is TranslatableIssue => typeof (i as TranslatableIssue | null)?.message === 'string') : [];
}

/** Every issue as `path: text`, in the reader's language, as one line (the `{issues}` of `errors:input.invalid`). */
export function issueSummary(issues: readonly TranslatableIssue[], tr: Translator): string {
  return issues
    .map((issue) => {
      const text = issueText(issue, tr);
      return issue.path ? tr.t('errors:input.issueLine', { path: issue.path, text }) : text;
    })
    .join(tr.t('errors:input.issueSeparator'));
}

/** `User update` → `userUpdate`, `API token` → `apiToken`: the key of an input's name under `errors:input.subject`. */
const subjectKey = (what: string) =>
  `errors:input.subject.${what
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('')}`;

/**
 * What an AppError says to a person in their language: its `errors:` message when it has a key,
 * else the code's general message; the English `message` only when the catalogs know neither.
 * A message may name the error's input issues as `{issues}`, listed in the same language, and the
 * input as `{what}` (`User update`), named in that language when `errors:input.subject` has it.
 */
export function errorText(err: AppError, tr: Translator): string {
  if (err.key && tr.has(`errors:${err.key}`)) {
    const params: Record<string, unknown> = { ...err.params };
    if (typeof params.what === 'string' && tr.has(subjectKey(params.what))) params.what = tr.t(subjectKey(params.what));
    const issues = issuesOf(err);
    if (issues.length > 0) params.issues = issueSummary(issues, tr);
    return tr.t(`errors:${err.key}`, params);
  }
  if (tr.has(`errors:code.${err.code}`)) return tr.t(`errors:code.${err.code}`);
  return err.message;
}
