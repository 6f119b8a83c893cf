import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import { deliverOutboxItem, deliveryRetryDelayMs, type DeliverDeps } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { queueMail } from '../../../../src/services/outbound/queue-mail.js';
import type { OutboxKind } from '../../../../src/domain/outbox.js';
import type { DeliveryResult, MailSender, SmtpAccount } from '../../../../src/services/ports.js';
import type { InboxDoc } from '../../../../src/store/models/inbox.js';
import { createSecretBox, createSigner } from '../../../../src/store/secret-box.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let inbox: InboxDoc;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const now = new Date();
const settings = { maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 600_000 } };
const LEASE_MS = 60_000;
let number = 0;

beforeAll(async () => {
  db = await openTestDb('deliver_outbox');
  const view = await createInbox({ ...db.stores, secrets, logger: testLogger }, admin, newInboxInput('help@deliver.test'));
  inbox = (await db.stores.inboxes.findById(new Types.ObjectId(view.id)))!;
});
afterAll(() => db.drop());

/** A MailSender that talks to no server: it notes each mail and answers the next scripted result (else accepts). */
function fakeSender(...script: DeliveryResult[]) {
  const sent: Array<{ account: SmtpAccount; envelope: { from: string; to: string[] }; raw: Buffer }> = [];
  let hold: Promise<void> | null = null;
  const sender: MailSender & { sent: typeof sent; holdUntil(gate: Promise<void>): void } = {
    sent,
    holdUntil: (gate) => void (hold = gate),
    async send(account, envelope, raw) {
      sent.push({ account, envelope, raw });
      if (hold) await hold;
      return script.shift() ?? { ok: true, response: '250 2.0.0 queued as 42' };
    },
    close() {},
  };
  return sender;
}
const deps = (sender: MailSender, at = now): DeliverDeps => ({ ...db.stores, sender, secrets, now: () => at, logger: testLogger, settings });
const refused = (smtpCode: number, permanent: boolean): DeliveryResult => ({ ok: false, permanent, code: 'EENVELOPE', message: `${smtpCode} mailbox unavailable`, smtpCode });

/** A mail of this kind on a new ticket, queued without scheduling its job: the test runs delivery itself. */
async function queued(kind: OutboxKind = 'agent-reply') {
  number += 1;
  const t = await db.models.Ticket.create({ number, inboxId: inbox._id, subject: 'Printer', requester: { email: 'ann@customer.test' } });
  const item = await queueMail(
    { ...db.stores, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), now: () => now },
    {
      kind,
      inbox,
      ticket: { _id: t._id, number },
      dedupeKey: `${kind}:${t.id}`,
      to: [{ address: kind === 'sla-reminder' ? 'agent@acme.test' : 'ann@customer.test', name: null }],
      subject: 'Re: Printer',
      text: 'We are on it.',
      envelopeFrom: kind === 'agent-reply' ? inbox.address : '',
      storeAsMessage: kind !== 'sla-reminder',
    },
  );
  return { item, ticketId: t._id };
}
const outbox = async (id: Types.ObjectId) => (await db.models.Outbox.findById(id).lean())!;
const trail = async (ticketId: Types.ObjectId) => (await db.models.TicketEvent.find({ ticketId }).lean()).map((e) => e.type);
/** A lean outbox document holds its bytes as a BSON Binary. */
const bytes = (raw: Buffer | { buffer: Uint8Array }) => (Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer));
const copy = async (messageId: string) => (await db.models.Message.findOne({ messageId, direction: 'outbound' }).lean())?.delivery;

describe('deliverOutboxItem', () => {
  it('sends the stored bytes through the inbox’s SMTP account with its password, and records the mail as sent', async () => {
    const { item, ticketId } = await queued();
    const sender = fakeSender();
    expect(await deliverOutboxItem(deps(sender), item._id, LEASE_MS)).toBe('sent');
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]!.account).toEqual({ host: 'smtp.example.test', port: 465, secure: true, user: 'help@deliver.test', password: 'smtp secret' });
    expect(sender.sent[0]!.envelope).toEqual({ from: 'help@deliver.test', to: ['ann@customer.test'] });
    expect(sender.sent[0]!.raw.equals(bytes(item.raw))).toBe(true);
    expect(await outbox(item._id)).toMatchObject({ state: 'sent', attempts: 1, sentAt: now, smtpResponse: '250 2.0.0 queued as 42', claimedBy: null, claimedUntil: null });
    expect(await copy(item.messageId)).toMatchObject({ state: 'sent', at: now });
    expect(await trail(ticketId)).toEqual(['reply_sent']);
  });

  it('sends a settled mail never again: a further run is skipped', async () => {
    const { item, ticketId } = await queued();
    const sender = fakeSender();
    await deliverOutboxItem(deps(sender), item._id, LEASE_MS);
    expect(await deliverOutboxItem(deps(sender), item._id, LEASE_MS)).toBe('skipped');
    expect(sender.sent).toHaveLength(1);
    expect(await trail(ticketId)).toEqual(['reply_sent']);
  });

  it('records a sent auto-reply as such, and a sent notification to agents not at all', async () => {
    const auto = await queued('auto-reply');
    const reminder = await queued('sla-reminder');
    const sender = fakeSender();
    expect(await deliverOutboxItem(deps(sender), auto.item._id, LEASE_MS)).toBe('sent');
    expect(await deliverOutboxItem(deps(sender), reminder.item._id, LEASE_MS)).toBe('sent');
    expect(sender.sent.map((s) => s.envelope.from)).toEqual(['', '']);
    expect(await trail(auto.ticketId)).toEqual(['auto_reply_sent']);
    expect(await trail(reminder.ticketId)).toEqual([]);
  });

  it('fails a mail the server refuses for good (5xx) at once, and shows it on the ticket and in the conversation', async () => {
    const { item, ticketId } = await queued();
    const sender = fakeSender(refused(550, true));
    expect(await deliverOutboxItem(deps(sender), item._id, LEASE_MS)).toBe('failed');
    const error = { code: 'EENVELOPE', message: '550 mailbox unavailable', smtpCode: 550, at: now };
    expect(await outbox(item._id)).toMatchObject({ state: 'failed', attempts: 1, lastError: error });
    expect(await copy(item.messageId)).toMatchObject({ state: 'failed', error: '550 mailbox unavailable' });
    const events = await db.models.TicketEvent.find({ ticketId }).lean();
    expect(events.map((e) => [e.type, e.data.error])).toEqual([['reply_failed', error]]);
    expect(await deliverOutboxItem(deps(sender), item._id, LEASE_MS)).toBe('skipped');
    expect(sender.sent).toHaveLength(1);
  });

  it('shows a failed notification to agents on the ticket too', async () => {
    const { item, ticketId } = await queued('sla-reminder');
    expect(await deliverOutboxItem(deps(fakeSender(refused(550, true))), item._id, LEASE_MS)).toBe('failed');
    expect(await trail(ticketId)).toEqual(['reply_failed']);
  });

  it('hands a mail the server defers (4xx) back for a later attempt with backoff, and fails it after the attempt limit', async () => {
    const { item, ticketId } = await queued();
    const sender = fakeSender(refused(421, false), refused(421, false), refused(421, false));
    for (const attempt of [1, 2]) {
      const err = await appErrorFrom(deliverOutboxItem(deps(sender), item._id, LEASE_MS));
      const nextAttemptAt = new Date(now.getTime() + deliveryRetryDelayMs(attempt, settings.backoff));
      expect(err).toMatchObject({ code: 'DELIVERY_DEFERRED', details: { outboxId: item._id.toHexString(), nextAttemptAt } });
      expect(await outbox(item._id)).toMatchObject({ state: 'pending', attempts: attempt, nextAttemptAt, lastError: { smtpCode: 421 }, claimedBy: null });
      expect(await trail(ticketId)).toEqual([]);
    }
    expect(deliveryRetryDelayMs(2, settings.backoff)).toBeGreaterThan(deliveryRetryDelayMs(1, settings.backoff));
    expect(await deliverOutboxItem(deps(sender), item._id, LEASE_MS)).toBe('failed');
    expect(await outbox(item._id)).toMatchObject({ state: 'failed', attempts: 3, lastError: { code: 'RETRIES_EXHAUSTED', smtpCode: 421 } });
    expect(await trail(ticketId)).toEqual(['reply_failed']);
    expect(sender.sent).toHaveLength(3);
  });

  it('fails a mail whose inbox no longer exists, without sending it', async () => {
    const { item } = await queued();
    const sender = fakeSender();
    await db.models.Outbox.updateOne({ _id: item._id }, { $set: { inboxId: new Types.ObjectId() } });
    expect(await deliverOutboxItem(deps(sender), item._id, LEASE_MS)).toBe('failed');
    expect((await outbox(item._id)).lastError).toMatchObject({ code: 'NOT_FOUND' });
    expect(sender.sent).toEqual([]);
  });

  it('leaves a mail another run holds alone until that run’s claim ends, without counting an attempt, then takes it over', async () => {
    const { item } = await queued();
    const claimedUntil = new Date(now.getTime() + 30_000);
    await db.models.Outbox.updateOne({ _id: item._id }, { $set: { state: 'sending', attempts: 1, claimedBy: 'another-run', claimedUntil } });
    const sender = fakeSender();
    const err = await appErrorFrom(deliverOutboxItem(deps(sender), item._id, LEASE_MS));
    expect(err).toMatchObject({ code: 'DELIVERY_DEFERRED', details: { nextAttemptAt: claimedUntil } });
    expect(await outbox(item._id)).toMatchObject({ state: 'sending', attempts: 1, claimedBy: 'another-run' });
    expect(sender.sent).toEqual([]);

    // That run died: once its claim has ended, the mail is sent, the very same bytes.
    expect(await deliverOutboxItem(deps(sender, claimedUntil), item._id, LEASE_MS)).toBe('sent');
    expect(await outbox(item._id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(sender.sent).toHaveLength(1);
  });

  it('sends a mail once when two runs start on it at the same moment', async () => {
    const { item, ticketId } = await queued();
    const sender = fakeSender();
    let release!: () => void;
    sender.holdUntil(new Promise<void>((resolve) => (release = resolve)));
    const runs = [deliverOutboxItem(deps(sender), item._id, LEASE_MS), deliverOutboxItem(deps(sender), item._id, LEASE_MS)];
    // The slow server holds one run; the other is turned away without waiting for it.
    let firstSettled: unknown;
    try {
      firstSettled = await Promise.race(runs.map((run) => run.then((outcome) => outcome, (err: unknown) => err)));
    } finally {
      release();
    }
    expect(firstSettled).toMatchObject({ code: 'DELIVERY_DEFERRED' });
    const results = await Promise.allSettled(runs);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual(['sent']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'DELIVERY_DEFERRED' } });
    expect(sender.sent).toHaveLength(1);
    expect(await outbox(item._id)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(await trail(ticketId)).toEqual(['reply_sent']);
  });
});
