import path from 'node:path';
import type { Config } from '../config/schema.js';
import { StoreBackupError, type StoreBackupReason, type StoreSummary } from '../devdb/backup.js';
import { AppError, type ErrorCode } from '../domain/errors.js';

const CODE_OF: Record<StoreBackupReason, ErrorCode> = { missing: 'NOT_FOUND', exists: 'CONFLICT', 'in-use': 'CONFLICT', invalid: 'VALIDATION_FAILED' };

/** Refuses a command on the built-in database when Threadline uses MongoDB; `advice` says what to use there instead. */
export function refuseExternalDatabase(config: Config, advice: string): void {
  if (!config.mongodbUri) return;
  throw new AppError('CONFIG_INVALID', `MONGODB_URI is set, so Threadline keeps its data in MongoDB, not in the built-in database: ${advice}`);
}

/** The one FILE a backup or restore takes; null (the usage printed) when none is given. */
export function fileArgument(positionals: string[], usage: string): string | null {
  if (positionals.length === 0) {
    console.error(usage);
    return null;
  }
  if (positionals.length > 1) throw new AppError('VALIDATION_FAILED', `give one FILE, got ${positionals.length}\n\n${usage}`);
  return positionals[0] as string;
}

/** A file named on the command line, absolute. */
export function argPath(arg: string): string {
  // npm runs scripts in the package root; INIT_CWD is where the user typed the command.
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), arg);
}

/** Rethrows a refused backup or restore as the AppError the CLI prints. */
export function asAppError(err: unknown): never {
  if (err instanceof StoreBackupError) throw new AppError(CODE_OF[err.reason], err.message, { cause: err });
  throw err;
}

/** `1.4 MB`-style size. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `3 collections, 1,204 documents, 9 indexes`. */
export function describeStore(s: StoreSummary): string {
  const n = (v: number, one: string, many: string) => `${v.toLocaleString('en-US')} ${v === 1 ? one : many}`;
  return `${n(s.collections, 'collection', 'collections')}, ${n(s.documents, 'document', 'documents')}, ${n(s.indexes, 'index', 'indexes')}`;
}
