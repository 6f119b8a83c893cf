import type { z } from 'zod';
import { AppError } from '../domain/errors.js';

/** One problem with an input, by dotted field path (`''` for the input as a whole). */
export interface InputIssue {
  path: string;
  message: string;
}

const dotted = (path: PropertyKey[]) => path.map(String).join('.');

function toIssues(issue: z.core.$ZodIssue): InputIssue[] {
  // Reported per key, so the offending field is named like any other.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: 'is not a known field' }));
  return [{ path: dotted(issue.path), message: issue.message }];
}

/**
 * Validates untrusted input against a schema, or throws VALIDATION_FAILED whose message names every
 * offending field and whose details carry them as `issues: [{path, message}]`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'Input'): z.output<S> {
  const result = schema.safeParse(input, {
    error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? 'is required' : undefined),
  });
  if (result.success) return result.data;
  if (input === undefined) {
    throw new AppError('VALIDATION_FAILED', `${what} is missing: send a JSON object`, { details: { issues: [{ path: '', message: 'is missing' }] } });
  }
  throw invalidInput(result.error.issues.flatMap(toIssues), what);
}

/** VALIDATION_FAILED for problems found after parsing (against stored state), worded like those of {@link parseInput}. */
export function invalidInput(issues: InputIssue[], what = 'Input'): AppError {
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new AppError('VALIDATION_FAILED', `${what} is invalid: ${summary}`, { details: { issues } });
}
