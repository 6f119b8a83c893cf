import { isAppError, type AppError } from '../domain/errors.js';

/**
 * Prints a CLI's failure as `error CODE: message` and returns its exit code: 2 for a configuration
 * error, 1 otherwise. Bad flags read as VALIDATION_FAILED; anything unexpected shows its stack.
 */
export function reportCliError(err: unknown, text: (e: AppError) => string = (e) => e.message): number {
  if (isAppError(err)) console.error(`error ${err.code}: ${text(err)}`);
  else if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) console.error(`error VALIDATION_FAILED: ${(err as Error).message}`);
  else console.error(`error INTERNAL: ${(err as Error).stack ?? String(err)}`);
  return isAppError(err, 'CONFIG_INVALID') ? 2 : 1;
}
