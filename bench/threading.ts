/**
 * Threading benchmark: pairwise precision and recall of the tickets Threadline makes against ground
 * truth, on the fedora-devel month (Mailman's threads) and on the synthetic prose In-Reply-To corpus
 * (test/fixtures/prose-in-reply-to), each in mailbox order and shuffled with a fixed seed, through the
 * ingest pipeline (parse → dedupe → thread → store, batches of 50 as the poller hands them in) over a
 * devdb in this process. The baseline is the same run with the message-id extractor from before
 * In-Reply-To prose was read (every `local@domain` word an id, addresses included).
 * Run: `npm run bench -- threading`; MONGODB_URI runs it against a real MongoDB instead.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { Types } from 'mongoose';
import pino from 'pino';
import type { ParsedMail } from '../src/domain/mail.js';
import { stripComments } from '../src/domain/mail-headers.js';
import { startDevDb } from '../src/devdb/server.js';
import { parseMail } from '../src/mail/parse-mail.js';
import { SANITIZER_RULES, sanitizeEmailHtml } from '../src/mail/sanitize-html.js';
import { ingestBatch, type IngestDeps } from '../src/services/ingest/ingest-email.js';
import { createBlobStore } from '../src/store/blob-store.js';
import { connectMongo } from '../src/store/database.js';
import { IngestWriteBuffer } from '../src/store/ingest-writes.js';
import { createModels, ensureIndexes } from '../src/store/models/index.js';
import { createStores } from '../src/store/stores.js';
import { mergeRootOf } from '../src/store/ticket-writes.js';
import { pairwiseScore, readGroundTruth, readMbox, shuffled } from '../test/helpers/mbox.js';
import { printTable } from './stats.js';

const FIXTURES = path.resolve(import.meta.dirname, '../test/fixtures');
const CORPORA = [
  {
    name: 'fedora-devel 2010-01',
    mbox: path.join(FIXTURES, 'fedora-devel-2010-01/fedora-devel-2010-January.mbox'),
    truth: path.join(FIXTURES, 'fedora-devel-2010-01/THREADS.mailman-groundtruth.tsv'),
    now: new Date('2010-02-01T00:00:00Z'),
    seed: 20100101,
  },
  {
    name: 'prose In-Reply-To (synthetic)',
    mbox: path.join(FIXTURES, 'prose-in-reply-to/prose-in-reply-to.mbox'),
    truth: path.join(FIXTURES, 'prose-in-reply-to/THREADS.groundtruth.tsv'),
    now: new Date('2026-04-01T00:00:00Z'),
    seed: 20260302,
  },
];
const BATCH = 50;
const logger = pino({ level: 'silent' });

/** The extractor before the fix, kept verbatim as the baseline: every `local@domain` word is an id. */
function naiveMessageIds(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const ids: string[] = [];
  const add = (raw: string): void => {
    const id = raw.replace(/\s+/g, '').replace(/^<+|>+$/g, '');
    const at = id.lastIndexOf('@');
    // eslint-disable-next-line no-control-regex -- the old plausibility check, unchanged
    const plausible = id.length >= 3 && id.length <= 320 && at > 0 && at < id.length - 1 && !/[\s<>()[\]\\,;"\x00-\x1f\x7f]/.test(id.replace(/\[[^\]]*\]$/, ''));
    if (plausible && !seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  };
  for (const value of values) {
    const text = stripComments(value).replace(/"(?:[^"\\]|\\.)*"/g, ' ');
    const positions: Array<{ at: number; id: string }> = [];
    const rest = text.replace(/<([^<>]*)>/g, (whole, inner: string, at: number) => {
      positions.push({ at, id: inner });
      return ' '.repeat(whole.length);
    });
    for (const m of rest.matchAll(/[^\s,;<>]+/g)) if (m[0].includes('@')) positions.push({ at: m.index ?? 0, id: m[0] });
    positions.sort((a, b) => a.at - b.at);
    for (const p of positions) add(p.id);
  }
  return ids;
}

async function parseNaively(raw: Buffer): Promise<ParsedMail> {
  const mail = await parseMail(raw, { maxBytes: 30 * 1024 * 1024 });
  const h = mail.headers;
  return { ...mail, messageId: naiveMessageIds(h['message-id'] ?? [])[0] ?? null, inReplyTo: naiveMessageIds(h['in-reply-to'] ?? []), references: naiveMessageIds(h['references'] ?? []) };
}

/** Ingests `messages` into a fresh database; returns the score and the number of tickets left. */
async function thread(uri: string, messages: Buffer[], truth: Map<string, string>, now: Date, naive: boolean) {
  const connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000, dbName: `bench_threading_${process.pid}_${new Types.ObjectId().toHexString()}` }, logger);
  const models = createModels(connection);
  await ensureIndexes(models);
  const blobs = createBlobStore(connection.db!);
  await blobs.ensureIndexes();
  const inbox = await models.Inbox.create({
    name: 'Support', address: 'support@example.test',
    imap: { host: '127.0.0.1', port: 143, secure: false, user: 'support@example.test' }, smtp: { host: '127.0.0.1', port: 25, secure: false },
  });
  const deps: IngestDeps = {
    ...createStores(models), blobs, logger,
    startWrites: (onStored) => new IngestWriteBuffer(models, onStored),
    parse: naive ? parseNaively : (raw) => parseMail(raw, { maxBytes: 30 * 1024 * 1024 }),
    sanitizeHtml: (html) => sanitizeEmailHtml(html).html,
    sanitizerRules: SANITIZER_RULES,
    sign: (v) => createHmac('sha256', 'bench-secret-key-of-at-least-32-chars').update(v).digest('hex'),
    now: () => now,
    ownAddresses: async () => new Set(['support@example.test']),
    settings: { reopenClosedWithinSeconds: 14 * 86400, subjectMatchWithinSeconds: 30 * 86400 },
  };
  for (let i = 0; i < messages.length; i += BATCH) {
    await ingestBatch(deps, messages.slice(i, i + BATCH).map((raw) => ({ inboxId: inbox._id, raw, source: null })));
  }
  const predicted = new Map<string, string>();
  for (const m of await models.Message.find({}, { messageId: 1, ticketId: 1 }).lean()) {
    if (m.messageId) predicted.set(m.messageId, (await mergeRootOf(models, m.ticketId)).toHexString());
  }
  const tickets = await models.Ticket.countDocuments({ mergedIntoId: null });
  await connection.dropDatabase();
  await connection.close();
  return { ...pairwiseScore(predicted, truth), tickets };
}

async function main() {
  const devdb = process.env.MONGODB_URI ? null : await startDevDb({ host: '127.0.0.1', port: 0 });
  const uri = process.env.MONGODB_URI ?? devdb!.uri;
  const rows: string[][] = [];
  for (const corpus of CORPORA) {
    const messages = readMbox(corpus.mbox);
    const truth = readGroundTruth(corpus.truth);
    const threads = new Set(truth.values()).size;
    for (const [order, list] of [['mailbox', messages], [`shuffled (seed ${corpus.seed})`, shuffled(messages, corpus.seed)]] as const) {
      const now = await thread(uri, list, truth, corpus.now, false);
      const before = await thread(uri, list, truth, corpus.now, true);
      rows.push([
        corpus.name, order, `${messages.length}/${threads}`,
        now.precision.toFixed(3), now.recall.toFixed(3), String(now.tickets),
        before.precision.toFixed(3), before.recall.toFixed(3), String(before.tickets),
      ]);
    }
  }
  await devdb?.close();
  console.log('\nThreading: pairwise precision / recall against ground truth (baseline: every local@domain word an id)');
  printTable(['corpus', 'order', 'messages/threads', 'precision', 'recall', 'tickets', 'baseline precision', 'baseline recall', 'baseline tickets'], rows);
}

await main();
