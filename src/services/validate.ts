import type { z } from 'zod';
import { AppError } from '../domain/errors.js';

/** One problem with an input, by dotted field path (`''` for the input as a whole). */
export interface InputIssue {
  path: string;
  message: string;
}

/**
 * Validates untrusted input against a schema, or throws VALIDATION_FAILED whose message names every
 * offending field and whose details carry them as `issues: [{path, message}]`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'Input'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: InputIssue[] = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new AppError('VALIDATION_FAILED', `${what} is invalid: ${summary}`, { details: { issues } });
}
