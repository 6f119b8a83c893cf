import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length < 32) {
      throw new AppError('CONFIG_INVALID', `Invalid configuration: ${file} holds a SECRET_KEY shorter than 32 characters`);
    }
    return key;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn({ file }, 'SECRET_KEY not set: generated one for development and stored it; set SECRET_KEY in production');
  return key;
}
