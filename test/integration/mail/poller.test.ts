import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PollerSupervisor } from '../../../src/mail/poller-supervisor.js';
import { ingestBatch } from '../../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';
import { contentHashOf } from '../../../src/domain/dedupe.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { TEST_SECRET_KEY, createImapInbox } from '../../helpers/inbox.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { testLogger } from '../../helpers/db.js';

let dovecot: DovecotServer;
let fx: Awaited<ReturnType<typeof ingestFixture>>;
const supervisors: PollerSupervisor[] = [];

beforeAll(async () => {
  dovecot = await startDovecot(['support@example.test', 'sales@example.test', 'seen@example.test', 'uv@example.test']);
  fx = await ingestFixture('poller');
  await fx.models.Inbox.deleteMany({});
});
afterAll(async () => {
  for (const s of supervisors) await s.stop();
  await fx.db.drop();
  await dovecot.stop();
});

function supervisor(owner: string, overrides: { pollIntervalMs?: number } = {}) {
  const deps = { ...fx.deps, now: () => new Date() };
  const s = new PollerSupervisor({
    ...fx.stores,
    secrets: createSecretBox(TEST_SECRET_KEY),
    logger: testLogger,
    now: () => new Date(),
    owner,
    leaseMs: 3000,
    rescanMs: 200,
    ingest: (batch) => ingestBatch(deps, batch),
    quarantine: async (q) => void (await quarantineMail(fx.deps, { ...q, contentHash: contentHashOf(q.raw) })),
    settings: {
      // Long enough that only IDLE can explain a ticket appearing within a few seconds.
      pollIntervalMs: overrides.pollIntervalMs ?? 120_000,
      maxIdleMs: 120_000,
      fetchBatch: 3,
      connectTimeoutMs: 2000,
      backoff: { baseMs: 100, maxMs: 1000 },
      configErrorRetryMs: 60_000,
      maxIngestAttempts: 3,
    },
  });
  supervisors.push(s);
  return s;
}

const ticketCount = (inboxId: Types.ObjectId) => fx.models.Ticket.countDocuments({ inboxId });
// A ticket is written just before its message; completed messages are the settled count.
const settled = (inboxId: Types.ObjectId) => fx.models.Message.countDocuments({ deliveredTo: inboxId, ingestState: 'complete' });
const status = async (inboxId: Types.ObjectId) => fx.models.InboxStatus.findById(inboxId).lean();

describe('mailbox poller against Dovecot', () => {
  it('syncs existing mail, then picks up new mail through IDLE, once each', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'support@example.test', port: dovecot.port, password: dovecot.password });
    for (let i = 0; i < 5; i++) await dovecot.append('support@example.test', rawMail({ messageId: `pre${i}@c.test`, subject: `Backlog ${i}` }));
    await supervisor('proc-a').start();
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(5);
    expect(await ticketCount(inbox._id)).toBe(5);
    await expect.poll(async () => (await status(inbox._id))?.state, { timeout: 5000 }).toBe('idle');
    await dovecot.append('support@example.test', rawMail({ messageId: 'live@c.test', subject: 'Arrived while idling' }));
    await expect.poll(() => settled(inbox._id), { timeout: 10_000, interval: 50 }).toBe(6);
    expect(await ticketCount(inbox._id)).toBe(6);
    // The cursor moves just after the commit that makes the ticket visible.
    await expect.poll(async () => (await fx.models.MailboxCursor.findById(`${inbox._id.toHexString()}:INBOX`).lean())?.lastUid, { timeout: 5000 }).toBe(6);
    expect((await status(inbox._id))!.lastError).toBeNull();
    expect(await fx.models.Message.countDocuments({ 'source.folder': 'INBOX', deliveredTo: inbox._id })).toBe(6);
  });

  it('lets only one of two pollers work a mailbox, and stores every mail once', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'sales@example.test', port: dovecot.port, password: dovecot.password });
    await supervisor('proc-b').start();
    for (let i = 0; i < 6; i++) await dovecot.append('sales@example.test', rawMail({ to: 'sales@example.test', messageId: `two${i}@c.test`, subject: `Two pollers ${i}` }));
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(6);
    expect(await ticketCount(inbox._id)).toBe(6);
    const lease = await fx.models.MailboxLease.findById(inbox._id.toHexString()).lean();
    expect(['proc-a', 'proc-b']).toContain(lease!.owner);
    expect(await fx.models.Message.countDocuments({ messageId: /^two\d@c\.test$/ })).toBe(6);
  });

  it('marks mail seen on the server only after it is stored', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'seen@example.test', port: dovecot.port, password: dovecot.password, markSeen: true });
    await dovecot.append('seen@example.test', rawMail({ to: 'seen@example.test', messageId: 'seen1@c.test' }));
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(1);
    const client = await dovecot.client('seen@example.test');
    try {
      await expect.poll(async () => {
        const st = await client.status('INBOX', { unseen: true });
        return st ? st.unseen : undefined;
      }, { timeout: 5000 }).toBe(0);
    } finally {
      await client.logout();
    }
  });

  it('re-syncs after a UIDVALIDITY change without duplicating anything', async () => {
    const inbox = await createImapInbox(fx.models, { address: 'uv@example.test', port: dovecot.port, password: dovecot.password });
    for (let i = 0; i < 3; i++) await dovecot.append('uv@example.test', rawMail({ to: 'uv@example.test', messageId: `uv${i}@c.test` }));
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(3);
    for (const s of supervisors.splice(0)) await s.stop();
    await dovecot.setUidValidity('uv@example.test', 'INBOX', 424242);
    await dovecot.append('uv@example.test', rawMail({ to: 'uv@example.test', messageId: 'uv-after@c.test' }));
    await supervisor('proc-c').start();
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(4);
    expect(await ticketCount(inbox._id)).toBe(4);
    await expect.poll(async () => (await fx.models.MailboxCursor.findById(`${inbox._id.toHexString()}:INBOX`).lean())?.uidValidity, { timeout: 5000 }).toBe('424242');
    expect(await fx.models.Message.countDocuments({ messageId: /^uv/ })).toBe(4);
  });

  it('shows wrong credentials, an unreachable host and a missing folder as errors on that inbox only', async () => {
    const badPassword = await createImapInbox(fx.models, { address: 'wrong@example.test', user: 'support@example.test', port: dovecot.port, password: 'not-the-password' });
    const unreachable = await createImapInbox(fx.models, { address: 'nowhere@example.test', port: 1, password: 'x' });
    const noFolder = await createImapInbox(fx.models, { address: 'nofolder@example.test', user: 'support@example.test', port: dovecot.port, password: dovecot.password, folder: 'Missing' });
    await expect.poll(async () => (await status(badPassword._id))?.lastError?.code, { timeout: 15_000 }).toBe('IMAP_AUTH_FAILED');
    await expect.poll(async () => (await status(unreachable._id))?.lastError?.code, { timeout: 15_000 }).toBe('IMAP_UNREACHABLE');
    await expect.poll(async () => (await status(noFolder._id))?.lastError?.code, { timeout: 15_000 }).toBe('IMAP_FOLDER_MISSING');
    const bad = (await status(badPassword._id))!;
    expect(bad.state).toBe('error');
    // Wrong credentials are not retried in a tight loop.
    expect(bad.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(30_000);
    expect(JSON.stringify(bad)).not.toContain('not-the-password');
    // Between attempts it waits (backoff) or tries again (connecting); it is never parked as a config error.
    expect(['backoff', 'connecting']).toContain((await status(unreachable._id))!.state);
    // The healthy inbox still works.
    const support = await fx.models.Inbox.findOne({ address: 'support@example.test' }).lean();
    const before = await settled(support!._id);
    await dovecot.append('support@example.test', rawMail({ messageId: 'still-works@c.test' }));
    await expect.poll(() => settled(support!._id), { timeout: 10_000 }).toBe(before + 1);
  });
});
