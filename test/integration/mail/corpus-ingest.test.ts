import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PollerSupervisor } from '../../../src/mail/poller-supervisor.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { detectBounce } from '../../../src/domain/bounce.js';
import { ingestBatch, type IngestResult } from '../../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';
import { contentHashOf } from '../../../src/domain/dedupe.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { testLogger } from '../../helpers/db.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { TEST_SECRET_KEY, createImapInbox } from '../../helpers/inbox.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { emlFiles, readFixture, splitMbox } from '../../helpers/mail-fixtures.js';

let dovecot: DovecotServer;
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let supervisor: PollerSupervisor;
const outcomes: IngestResult[] = [];
const crashes: string[] = [];

const crlf = (raw: Buffer) => Buffer.from(raw.toString('latin1').replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'latin1');
const bounces = [
  ...emlFiles('sisimai-bounces/maildir/bsd').map(readFixture),
  ...['mbox-0', 'mbox-1'].flatMap((f) => splitMbox(readFixture(`sisimai-bounces/mailbox/${f}`))),
].map(crlf);
const torture = emlFiles('mikel-mail').map(readFixture).map(crlf);

beforeAll(async () => {
  dovecot = await startDovecot(['bounces@example.test', 'torture@example.test']);
  fx = await ingestFixture('corpus_ingest');
  await fx.models.Inbox.deleteMany({});
  const deps = { ...fx.deps, now: () => new Date() };
  supervisor = new PollerSupervisor({
    ...fx.stores, secrets: createSecretBox(TEST_SECRET_KEY), logger: testLogger, now: () => new Date(), owner: 'corpus', leaseMs: 5000, rescanMs: 300,
    ingest: async (batch) => {
      const results = await ingestBatch(deps, batch);
      results.forEach((r, i) => (r.status === 'fulfilled' ? outcomes.push(r.value) : crashes.push(`${batch[i]!.source?.uid}: ${(r.reason as Error).stack}`)));
      return results;
    },
    quarantine: async (q) => void (await quarantineMail(fx.deps, { ...q, contentHash: contentHashOf(q.raw) })),
    settings: { pollIntervalMs: 60_000, maxIdleMs: 60_000, fetchBatch: 50, connectTimeoutMs: 2000, backoff: { baseMs: 100, maxMs: 1000 }, configErrorRetryMs: 60_000, maxIngestAttempts: 3 },
  });
});
afterAll(async () => {
  await supervisor.stop();
  await fx.db.drop();
  await dovecot.stop();
});

async function appendAll(user: string, raws: Buffer[]): Promise<number> {
  const client = await dovecot.client(user);
  try {
    for (const raw of raws) await client.append('INBOX', raw);
  } finally {
    await client.logout();
  }
  return raws.length;
}

async function drain(inboxId: { toHexString(): string }, count: number) {
  await expect.poll(async () => (await fx.models.MailboxCursor.findById(`${inboxId.toHexString()}:INBOX`).lean())?.lastUid, { timeout: 120_000, interval: 500 }).toBe(count);
}

describe('real-world corpora through Dovecot and the whole ingest pipeline', () => {
  it('files every one of the sisimai bounces without opening a ticket', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'bounces@example.test', port: dovecot.port, password: dovecot.password });
    await supervisor.start();
    await drain(inbox._id, await appendAll('bounces@example.test', bounces));
    expect(crashes).toEqual([]);
    // The one deliberate exception: a person forwarding a bounce to us is asking for help.
    let forwarded = 0;
    for (const raw of bounces) {
      const report = detectBounce(await parseMail(raw, { maxBytes: 30 * 1024 * 1024 }));
      expect(report).not.toBeNull();
      if (report!.reason === 'forwarded-bounce') forwarded++;
    }
    expect(bounces.length).toBeGreaterThanOrEqual(629 + 38);
    expect(forwarded).toBeLessThanOrEqual(2);
    expect(await fx.models.Ticket.countDocuments({ inboxId: inbox._id })).toBe(forwarded);
    const unmatched = await fx.models.Quarantine.countDocuments({ inboxId: inbox._id, reason: 'BOUNCE_UNMATCHED' });
    console.log(`sisimai: ${bounces.length} appended, ${unmatched} quarantined as unmatched bounces, ${forwarded} forwarded bounces ticketed`);
    expect(unmatched).toBeGreaterThan(bounces.length * 0.9);
  }, 180_000);

  it('ingests or quarantines every MIME torture message, with no crash', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'torture@example.test', port: dovecot.port, password: dovecot.password });
    await drain(inbox._id, await appendAll('torture@example.test', torture));
    expect(crashes).toEqual([]);
    const stored = await fx.models.Message.countDocuments({ deliveredTo: inbox._id });
    const quarantined = await fx.models.Quarantine.countDocuments({ inboxId: inbox._id });
    console.log(`mikel-mail: ${torture.length} appended, ${stored} stored as messages, ${quarantined} quarantined`);
    expect(stored + quarantined).toBeGreaterThan(0);
    // Every appended message is accounted for: stored, quarantined, or recognised as a copy of one already stored.
    const accounted = outcomes.filter((o) => o.outcome !== undefined).length;
    expect(accounted).toBeGreaterThanOrEqual(bounces.length + torture.length);
  }, 180_000);
});
