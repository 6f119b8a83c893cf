import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverJob } from '../../../src/jobs/definitions.js';
import { createJobWorker, type JobWorker } from '../../../src/jobs/job-worker.js';
import { createScheduler } from '../../../src/jobs/scheduler.js';
import { isAppError } from '../../../src/domain/errors.js';
import { createMailSender } from '../../../src/mail/smtp-transport.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../src/services/outbound/deliver-outbox-item.js';
import { DELIVER_JOB, queueMail, type QueueMailDeps } from '../../../src/services/outbound/queue-mail.js';
import type { OutboxDoc } from '../../../src/store/models/outbox.js';
import type { TicketEventDoc } from '../../../src/store/models/ticket-event.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../helpers/inbox.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { compose } from '../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let smtp: TestSmtp;
let agenda: Agenda;
let worker: JobWorker;
let deps: QueueMailDeps;
let deliverDeps: DeliverDeps;
const sender = createMailSender({ connectionTimeoutMs: 2000 });

beforeAll(async () => {
  db = await openTestDb('outbox');
  smtp = await startSmtp();
  agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }), processEvery: 50 });
  await agenda.ready;
  deps = { ...db.stores, scheduler: createScheduler(agenda, db.connection.db!.collection('jobs')), compose, sign: (v) => `sig${v.length}`.padEnd(12, 'x'), now: () => new Date() };
  deliverDeps = { ...db.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 400 } } };
  worker = createJobWorker({ agenda, logger: testLogger, definitions: [deliverJob(deliverDeps, 5000)] });
  await worker.start();
});
afterAll(async () => {
  await worker.stop(2000);
  sender.close();
  await smtp.close();
  await db.drop();
});

async function setup(address: string) {
  const inbox = await db.models.Inbox.create({ name: 'Support', address, imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
  const ticket = await db.models.Ticket.create({ number: Math.floor(Math.random() * 1e6), inboxId: inbox._id, subject: 'Printer', requester: { email: 'ann@customer.test' } });
  return { inbox, ticket };
}

function reply(inbox: Awaited<ReturnType<typeof setup>>['inbox'], ticket: Awaited<ReturnType<typeof setup>>['ticket'], dedupeKey: string | null, queueDeps = deps) {
  return queueMail(queueDeps, {
    kind: 'agent-reply',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey,
    to: [{ address: 'ann@customer.test', name: 'Ann' }],
    subject: `Re: Printer [#${ticket.number}]`,
    text: 'Have you tried turning it off and on again?',
    inReplyTo: 'orig@customer.test',
    references: ['orig@customer.test'],
    envelopeFrom: inbox.address,
    storeAsMessage: true,
  });
}

const deliveredTo = (messageId: string) => smtp.received.filter((m) => m.raw.toString().includes(`<${messageId}>`));

describe('outbox delivery through a real SMTP server', () => {
  it('delivers a queued reply once, threaded, from our domain, and records it', async () => {
    const { inbox, ticket } = await setup('one@help.example.test');
    const item = await reply(inbox, ticket, 'reply:1');
    expect(item.messageId).toMatch(new RegExp(`^tl\\.${ticket.number}\\.[0-9a-f]{24}\\.[0-9a-z]{10}@help\\.example\\.test$`));
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 10_000 }).toBe('sent');
    const got = deliveredTo(item.messageId);
    expect(got).toHaveLength(1);
    expect(got[0]!.raw.toString()).toContain('Have you tried turning it off and on again?');
    expect(got[0]!.mailFrom).toBe('one@help.example.test');
    const parsed = await parseMail(got[0]!.raw, { maxBytes: 1e6 });
    expect(parsed).toMatchObject({ messageId: item.messageId, inReplyTo: ['orig@customer.test'], references: ['orig@customer.test'], subject: `Re: Printer [#${ticket.number}]` });
    const stored = await db.models.Message.findOne({ messageId: item.messageId }).lean();
    expect(stored).toMatchObject({ direction: 'outbound', ticketId: ticket._id, delivery: { state: 'sent' } });
    expect(stored!.threadKeys).toContain('orig@customer.test');
    expect(await db.models.TicketEvent.countDocuments({ ticketId: ticket._id, type: 'reply_sent' })).toBe(1);
    // Queueing again with the same key is a no-op.
    expect((await reply(inbox, ticket, 'reply:1'))._id).toEqual(item._id);
    expect(await db.models.Outbox.countDocuments({ dedupeKey: 'reply:1' })).toBe(1);
  });

  it('retries a temporary failure (451) and delivers exactly once', async () => {
    const { inbox, ticket } = await setup('two@help.example.test');
    smtp.script([451]);
    const item = await reply(inbox, ticket, 'reply:2');
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 10_000 }).toBe('sent');
    const sent = (await db.models.Outbox.findById(item._id).lean())!;
    expect(sent.attempts).toBe(2);
    expect(sent.lastError).toMatchObject({ smtpCode: 451 });
    expect(deliveredTo(item.messageId)).toHaveLength(1);
  });

  it('stops at a permanent failure (550), shows it on the ticket, and sends nothing', async () => {
    const { inbox, ticket } = await setup('three@help.example.test');
    smtp.script([550]);
    const item = await reply(inbox, ticket, 'reply:3');
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 10_000 }).toBe('failed');
    const failed = (await db.models.Outbox.findById(item._id).lean())!;
    expect(failed).toMatchObject({ attempts: 1, lastError: { smtpCode: 550 } });
    expect(deliveredTo(item.messageId)).toHaveLength(0);
    // The trail entry and the message's state follow the outbox's (afterSettled): waited for, not raced.
    await expect.poll(async () => (await db.models.TicketEvent.findOne({ ticketId: ticket._id, type: 'reply_failed' }).lean())?.data, { timeout: 10_000 }).toMatchObject({ error: { smtpCode: 550 } });
    await expect.poll(async () => (await db.models.Message.findOne({ messageId: item.messageId }).lean())?.delivery, { timeout: 10_000 }).toMatchObject({ state: 'failed' });
  });

  it('gives up after the attempt limit when the server keeps deferring', async () => {
    const { inbox, ticket } = await setup('four@help.example.test');
    smtp.script([421, 421, 421]);
    const item = await reply(inbox, ticket, 'reply:4');
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 10_000 }).toBe('failed');
    expect((await db.models.Outbox.findById(item._id).lean())!).toMatchObject({ attempts: 3, lastError: { code: 'RETRIES_EXHAUSTED', smtpCode: 421 } });
    expect(deliveredTo(item.messageId)).toHaveLength(0);
  });

  it('retries when the SMTP server cannot be reached', async () => {
    const { inbox, ticket } = await setup('five@help.example.test');
    await db.models.Inbox.updateOne({ _id: inbox._id }, { $set: { 'smtp.port': 1 } });
    const item = await reply(inbox, ticket, null);
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.lastError?.code, { timeout: 10_000 }).toBe('ESOCKET');
    await db.models.Inbox.updateOne({ _id: inbox._id }, { $set: { 'smtp.port': smtp.port } });
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 10_000 }).toBe('sent');
    expect(deliveredTo(item.messageId)).toHaveLength(1);
    void Types;
  });
});

/** Queues a reply without scheduling its job, so the test alone decides which delivery runs happen. */
async function unscheduledReply(address: string, dedupeKey: string) {
  const { inbox, ticket } = await setup(address);
  return reply(inbox, ticket, dedupeKey, { ...deps, scheduler: { ...deps.scheduler, schedule: async () => undefined } });
}

const deferredRun = (err: unknown) => isAppError(err, 'DELIVERY_DEFERRED');

describe('the conversation copy of our mail', () => {
  it('is stored once however many upserts of it race', async () => {
    const { inbox, ticket } = await setup('race@help.example.test');
    const quiet = { ...deps, scheduler: { ...deps.scheduler, schedule: async () => undefined } };
    const items = await Promise.all(Array.from({ length: 10 }, () => reply(inbox, ticket, 'reply:race', quiet)));
    const messageId = items[0]!.messageId;
    expect(new Set(items.map((i) => i.messageId))).toEqual(new Set([messageId]));
    expect(await db.models.Message.countDocuments({ messageId, direction: 'outbound' })).toBe(1);

    // The same write without the outbox in front: ten concurrent upserts keyed by the Message-ID.
    const again = 'tl.race.direct@help.example.test';
    const upsert = () =>
      db.models.Message.updateOne(
        { messageId: again, direction: 'outbound' },
        { $setOnInsert: { ticketId: ticket._id, inboxId: inbox._id, direction: 'outbound', messageId: again } },
        { upsert: true },
      ).catch((err: { code?: number }) => {
        if (err.code !== 11000) throw err;
      });
    await Promise.all(Array.from({ length: 10 }, upsert));
    expect(await db.models.Message.countDocuments({ messageId: again })).toBe(1);

    // Received mail may repeat a Message-ID (the dedupe key tells the copies apart).
    const inbound = { ticketId: ticket._id, inboxId: inbox._id, direction: 'inbound' as const, messageId: again };
    await db.models.Message.create([{ ...inbound, dedupeKey: `${again}|a` }, { ...inbound, dedupeKey: `${again}|b` }]);
    expect(await db.models.Message.countDocuments({ messageId: again })).toBe(3);
  });
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('delivery runs that overlap', () => {
  it('two overlapping delivery runs send the mail once', async () => {
    const item = await unscheduledReply('six@help.example.test', 'reply:6');
    const leaseMs = 500;
    smtp.answerAfter(2500);
    try {
      const first = Promise.allSettled([deliverOutboxItem(deliverDeps, item._id, leaseMs), deliverOutboxItem(deliverDeps, item._id, leaseMs)]);
      // Longer than the lease, while the slow server still holds the first run: the claim was renewed.
      await sleep(leaseMs * 2 + 100);
      const late = await deliverOutboxItem(deliverDeps, item._id, leaseMs).then(
        (outcome) => ({ outcome }),
        (err: unknown) => ({ err }),
      );
      expect('err' in late && deferredRun(late.err)).toBe(true);
      const both = await first;
      expect(both.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual(['sent']);
      const refused = both.find((r) => r.status === 'rejected');
      expect(deferredRun(refused?.reason)).toBe(true);
      expect((refused!.reason as { details: { nextAttemptAt: unknown } }).details.nextAttemptAt).toBeInstanceOf(Date);
    } finally {
      smtp.answerAfter(0);
    }
    expect(deliveredTo(item.messageId)).toHaveLength(1);
    const settled = (await db.models.Outbox.findById(item._id).lean())!;
    // Only the run that held the claim counted as an attempt; settling released the claim.
    expect(settled).toMatchObject({ state: 'sent', attempts: 1, claimedBy: null, claimedUntil: null });
    expect(await deliverOutboxItem(deliverDeps, item._id, leaseMs)).toBe('skipped');
    expect(deliveredTo(item.messageId)).toHaveLength(1);
    expect(await db.models.TicketEvent.countDocuments({ ticketId: item.ticketId, type: 'reply_sent' })).toBe(1);
  });

  it('leaves a live claim alone and takes over an expired one, sending the same bytes', async () => {
    const item = await unscheduledReply('seven@help.example.test', 'reply:7');
    // A run whose worker died after the server accepted the mail, its claim still running.
    const claimedUntil = new Date(Date.now() + 60_000);
    await db.models.Outbox.updateOne({ _id: item._id }, { $set: { state: 'sending', attempts: 1, claimedBy: 'dead-run', claimedUntil } });
    const refused = await deliverOutboxItem(deliverDeps, item._id, 1000).catch((err: unknown) => err);
    expect(deferredRun(refused)).toBe(true);
    expect((refused as { details: { nextAttemptAt: Date } }).details.nextAttemptAt).toEqual(claimedUntil);
    expect(deliveredTo(item.messageId)).toHaveLength(0);
    expect((await db.models.Outbox.findById(item._id).lean())!).toMatchObject({ state: 'sending', attempts: 1, claimedBy: 'dead-run' });

    await db.models.Outbox.updateOne({ _id: item._id }, { $set: { claimedUntil: new Date(Date.now() - 1) } });
    expect(await deliverOutboxItem(deliverDeps, item._id, 1000)).toBe('sent');
    expect(deliveredTo(item.messageId)).toHaveLength(1);
    expect(deliveredTo(item.messageId)[0]!.raw.toString()).toBe(item.raw.toString());
    expect((await db.models.Outbox.findById(item._id).lean())!).toMatchObject({ state: 'sent', attempts: 2, claimedBy: null, claimedUntil: null });
  });

  it('takes over a mail left sending without any claim', async () => {
    const item = await unscheduledReply('eight@help.example.test', 'reply:8');
    await db.models.Outbox.collection.updateOne({ _id: item._id }, { $set: { state: 'sending', attempts: 1 }, $unset: { claimedBy: '', claimedUntil: '' } });
    expect(await deliverOutboxItem(deliverDeps, item._id, 1000)).toBe('sent');
    expect(deliveredTo(item.messageId)).toHaveLength(1);
  });

  it('the job runner retries a run refused by a live claim once the claim ends, without counting it as an attempt', async () => {
    const item = await unscheduledReply('nine@help.example.test', 'reply:9');
    await db.models.Outbox.updateOne({ _id: item._id }, { $set: { state: 'sending', attempts: 1, claimedBy: 'dead-run', claimedUntil: new Date(Date.now() + 800) } });
    await deps.scheduler.schedule(DELIVER_JOB, { key: item._id.toHexString() });
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 10_000 }).toBe('sent');
    expect((await db.models.Outbox.findById(item._id).lean())!.attempts).toBe(2);
    expect(deliveredTo(item.messageId)).toHaveLength(1);
  });
});

describe('a delivery run killed right after it marked the mail settled', () => {
  const quiet = () => ({ ...deps, scheduler: { ...deps.scheduler, schedule: async () => undefined } });

  /** Puts the mail's conversation copy and trail back to how a run killed right after the outbox write left them. */
  async function undoFollowUps(item: Pick<OutboxDoc, 'messageId' | 'ticketId' | 'createdAt'>, eventType: TicketEventDoc['type']) {
    await db.models.Message.updateOne({ messageId: item.messageId, direction: 'outbound' }, { $set: { delivery: { state: 'pending', error: null, at: item.createdAt } } });
    await db.models.TicketEvent.deleteMany({ ticketId: item.ticketId, type: eventType });
  }

  it.each([
    ['agent-reply', 'reply_sent'],
    ['auto-reply', 'auto_reply_sent'],
  ] as const)('regression: a sent %s whose run was killed before its follow-up writes shows as sent, once, when delivery runs again', async (kind, eventType) => {
    const { inbox, ticket } = await setup(`killed-${kind}@help.example.test`);
    const item = await queueMail(quiet(), {
      kind,
      inbox,
      ticket: { _id: ticket._id, number: ticket.number },
      dedupeKey: `killed:${kind}`,
      to: [{ address: 'ann@customer.test', name: 'Ann' }],
      subject: `Re: Printer [#${ticket.number}]`,
      text: 'We are on it.',
      envelopeFrom: kind === 'auto-reply' ? '' : inbox.address,
      storeAsMessage: true,
    });
    expect(await deliverOutboxItem(deliverDeps, item._id, 1000)).toBe('sent');
    const sent = (await db.models.Outbox.findById(item._id).lean())!;
    await undoFollowUps(item, eventType);

    expect(await deliverOutboxItem(deliverDeps, item._id, 1000)).toBe('skipped');
    const copy = (await db.models.Message.findOne({ messageId: item.messageId, direction: 'outbound' }).lean())!;
    expect(copy.delivery).toMatchObject({ state: 'sent', error: null, at: sent.sentAt });
    const events = await db.models.TicketEvent.find({ ticketId: ticket._id, type: eventType }).lean();
    expect(events).toHaveLength(1);
    expect(events[0]!.at).toEqual(sent.sentAt);
    expect(events[0]!.data).toMatchObject({ outboxId: item._id, kind, messageId: item.messageId });
    // Nothing was sent again, and the outbox item is as the first run left it.
    expect(deliveredTo(item.messageId)).toHaveLength(1);
    expect((await db.models.Outbox.findById(item._id).lean())!).toMatchObject({ state: 'sent', attempts: 1, sentAt: sent.sentAt });

    // A further run changes nothing.
    expect(await deliverOutboxItem(deliverDeps, item._id, 1000)).toBe('skipped');
    expect(await db.models.TicketEvent.countDocuments({ ticketId: ticket._id, type: eventType })).toBe(1);
    expect(deliveredTo(item.messageId)).toHaveLength(1);
  });

  it('regression: a mail refused for good (550) whose run was killed before its follow-up writes shows as failed when its job runs again', async () => {
    const item = await unscheduledReply('killed-failed@help.example.test', 'killed:failed');
    smtp.script([550]);
    expect(await deliverOutboxItem(deliverDeps, item._id, 1000)).toBe('failed');
    const failed = (await db.models.Outbox.findById(item._id).lean())!;
    expect(failed.lastError).toMatchObject({ smtpCode: 550 });
    await undoFollowUps(item, 'reply_failed');

    // The job runner runs the delivery job again, as it does for a job whose worker died.
    await deps.scheduler.schedule(DELIVER_JOB, { key: item._id.toHexString() });
    await expect.poll(async () => (await db.models.Message.findOne({ messageId: item.messageId, direction: 'outbound' }).lean())!.delivery?.state, { timeout: 10_000 }).toBe('failed');
    await expect.poll(async () => db.models.TicketEvent.countDocuments({ ticketId: item.ticketId, type: 'reply_failed' }), { timeout: 10_000 }).toBe(1);
    const copy = (await db.models.Message.findOne({ messageId: item.messageId, direction: 'outbound' }).lean())!;
    expect(copy.delivery).toMatchObject({ state: 'failed', error: failed.lastError!.message, at: failed.lastError!.at });
    const event = (await db.models.TicketEvent.findOne({ ticketId: item.ticketId, type: 'reply_failed' }).lean())!;
    expect(event.data).toMatchObject({ outboxId: item._id, error: { smtpCode: 550 } });
    expect((await db.models.Outbox.findById(item._id).lean())!).toMatchObject({ state: 'failed', attempts: 1 });
    expect(deliveredTo(item.messageId)).toHaveLength(0);
  });
});
