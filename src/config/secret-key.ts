import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import type { Config } from './schema.js';

/**
 * Returns SECRET_KEY, or outside production a key generated on first start and kept in DATA_DIR
 * (mode 0600) so sessions and stored mail credentials survive a restart.
 */
export function resolveSecretKey(config: Config, logger: Logger): string {
  if (config.secretKey) return config.secretKey;
  if (config.env === 'production') {
    throw new AppError('CONFIG_INVALID', 'Invalid configuration: SECRET_KEY is required in production');
  }
  const file = path.resolve(config.dataDir, 'secret-key');
  if (existsSync(file)) return readKey(file);
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  // Written in full elsewhere, then linked into place: a kill never leaves an empty key file, and of
  // two processes starting at once the second finds the first one's key.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a stale temp file of a killed start keeps its old mode otherwise
    writeSync(fd, `${key}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKey(file);
  } finally {
    unlinkSync(tmp);
  }
  logger.warn({ file }, 'SECRET_KEY not set: generated one for development and stored it; set SECRET_KEY in production');
  return key;
}

function readKey(file: string): string {
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 32) {
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${file} holds a SECRET_KEY shorter than 32 characters`);
  }
  return key;
}
