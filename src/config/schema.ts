import { isIP } from 'node:net';
import { z } from 'zod';
import { isTimeZone, LOCALES } from '../i18n/locales.js';
import { NOTIFICATION_COLLECT_MS } from '../domain/notifications.js';
import { ACCESS_LOG_DEFAULT_RETENTION_DAYS, ACCESS_LOG_MAX_RETENTION_DAYS } from '../domain/access-log.js';

const port = z.coerce.number().int().min(0).max(65535);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** express's `trust proxy`: false (no proxy), a number of proxy hops, or addresses, CIDR ranges and express's names of ranges. */
export type TrustProxy = false | number | string[];

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' `X-Forwarded-*` headers to believe: `false` (the default: none, the peer address is
 * the client), a hop count, or a comma-separated list of addresses, CIDR ranges and `loopback`,
 * `linklocal`, `uniquelocal`. `true` (every sender) is refused: any client could then choose its address.
 */
const trustProxy = z.union([z.boolean(), z.number(), z.string()]).transform((value, ctx): TrustProxy => {
  const text = String(value).trim().toLowerCase();
  if (text === 'false' || text === 'off' || text === '0') return false;
  if (/^\d+$/.test(text) && Number(text) <= 10) return Number(text);
  const entries = text.split(',').map((e) => e.trim());
  if (text !== 'true' && entries.every((e) => e !== '' && isProxyAddress(e))) return entries;
  ctx.addIssue({
    code: 'custom',
    message:
      text === 'true'
        ? 'must not be true (that believes every client); give the proxy\'s address, e.g. loopback or 10.0.0.0/8, or a hop count'
        : 'must be false, a hop count (0-10), or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal',
  });
  return z.NEVER;
});

/** The validated configuration every part of Threadline receives; nothing reads process.env elsewhere. */
export const configSchema = z
  .object({
    env: z.enum(['development', 'production', 'test']),
    port,
    host: z.string().min(1),
    publicUrl: z.url({ protocol: /^https?$/ }).nullable(),
    trustProxy: trustProxy.default(false),
    logLevel,
    dataDir: z.string().min(1),
    mongodbUri: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must start with mongodb:// or mongodb+srv://')
      .nullable(),
    secretKey: z.string().min(32, 'must be at least 32 characters').nullable(),
    admin: z
      .object({
        email: z.email().transform((s) => s.toLowerCase()),
        password: z.string().min(12, 'must be at least 12 characters'),
      })
      .nullable(),
    db: z.object({
      serverSelectionTimeoutMs: z.coerce.number().int().min(100),
      embeddedFallback: z.boolean(),
      embeddedEngine: z.enum(['lmdb', 'memory']),
    }),
    workers: z.object({
      heartbeatIntervalMs: z.coerce.number().int().min(100),
      staleAfterMs: z.coerce.number().int().min(100),
    }),
    mail: z.object({
      maxMessageBytes: z.coerce.number().int().min(1024),
      reopenClosedWithinSeconds: z.coerce.number().int().min(0),
      subjectMatchWithinSeconds: z.coerce.number().int().min(0),
      maxParticipantsPerMail: z.coerce.number().int().min(1),
      workBudgetMs: z.coerce.number().int().min(100),
      workerThreads: z.coerce.number().int().min(1).max(64),
    }),
    poller: z.object({
      pollIntervalMs: z.coerce.number().int().min(1000),
      maxIdleMs: z.coerce.number().int().min(1000).max(29 * 60_000, 'must be under 29 minutes (RFC 2177)'),
      fetchBatch: z.coerce.number().int().min(1).max(1000),
      connectTimeoutMs: z.coerce.number().int().min(100),
      backoffBaseMs: z.coerce.number().int().min(10),
      backoffMaxMs: z.coerce.number().int().min(10),
      configErrorRetryMs: z.coerce.number().int().min(10),
      maxIngestAttempts: z.coerce.number().int().min(1),
      leaseMs: z.coerce.number().int().min(1000),
      rescanMs: z.coerce.number().int().min(100),
    }),
    autoReply: z.object({
      windowSeconds: z.coerce.number().int().min(0),
      hourlyCap: z.coerce.number().int().min(0),
      maxMailAgeSeconds: z.coerce.number().int().min(0),
    }),
    jobs: z.object({ processEveryMs: z.coerce.number().int().min(10), lockLifetimeMs: z.coerce.number().int().min(100) }),
    outbox: z.object({
      maxAttempts: z.coerce.number().int().min(1),
      backoffBaseMs: z.coerce.number().int().min(10),
      backoffMaxMs: z.coerce.number().int().min(10),
      connectTimeoutMs: z.coerce.number().int().min(100),
    }),
    shutdownTimeoutMs: z.coerce.number().int().min(100),
    /**
     * Files agents attach to replies: per-file and per-mail limits in MB, how many files one mail may
     * carry, and the scan hook (a command each upload is streamed to on stdin; exit 0 clean, 1 refused,
     * anything else or no answer within the timeout: refused as not scanned). Null: no scan.
     */
    attachments: z
      .object({
        maxFileMb: z.coerce.number().positive().max(1024),
        maxMailMb: z.coerce.number().positive().max(1024),
        maxFiles: z.coerce.number().int().min(1).max(100),
        scanCommand: z.string().trim().min(1).max(2000).nullable(),
        scanTimeoutSeconds: z.coerce.number().int().min(1).max(3600),
      })
      .refine((a) => a.maxFileMb <= a.maxMailMb, { message: 'the per-file limit may not exceed the per-mail limit', path: ['maxFileMb'] })
      .default({ maxFileMb: 10, maxMailMb: 25, maxFiles: 20, scanCommand: null, scanTimeoutSeconds: 60 }),
    /**
     * The language of people who chose none and whose browser does not say (pages, agent and manager
     * mail), and the time zone of users who set none (null: the browser's at first sign-in, UTC until then).
     */
    i18n: z.object({
      defaultLocale: z.enum(LOCALES, { message: `must be one of ${LOCALES.join(', ')}` }),
      defaultTimeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Paris, or empty').nullable(),
    }),
    /**
     * Agent notification mail: `from` is its From address (null: each mail's inbox address). It goes
     * through the inbox's SMTP account, which must accept it as a sender. `collectMs`: how long the
     * first notification of a batch waits for others before it is mailed (tests shorten it).
     */
    notify: z
      .object({
        from: z.email({ message: 'must be an email address, e.g. notifications@help.example.com, or empty' }).transform((s) => s.toLowerCase()).nullable(),
        collectMs: z.coerce.number().int().min(0).max(3_600_000).default(NOTIFICATION_COLLECT_MS),
      })
      .default({ from: null, collectMs: NOTIFICATION_COLLECT_MS }),
    /** The access log (who opened which ticket, downloaded which attachment…): days an entry is kept; 0 keeps entries forever. */
    accessLog: z
      .object({
        retentionDays: z.coerce
          .number({ message: 'must be a whole number of days' })
          .int('must be a whole number of days')
          .min(0, 'must be 0 (keep forever) or more days')
          .max(ACCESS_LOG_MAX_RETENTION_DAYS, `must be at most ${ACCESS_LOG_MAX_RETENTION_DAYS} days`),
      })
      .default({ retentionDays: ACCESS_LOG_DEFAULT_RETENTION_DAYS }),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.env !== 'production') return;
    if (!cfg.secretKey) {
      ctx.addIssue({ code: 'custom', path: ['secretKey'], message: 'is required in production (set SECRET_KEY)' });
    }
    if (!cfg.mongodbUri) {
      ctx.addIssue({ code: 'custom', path: ['mongodbUri'], message: 'is required in production (set MONGODB_URI)' });
    }
  });

export type Config = z.infer<typeof configSchema>;
