import { randomUUID } from 'node:crypto';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Collection } from 'mongodb';
import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverJob } from '../../../../src/jobs/definitions.js';
import { createJobWorker, type JobWorker } from '../../../../src/jobs/job-worker.js';
import { createScheduler } from '../../../../src/jobs/scheduler.js';
import type { JobScheduler } from '../../../../src/services/ports.js';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { DELIVER_JOB } from '../../../../src/services/outbound/queue-mail.js';
import { sendAutoReply } from '../../../../src/services/auto-reply/send-auto-reply.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { autoReplyDeps, customerMail } from '../../../helpers/auto-reply.js';
import { testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { startSmtp, type TestSmtp } from '../../../helpers/smtp.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let smtp: TestSmtp;
let agenda: Agenda;
let jobs: Collection;
let scheduler: JobScheduler;
let worker: JobWorker;
const sender = createMailSender({ connectionTimeoutMs: 2000 });

beforeAll(async () => {
  fx = await ingestFixture('send_auto_reply');
  smtp = await startSmtp();
  await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'smtp.port': smtp.port } });
  agenda = new Agenda({ backend: new MongoBackend({ mongo: fx.db.connection.db!, collection: 'jobs' }), processEvery: 50 });
  await agenda.ready;
  jobs = fx.db.connection.db!.collection('jobs');
  scheduler = createScheduler(agenda, jobs);
  const deliver = { models: fx.models, ...fx.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 400 } } };
  worker = createJobWorker({ agenda, logger: testLogger, definitions: [deliverJob(deliver, 5000)] });
  await worker.start();
});
afterAll(async () => {
  await worker.stop(2000);
  sender.close();
  await smtp.close();
  await fx.db.drop();
});

/** A new customer (each test its own, as the auto-reply window is per recipient) opens a ticket. */
async function newTicket(): Promise<{ customer: string; ticketId: Types.ObjectId; messageDocId: Types.ObjectId }> {
  const customer = `c-${randomUUID().slice(0, 8)}@customer.test`;
  fx.clock.now = new Date();
  const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: customerMail({ from: `Ann <${customer}>`, messageId: `${randomUUID()}@customer.test` }), source: null });
  expect(result).toMatchObject({ outcome: 'ticketed', created: true });
  const { ticketId, messageDocId } = result as { ticketId: Types.ObjectId; messageDocId: Types.ObjectId };
  return { customer, ticketId, messageDocId };
}

const deliveredTo = (messageId: string) => smtp.received.filter((m) => m.raw.toString().includes(`<${messageId}>`));
const trail = async (ticketId: Types.ObjectId) => (await fx.models.TicketEvent.find({ ticketId }).lean()).map((e) => e.type);
const outboxItemOf = (messageDocId: Types.ObjectId) => fx.models.Outbox.findOne({ dedupeKey: `auto-reply:${messageDocId.toHexString()}` }).lean();
const deliveryJobs = (outboxId: Types.ObjectId) => jobs.countDocuments({ name: DELIVER_JOB, 'data.key': outboxId.toHexString() });
/** A process that dies when it gets to scheduling the delivery. */
const dyingScheduler = (): JobScheduler => ({ ...scheduler, schedule: async () => Promise.reject(new Error('simulated crash')) });

/** The auto-reply was sent once to the customer, shows once in the conversation as sent, and was never called suppressed. */
async function expectDeliveredOnce(ticketId: Types.ObjectId, customer: string, messageDocId: Types.ObjectId) {
  const item = (await outboxItemOf(messageDocId))!;
  await expect.poll(async () => fx.models.TicketEvent.countDocuments({ ticketId, type: 'auto_reply_sent' }), { timeout: 10_000 }).toBe(1);
  expect((await fx.models.Outbox.findById(item._id).lean())!.state).toBe('sent');
  const got = deliveredTo(item.messageId);
  expect(got).toHaveLength(1);
  expect(got[0]).toMatchObject({ mailFrom: '', rcptTo: [customer] });
  expect(await fx.models.Outbox.countDocuments({ ticketId })).toBe(1);
  const copies = await fx.models.Message.find({ messageId: item.messageId, direction: 'outbound' }).lean();
  expect(copies).toHaveLength(1);
  expect(copies[0]!.delivery).toMatchObject({ state: 'sent' });
  expect(await trail(ticketId)).not.toContain('auto_reply_suppressed');
}

describe('an auto-reply job run again after a crash', () => {
  it.each([
    ['right after its outbox write, before its conversation copy', true],
    ['after its conversation copy, before its delivery was scheduled', false],
  ] as const)('regression: an auto-reply cut %s is still delivered, not suppressed by its own outbox item', async (_when, beforeCopy) => {
    const { customer, ticketId, messageDocId } = await newTicket();
    await expect(sendAutoReply(autoReplyDeps(fx, dyingScheduler()), messageDocId)).rejects.toThrow('simulated crash');
    const item = (await outboxItemOf(messageDocId))!;
    expect(item).toMatchObject({ kind: 'auto-reply', state: 'pending' });
    if (beforeCopy) await fx.models.Message.deleteOne({ messageId: item.messageId, direction: 'outbound' });
    expect(await deliveryJobs(item._id)).toBe(0);

    // The job runs again (its lock expired after the crash).
    expect(await sendAutoReply(autoReplyDeps(fx, scheduler), messageDocId)).toBe('queued');
    expect(await deliveryJobs(item._id)).toBe(1);
    await expectDeliveredOnce(ticketId, customer, messageDocId);
    expect((await outboxItemOf(messageDocId))!._id).toEqual(item._id);
  });

  it('regression: an auto-reply cut after its outbox write and retried after the mail-age limit is still delivered, not suppressed as old mail', async () => {
    const { customer, ticketId, messageDocId } = await newTicket();
    await expect(sendAutoReply(autoReplyDeps(fx, dyingScheduler()), messageDocId)).rejects.toThrow('simulated crash');
    // The worker was down for two days: the mail is now older than maxMailAgeSeconds (one day).
    const twoDaysLater = () => new Date(Date.now() + 2 * 86_400_000);
    expect(await sendAutoReply(autoReplyDeps(fx, scheduler, twoDaysLater), messageDocId)).toBe('queued');
    await expectDeliveredOnce(ticketId, customer, messageDocId);
  });

  it('regression: re-running an auto-reply that completed records no false "suppressed" and sends nothing more', async () => {
    const { customer, ticketId, messageDocId } = await newTicket();
    const deps = autoReplyDeps(fx, scheduler);
    expect(await sendAutoReply(deps, messageDocId)).toBe('queued');
    await expectDeliveredOnce(ticketId, customer, messageDocId);
    const item = (await outboxItemOf(messageDocId))!;

    // The process died after the job's work but before Agenda marked it done: it runs once more.
    expect(await sendAutoReply(deps, messageDocId)).toBe('queued');
    expect(await trail(ticketId)).not.toContain('auto_reply_suppressed');
    expect(await fx.models.TicketEvent.countDocuments({ ticketId, type: 'auto_reply_sent' })).toBe(1);
    expect(await fx.models.Outbox.countDocuments({ ticketId })).toBe(1);
    expect(await fx.models.Message.countDocuments({ messageId: item.messageId, direction: 'outbound' })).toBe(1);
    expect(await deliveryJobs(item._id)).toBe(1);
    // Give a wrongly scheduled second delivery the time to happen.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deliveredTo(item.messageId)).toHaveLength(1);
  });

  it('regression: two runs of one auto-reply job at once (a lock lost under load) send it once and never call it suppressed', async () => {
    const { customer, ticketId, messageDocId } = await newTicket();
    expect(await sendAutoReply(autoReplyDeps(fx, scheduler), messageDocId)).toBe('queued');
    // The second run read "not decided yet" just before the first one queued the mail, then saw
    // that mail as the customer's last auto-reply (the window) and as one of the hour's (the cap).
    const deps = autoReplyDeps(fx, scheduler);
    const raced = { ...deps, outbox: { ...deps.outbox, existsWithDedupeKey: async () => false } };
    expect(await sendAutoReply(raced, messageDocId)).toBe('queued');
    await expectDeliveredOnce(ticketId, customer, messageDocId);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId, type: 'auto_reply_sent' })).toBe(1);
  });

  it('still suppresses a second mail of the same customer within the window (the window check itself is unchanged)', async () => {
    const { customer, ticketId, messageDocId } = await newTicket();
    expect(await sendAutoReply(autoReplyDeps(fx, scheduler), messageDocId)).toBe('queued');
    await expectDeliveredOnce(ticketId, customer, messageDocId);

    const second = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: customerMail({ from: customer, messageId: `${randomUUID()}@customer.test`, subject: 'Another thing' }), source: null });
    expect(second).toMatchObject({ outcome: 'ticketed', created: true });
    const { ticketId: secondTicket, messageDocId: secondMessage } = second as { ticketId: Types.ObjectId; messageDocId: Types.ObjectId };
    expect(await sendAutoReply(autoReplyDeps(fx, scheduler), secondMessage)).toBe('suppressed');
    const suppressed = await fx.models.TicketEvent.findOne({ ticketId: secondTicket, type: 'auto_reply_suppressed' }).lean();
    expect(suppressed!.data).toMatchObject({ reason: 'window' });
    expect(await outboxItemOf(secondMessage)).toBeNull();
  });
});
