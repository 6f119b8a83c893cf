import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AppError } from '../domain/errors.js';
import { configSchema, type Config } from './schema.js';

/** Where each environment variable lands in the configuration, and whether its value is a secret. */
const ENV_KEYS: ReadonlyArray<{ env: string; path: string[]; secret?: boolean; boolean?: boolean }> = [
  { env: 'NODE_ENV', path: ['env'] },
  { env: 'PORT', path: ['port'] },
  { env: 'HOST', path: ['host'] },
  { env: 'PUBLIC_URL', path: ['publicUrl'] },
  { env: 'TRUST_PROXY', path: ['trustProxy'] },
  { env: 'LOG_LEVEL', path: ['logLevel'] },
  { env: 'DATA_DIR', path: ['dataDir'] },
  { env: 'MONGODB_URI', path: ['mongodbUri'], secret: true },
  { env: 'MONGODB_SERVER_SELECTION_TIMEOUT_MS', path: ['db', 'serverSelectionTimeoutMs'] },
  { env: 'EMBEDDED_DB', path: ['db', 'embeddedFallback'], boolean: true },
  { env: 'EMBEDDED_DB_ENGINE', path: ['db', 'embeddedEngine'] },
  { env: 'SECRET_KEY', path: ['secretKey'], secret: true },
  { env: 'ADMIN_EMAIL', path: ['admin', 'email'] },
  { env: 'ADMIN_PASSWORD', path: ['admin', 'password'], secret: true },
  { env: 'WORKER_HEARTBEAT_INTERVAL_MS', path: ['workers', 'heartbeatIntervalMs'] },
  { env: 'WORKER_STALE_AFTER_MS', path: ['workers', 'staleAfterMs'] },
  { env: 'SHUTDOWN_TIMEOUT_MS', path: ['shutdownTimeoutMs'] },
  { env: 'MAIL_MAX_MESSAGE_BYTES', path: ['mail', 'maxMessageBytes'] },
  { env: 'MAIL_REOPEN_CLOSED_WITHIN_SECONDS', path: ['mail', 'reopenClosedWithinSeconds'] },
  { env: 'MAIL_MAX_PARTICIPANTS_PER_MAIL', path: ['mail', 'maxParticipantsPerMail'] },
  { env: 'MAIL_WORK_BUDGET_MS', path: ['mail', 'workBudgetMs'] },
  { env: 'MAIL_WORKER_THREADS', path: ['mail', 'workerThreads'] },
  { env: 'POLLER_POLL_INTERVAL_MS', path: ['poller', 'pollIntervalMs'] },
  { env: 'POLLER_MAX_IDLE_MS', path: ['poller', 'maxIdleMs'] },
  { env: 'POLLER_FETCH_BATCH', path: ['poller', 'fetchBatch'] },
  { env: 'POLLER_BACKOFF_BASE_MS', path: ['poller', 'backoffBaseMs'] },
  { env: 'POLLER_BACKOFF_MAX_MS', path: ['poller', 'backoffMaxMs'] },
  { env: 'POLLER_CONFIG_ERROR_RETRY_MS', path: ['poller', 'configErrorRetryMs'] },
  { env: 'POLLER_LEASE_MS', path: ['poller', 'leaseMs'] },
  { env: 'POLLER_RESCAN_MS', path: ['poller', 'rescanMs'] },
  { env: 'AUTO_REPLY_WINDOW_SECONDS', path: ['autoReply', 'windowSeconds'] },
  { env: 'AUTO_REPLY_HOURLY_CAP', path: ['autoReply', 'hourlyCap'] },
  { env: 'JOBS_PROCESS_EVERY_MS', path: ['jobs', 'processEveryMs'] },
  { env: 'JOBS_LOCK_LIFETIME_MS', path: ['jobs', 'lockLifetimeMs'] },
  { env: 'OUTBOX_MAX_ATTEMPTS', path: ['outbox', 'maxAttempts'] },
  { env: 'OUTBOX_BACKOFF_BASE_MS', path: ['outbox', 'backoffBaseMs'] },
  { env: 'OUTBOX_BACKOFF_MAX_MS', path: ['outbox', 'backoffMaxMs'] },
  { env: 'DEFAULT_LOCALE', path: ['i18n', 'defaultLocale'] },
  { env: 'DEFAULT_TIME_ZONE', path: ['i18n', 'defaultTimeZone'] },
  { env: 'NOTIFY_FROM', path: ['notify', 'from'] },
  { env: 'NOTIFY_COLLECT_MS', path: ['notify', 'collectMs'] },
  { env: 'ATTACHMENT_MAX_FILE_MB', path: ['attachments', 'maxFileMb'] },
  { env: 'ATTACHMENT_MAX_MAIL_MB', path: ['attachments', 'maxMailMb'] },
  { env: 'ATTACHMENT_MAX_FILES', path: ['attachments', 'maxFiles'] },
  { env: 'ATTACHMENT_SCAN_COMMAND', path: ['attachments', 'scanCommand'] },
  { env: 'ATTACHMENT_SCAN_TIMEOUT_SECONDS', path: ['attachments', 'scanTimeoutSeconds'] },
  { env: 'ACCESS_LOG_RETENTION_DAYS', path: ['accessLog', 'retentionDays'] },
];

export const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config');

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Cannot read configuration file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Json, v as Json)
        : v;
  }
  return out;
}

function setPath(target: Json, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1] as string] = value;
}

function parseBoolean(env: string, raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new AppError('CONFIG_INVALID', `Invalid configuration: ${env} must be true or false, got "${raw}"`);
}

/**
 * Reads config/default.json, then config/local.json when present, then environment variables, and
 * validates the result. A bad value stops start-up with an error naming the variable and the problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, configDir = CONFIG_DIR): Config {
  let raw = readJson(path.join(configDir, 'default.json'));
  const local = path.join(configDir, 'local.json');
  if (existsSync(local)) raw = deepMerge(raw, readJson(local));
  raw = deepMerge({ env: 'development', mongodbUri: null, secretKey: null, admin: null }, raw);

  for (const key of ENV_KEYS) {
    const value = env[key.env];
    if (value === undefined || value === '') continue;
    setPath(raw, key.path, key.boolean ? parseBoolean(key.env, value) : value);
  }
  const admin = raw.admin as Json | null;
  if (admin && (!admin.email || !admin.password)) {
    const missing = admin.email ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL';
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${missing} must be set together with ${missing === 'ADMIN_EMAIL' ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'}`);
  }

  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;

  const lines = parsed.error.issues.map((issue) => {
    const dotted = issue.path.join('.');
    const source = ENV_KEYS.find((k) => k.path.join('.') === dotted);
    const name = source ? `${source.env} (${dotted})` : dotted || '(root)';
    const value = source && env[source.env] !== undefined && !source.secret ? ` (got "${env[source.env]}")` : '';
    return `  ${name}: ${issue.message}${value}`;
  });
  throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}`, {
    details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
