import type { z } from 'zod';
import { AppError } from '../domain/errors.js';

/**
 * One problem with an input, by dotted field path (`''` for the input as a whole). `message` is the
 * English text (logs, older clients); `key` and `params` say the same in the `errors` catalog, so pages
 * and the API can show it in the reader's language (see `issueText` in src/i18n/error-text.ts).
 */
export interface InputIssue {
  path: string;
  message: string;
  /** What went wrong: a zod issue code (`too_small`, `invalid_format`, …), or `custom` for our own checks. */
  code?: string;
  /** The text's catalog key, with its namespace (`errors:validation.too_small`, `errors:issue.required`, …). */
  key?: string;
  /** The text's ICU parameters: `minimum`, `maximum`, `origin`, `expected`, `format`, `values`, … */
  params?: Record<string, unknown>;
}

/** Our own issue texts by their English wording, with their catalog key (see {@link issueMessage}). */
const KNOWN_MESSAGES = new Map<string, { key: string; params?: Record<string, unknown> }>();

/** A key as issues carry it: with its namespace, `errors` unless it names another. */
const qualified = (key: string) => (key.includes(':') ? key : `errors:${key}`);

/**
 * Our own wording of an issue, for a schema's custom message (`.min(1, issueMessage('issue.required', 'is
 * required'))`) or a hand-made issue: returns the English text and remembers its `errors:` key, so the
 * issue zod reports with that text gets the key. Parameters are fixed per wording (a limit, not the input).
 */
export function issueMessage(key: string, english: string, params?: Record<string, unknown>): string {
  KNOWN_MESSAGES.set(english, params ? { key: qualified(key), params } : { key: qualified(key) });
  return english;
}

/** An issue found by our own code (against stored state, or by hand), with its catalog key. */
export function inputIssue(path: string, key: string, english: string, params?: Record<string, unknown>): InputIssue {
  return { path, message: english, code: 'custom', key: qualified(key), ...(params ? { params } : {}) };
}

/**
 * Gives issues made without a key (the domain's checks, older code) the key of their wording when it is
 * one of ours; the others keep only their English message.
 */
export function withIssueKeys<I extends { path: string; message: string }>(issues: readonly I[]): Array<I & InputIssue> {
  return issues.map((issue) => {
    if ((issue as InputIssue).key) return issue as I & InputIssue;
    const known = KNOWN_MESSAGES.get(issue.message);
    return known ? { ...issue, code: (issue as InputIssue).code ?? 'custom', key: known.key, ...(known.params ? { params: known.params } : {}) } : issue;
  });
}

const REQUIRED = issueMessage('issue.required', 'is required');
const MISSING = issueMessage('issue.missing', 'is missing');
const UNKNOWN_FIELD = issueMessage('validation.unrecognized_keys', 'is not a known field');
issueMessage('issue.object', 'must be an object');
issueMessage('issue.array', 'must be an array');
issueMessage('issue.emailAddress', 'must be an email address');

const dotted = (path: PropertyKey[]) => path.map(String).join('.');
const plain = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

/** The catalog parameters of a zod issue: what its text needs (limits, expected type, format, allowed values). */
function zodParams(issue: z.core.$ZodIssue): Record<string, unknown> {
  switch (issue.code) {
    case 'too_small':
      return { origin: issue.origin, minimum: plain(issue.minimum), inclusive: String(issue.inclusive ?? true), exact: String(issue.exact ?? false) };
    case 'too_big':
      return { origin: issue.origin, maximum: plain(issue.maximum), inclusive: String(issue.inclusive ?? true), exact: String(issue.exact ?? false) };
    case 'invalid_type':
      return { expected: issue.expected };
    case 'invalid_format':
      return { format: issue.format };
    case 'not_multiple_of':
      return { divisor: plain(issue.divisor) };
    case 'invalid_value':
      return { values: issue.values.map(plain) };
    case 'invalid_key':
    case 'invalid_element':
      return { origin: issue.origin };
    default:
      return {};
  }
}

/**
 * One zod issue as ours: zod's own wordings get the text of their code (`errors:validation.<code>`),
 * our wordings the key they were registered with; a wording of ours without a key stays English only
 * (its code and parameters still go along, for a generic text in other languages).
 */
function toIssues(issue: z.core.$ZodIssue, zodWorded: ReadonlySet<string>): InputIssue[] {
  // Reported per key, so the offending field is named like any other.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: UNKNOWN_FIELD, code: issue.code, key: 'errors:validation.unrecognized_keys' }));
  }
  const path = dotted(issue.path);
  // A check of ours that computes its text names its key in the issue's params: `{ key, ...params }`.
  if (issue.code === 'custom' && typeof issue.params?.key === 'string') {
    const { key, ...params } = issue.params as { key: string } & Record<string, unknown>;
    return [{ path, message: issue.message, code: issue.code, key: qualified(key), params }];
  }
  const known = KNOWN_MESSAGES.get(issue.message);
  if (known) return [{ path, message: issue.message, code: issue.code, key: known.key, params: { ...zodParams(issue), ...known.params } }];
  if (zodWorded.has(`${issue.code}|${path}`)) return [{ path, message: issue.message, code: issue.code, key: `errors:validation.${issue.code}`, params: zodParams(issue) }];
  return [{ path, message: issue.message, code: issue.code, params: zodParams(issue) }];
}

/**
 * Validates untrusted input against a schema, or throws VALIDATION_FAILED whose message names every
 * offending field and whose details carry them as `issues: [{path, message, code, key, params}]`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'Input'): z.output<S> {
  // Called only for issues the schema words no text for: those get zod's wording, noted here by code and path.
  const zodWorded = new Set<string>();
  const result = schema.safeParse(input, {
    error: (iss) => {
      if (iss.code === 'invalid_type' && iss.input === undefined) return REQUIRED;
      zodWorded.add(`${iss.code}|${dotted(iss.path ?? [])}`);
      return undefined;
    },
  });
  if (result.success) return result.data;
  if (input === undefined) {
    throw new AppError('VALIDATION_FAILED', `${what} is missing: send a JSON object`, {
      details: { issues: [{ path: '', message: MISSING, code: 'invalid_type', key: 'errors:issue.missing' } satisfies InputIssue] },
      key: 'input.missing',
      params: { what },
    });
  }
  throw invalidInput(
    result.error.issues.flatMap((issue) => toIssues(issue, zodWorded)),
    what,
  );
}

/**
 * VALIDATION_FAILED for problems found after parsing (against stored state), worded like those of
 * {@link parseInput}. Its text in a language lists the issues in that language (`input.invalid`).
 */
export function invalidInput(issues: InputIssue[], what = 'Input'): AppError {
  const keyed = withIssueKeys(issues);
  const summary = keyed.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new AppError('VALIDATION_FAILED', `${what} is invalid: ${summary}`, { details: { issues: keyed }, key: 'input.invalid', params: { what } });
}
