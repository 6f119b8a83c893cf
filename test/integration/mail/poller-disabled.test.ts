import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PollerSupervisor } from '../../../src/mail/poller-supervisor.js';
import { ingestBatch } from '../../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';
import { disableInbox, enableInbox } from '../../../src/services/inboxes/set-inbox-enabled.js';
import { contentHashOf } from '../../../src/domain/dedupe.js';
import type { Actor } from '../../../src/services/access.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { TEST_SECRET_KEY, createImapInbox } from '../../helpers/inbox.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { testLogger } from '../../helpers/db.js';

let dovecot: DovecotServer;
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let supervisor: PollerSupervisor;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

beforeAll(async () => {
  dovecot = await startDovecot(['off@example.test']);
  fx = await ingestFixture('poller_disabled');
  await fx.models.Inbox.deleteMany({});
});
afterAll(async () => {
  await supervisor?.stop();
  await fx.db.drop();
  await dovecot.stop();
});

describe('a disabled inbox and the poller supervisor', () => {
  it('stops polling a disabled inbox at the next scan, and resumes once it is enabled', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'off@example.test', port: dovecot.port, password: dovecot.password });
    const deps = { ...fx.deps, now: () => new Date() };
    // The real inbox store, counting the supervisor's scans (each reads the inbox list once).
    let scans = 0;
    const inboxes = { ...fx.stores.inboxes, listAll: () => ((scans += 1), fx.stores.inboxes.listAll()) };
    supervisor = new PollerSupervisor({
      ...fx.stores,
      inboxes,
      secrets: createSecretBox(TEST_SECRET_KEY),
      logger: testLogger,
      now: () => new Date(),
      owner: 'proc-off',
      leaseMs: 3000,
      rescanMs: 100,
      ingest: (batch) => ingestBatch(deps, batch),
      quarantine: async (q) => void (await quarantineMail(fx.deps, { ...q, contentHash: contentHashOf(q.raw) })),
      settings: { pollIntervalMs: 120_000, maxIdleMs: 120_000, fetchBatch: 10, connectTimeoutMs: 2000, backoff: { baseMs: 100, maxMs: 1000 }, configErrorRetryMs: 60_000, maxIngestAttempts: 3 },
    });
    const tickets = () => fx.models.Ticket.countDocuments({ inboxId: inbox._id });
    const pollers = () => (supervisor.status().detail as { mailboxes: string[] }).mailboxes.length;

    await dovecot.append('off@example.test', rawMail({ to: 'off@example.test', messageId: 'before@c.test', subject: 'Before' }));
    await supervisor.start();
    await expect.poll(tickets, { timeout: 15_000 }).toBe(1);

    await disableInbox({ inboxes: fx.stores.inboxes, now: () => new Date() }, admin, inbox._id.toHexString());
    await expect.poll(pollers, { timeout: 5000 }).toBe(0);
    await dovecot.append('off@example.test', rawMail({ to: 'off@example.test', messageId: 'while@c.test', subject: 'While disabled' }));
    // Several scans go by after the mail arrived; nothing is fetched.
    const scansBefore = scans;
    await expect.poll(() => scans, { timeout: 10_000 }).toBeGreaterThanOrEqual(scansBefore + 3);
    expect(await tickets()).toBe(1);

    await enableInbox({ inboxes: fx.stores.inboxes, now: () => new Date() }, admin, inbox._id.toHexString());
    await expect.poll(tickets, { timeout: 15_000 }).toBe(2);
  });
});
