import { AppError } from '../../src/domain/errors.js';

/** The AppError `fn` throws; fails the test when it throws nothing or something else. */
export function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError to be thrown');
}

/** The AppError `promise` rejects with; fails the test when it resolves or rejects with something else. */
export async function appErrorFrom(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError to be thrown');
}

/** The fields a VALIDATION_FAILED error names (its `details.issues` paths), sorted; fails for any other error. */
export async function invalidFields(promise: Promise<unknown>): Promise<string[]> {
  const err = await appErrorFrom(promise);
  if (err.code !== 'VALIDATION_FAILED') throw new Error(`expected VALIDATION_FAILED, got ${err.code}: ${err.message}`);
  const issues = (err.details?.issues ?? []) as Array<{ path: string }>;
  return issues.map((i) => i.path).sort();
}
