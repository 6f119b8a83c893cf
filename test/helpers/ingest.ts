import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { parseMail } from '../../src/mail/parse-mail.js';
import { SANITIZER_RULES, sanitizeEmailHtml } from '../../src/mail/sanitize-html.js';
import type { IngestDeps } from '../../src/services/ingest/ingest-email.js';
import type { QuarantineScreenDeps } from '../../src/services/quarantine/quarantine-deps.js';
import { createBlobStore, type BlobStore } from '../../src/store/blob-store.js';
import { IngestWriteBuffer } from '../../src/store/ingest-writes.js';
import type { Models } from '../../src/store/models/index.js';
import type { Stores } from '../../src/store/stores.js';
import { openTestDb, testLogger } from './db.js';

/** Ingest dependencies over a fresh test database, with a movable clock. */
export async function ingestFixture(prefix: string, opts: { maxBytes?: number } = {}) {
  const db = await openTestDb(prefix);
  const clock = { now: new Date('2026-11-21T09:00:00Z') };
  const blobs = createBlobStore(db.connection.db!);
  await blobs.ensureIndexes();
  const inbox = await db.models.Inbox.create({
    _id: new Types.ObjectId(),
    name: 'Support',
    address: 'support@example.test',
    imap: { host: '127.0.0.1', port: 143, secure: false, user: 'support@example.test' },
    smtp: { host: '127.0.0.1', port: 25, secure: false },
  });
  const deps = ingestDepsOver(db, blobs, {
    now: () => clock.now,
    ownAddresses: async () => new Set((await db.models.Inbox.find({}, { address: 1 }).lean()).map((i) => i.address)),
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
  });
  return { db, deps, clock, inbox, models: db.models, stores: db.stores };
}

/** The key ingest's Message-ID signatures use in tests, unless a test names its own. */
const TEST_SIGNING_KEY = 'test-secret-key-of-at-least-32-chars';

/**
 * The ingest pipeline over a database's models and stores, as the pollers wire it: real parsing
 * (`maxBytes`, 30 MB by default), sanitizing and write buffer, and the usual threading settings.
 */
export function ingestDepsOver(
  db: { models: Models; stores: Stores },
  blobs: BlobStore,
  opts: { now: () => Date; ownAddresses: () => Promise<Set<string>>; sign?: (value: string) => string; maxBytes?: number },
): IngestDeps {
  return {
    ...db.stores,
    startWrites: (onStored) => new IngestWriteBuffer(db.models, onStored),
    blobs,
    parse: (raw) => parseMail(raw, { maxBytes: opts.maxBytes ?? 30 * 1024 * 1024 }),
    sanitizeHtml: (html) => sanitizeEmailHtml(html).html,
    sanitizerRules: SANITIZER_RULES,
    sign: opts.sign ?? ((v) => createHmac('sha256', TEST_SIGNING_KEY).update(v).digest('hex')),
    now: opts.now,
    logger: testLogger,
    ownAddresses: opts.ownAddresses,
    settings: { reopenClosedWithinSeconds: 14 * 86400, subjectMatchWithinSeconds: 30 * 86400 },
  };
}

/**
 * The quarantine screen's dependencies over a test database: the ingest pipeline as `ingestFixture`
 * builds it, a message size limit of `maxBytes`, and a parse without that limit.
 */
export function quarantineScreenDeps(db: Awaited<ReturnType<typeof openTestDb>>, blobs: BlobStore, now: () => Date, maxBytes = 30 * 1024 * 1024): QuarantineScreenDeps {
  const ingest: IngestDeps = {
    ...db.stores,
    startWrites: (onStored) => new IngestWriteBuffer(db.models, onStored),
    blobs,
    parse: (raw) => parseMail(raw, { maxBytes }),
    sanitizeHtml: (html) => sanitizeEmailHtml(html).html,
    sanitizerRules: SANITIZER_RULES,
    sign: (v) => createHmac('sha256', 'test-secret-key-of-at-least-32-chars').update(v).digest('hex'),
    now,
    logger: testLogger,
    ownAddresses: async () => new Set((await db.models.Inbox.find({}, { address: 1 }).lean()).map((i) => i.address)),
    settings: { reopenClosedWithinSeconds: 14 * 86400, subjectMatchWithinSeconds: 30 * 86400 },
  };
  return { quarantine: db.stores.quarantine, blobs, ingest, parseAnySize: (raw) => parseMail(raw, { maxBytes: Math.max(raw.length, maxBytes) }) };
}
