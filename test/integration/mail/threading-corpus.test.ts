import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PollerSupervisor } from '../../../src/mail/poller-supervisor.js';
import { ingestBatch } from '../../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';
import { contentHashOf } from '../../../src/domain/dedupe.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { mergeRootOf } from '../../../src/store/ticket-writes.js';
import { testLogger } from '../../helpers/db.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { TEST_SECRET_KEY, createImapInbox } from '../../helpers/inbox.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { pairwiseScore, readGroundTruth, readMbox, shuffled } from '../../helpers/mbox.js';
import { MBOX_FILE, TRUTH_FILE, corpusFiles, generateCorpus } from '../../fixtures/prose-in-reply-to/generate.js';

// One month of fedora-devel (Jan 2010) with Mailman's own threads as ground truth; see the fixture's PROVENANCE.txt.
const DIR = path.resolve(import.meta.dirname, '../../fixtures/fedora-devel-2010-01');
const messages = readMbox(path.join(DIR, 'fedora-devel-2010-January.mbox'));
const truth = readGroundTruth(path.join(DIR, 'THREADS.mailman-groundtruth.tsv'));

// Replies whose In-Reply-To prose names the answered author's address (nmh, mutt, Pine, Gnus, Eudora); see generate.ts.
const proseMessages = readMbox(MBOX_FILE);
const proseTruth = readGroundTruth(TRUTH_FILE);

let dovecot: DovecotServer;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  dovecot = await startDovecot(['ordered@example.test', 'shuffled@example.test', 'prose-ordered@example.test', 'prose-shuffled@example.test']);
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await dovecot.stop();
});

async function threadThroughDovecot(user: string, order: Buffer[], corpus = { truth, now: new Date('2010-02-01T00:00:00Z') }) {
  const client = await dovecot.client(user);
  try {
    for (const raw of order) await client.append('INBOX', raw);
  } finally {
    await client.logout();
  }
  const fx = await ingestFixture(`corpus_${user.split('@')[0]}`);
  await fx.models.Inbox.deleteMany({});
  const inbox = await createImapInbox(fx.models, { address: user, port: dovecot.port, password: dovecot.password });
  const deps = { ...fx.deps, now: () => corpus.now };
  const supervisor = new PollerSupervisor({
    ...fx.stores, secrets: createSecretBox(TEST_SECRET_KEY), logger: testLogger, now: () => new Date(), owner: user, leaseMs: 5000, rescanMs: 500,
    ingest: (batch) => ingestBatch(deps, batch),
    quarantine: async (q) => void (await quarantineMail(fx.deps, { ...q, contentHash: contentHashOf(q.raw) })),
    settings: { pollIntervalMs: 60_000, maxIdleMs: 60_000, fetchBatch: 50, connectTimeoutMs: 2000, backoff: { baseMs: 100, maxMs: 1000 }, configErrorRetryMs: 60_000, maxIngestAttempts: 3 },
  });
  cleanups.push(async () => {
    await supervisor.stop();
    await fx.db.drop();
  });
  await supervisor.start();
  await expect.poll(() => fx.models.Message.countDocuments({ deliveredTo: inbox._id, ingestState: 'complete' }), { timeout: 90_000, interval: 500 }).toBe(order.length);

  const predicted = new Map<string, string>();
  for (const m of await fx.models.Message.find({}, { messageId: 1, ticketId: 1 }).lean()) {
    predicted.set(m.messageId!, (await mergeRootOf(fx.models, m.ticketId)).toHexString());
  }
  const score = pairwiseScore(predicted, corpus.truth);
  const tickets = await fx.models.Ticket.countDocuments({ mergedIntoId: null });
  console.log(`threading ${user}: precision ${score.precision.toFixed(4)} recall ${score.recall.toFixed(4)}; ${tickets} tickets for ${new Set(corpus.truth.values()).size} threads`);
  return { score, fx };
}

describe('threading accuracy on fedora-devel 2010-01 (292 messages, Mailman ground truth)', () => {
  it('has the whole corpus and its ground truth', () => {
    expect(messages).toHaveLength(292);
    expect(truth.size).toBe(292);
  });

  it('threads the month appended in mailbox order', async () => {
    const { score, fx } = await threadThroughDovecot('ordered@example.test', messages);
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.98);
    expect(await fx.models.Quarantine.countDocuments()).toBe(0);
  }, 120_000);

  it('threads the same month appended in a shuffled order', async () => {
    const { score } = await threadThroughDovecot('shuffled@example.test', shuffled(messages, 20100101));
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.98);
  }, 120_000);
});

describe('threading accuracy on In-Reply-To prose naming the correspondent (348 messages, generated ground truth)', () => {
  const prose = { truth: proseTruth, now: new Date('2026-04-01T00:00:00Z') };

  it('has the corpus its generator writes', () => {
    const files = corpusFiles(generateCorpus());
    expect(readFileSync(MBOX_FILE, 'latin1')).toBe(files.mbox);
    expect(readFileSync(TRUTH_FILE, 'utf8')).toBe(files.truth);
    expect(proseMessages).toHaveLength(348);
    expect(new Set(proseTruth.values()).size).toBe(48);
  });

  it('threads it appended in mailbox order', async () => {
    const { score, fx } = await threadThroughDovecot('prose-ordered@example.test', proseMessages, prose);
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.95);
    expect(await fx.models.Quarantine.countDocuments()).toBe(0);
  }, 120_000);

  it('threads it appended in a shuffled order', async () => {
    const { score } = await threadThroughDovecot('prose-shuffled@example.test', shuffled(proseMessages, 20260302), prose);
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
