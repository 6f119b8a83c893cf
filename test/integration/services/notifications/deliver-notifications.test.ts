import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationOfReplyAddress, notificationReplyAddress } from '../../../../src/domain/notification-reply.js';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import { deliverNotifications, type DeliverNotificationsDeps } from '../../../../src/services/notifications/deliver-notifications.js';
import { NOTIFY_JOB, notify, type NotificationEvent } from '../../../../src/services/notifications/notify.js';
import { deliverOutboxItem } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { DELIVER_JOB } from '../../../../src/services/outbound/queue-mail.js';
import { createSecretBox, createSigner } from '../../../../src/store/secret-box.js';
import { createUser } from '../../../helpers/api.js';
import { clockNearRealTime } from '../../../helpers/clock.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { memoryJobQueue } from '../../../helpers/job-queue.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../../../helpers/smtp.js';
import { compose } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let smtp: TestSmtp;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const sign = createSigner(TEST_SECRET_KEY);
const queue = memoryJobQueue();
const clock = { now: clockNearRealTime() };
const ids: Record<string, Types.ObjectId> = {};
let inbox: { _id: Types.ObjectId; address: string };
let number = 700;

const deps = (over: Partial<DeliverNotificationsDeps> = {}): DeliverNotificationsDeps => ({
  ...db.stores,
  scheduler: queue.scheduler,
  compose,
  sign,
  now: () => clock.now,
  render: renderEmail,
  ticketUrlBase: 'https://desk.notify.test/tickets/',
  ...over,
});
const notifyDeps = () => ({ ...db.stores, scheduler: queue.scheduler, now: () => clock.now });
const deliverDeps = () => ({ ...db.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => clock.now, logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 400 } } });
/** Plays the job worker at the test's clock: notification jobs, then the mail they queued through the real SMTP server. */
const runJobs = (over: Partial<DeliverNotificationsDeps> = {}) =>
  queue.runDue(clock.now, {
    [NOTIFY_JOB]: (data) => deliverNotifications(deps(over), new Types.ObjectId(String(data.userId))),
    [DELIVER_JOB]: (data) => deliverOutboxItem(deliverDeps(), new Types.ObjectId(String(data.key)), 60_000),
  });
const later = (ms: number) => void (clock.now = new Date(clock.now.getTime() + ms));
const header = (m: ReceivedMail, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(m.raw.toString())?.[1]?.trim();
const mailsTo = (address: string) => smtp.received.filter((m) => m.rcptTo.includes(address));

async function ticket(subject: string) {
  number += 1;
  return db.models.Ticket.create({ number, inboxId: inbox._id, subject, requester: { email: 'pat@customer.test', name: 'Pat' }, status: 'open' });
}
const event = (t: { _id: Types.ObjectId; number: number; subject: string; inboxId: Types.ObjectId }, over: Partial<NotificationEvent>): NotificationEvent => ({
  kind: 'assigned',
  key: `test:${new Types.ObjectId().toHexString()}`,
  ticket: t,
  at: clock.now,
  data: { by: { name: 'Max Manager' } },
  userIds: [],
  ...over,
});

beforeAll(async () => {
  db = await openTestDb('deliver_notifications');
  smtp = await startSmtp();
  inbox = await db.models.Inbox.create({ name: 'Support', address: 'support@notify.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
  ids.ann = (await createUser(db.models, { email: 'ann@notify.test', password: 'ann password 123', inboxIds: [inbox._id], name: 'Ann' }))._id;
  ids.lea = (await createUser(db.models, { email: 'lea@notify.test', password: 'lea password 123', inboxIds: [inbox._id], name: 'Léa' }))._id;
  ids.dee = (await createUser(db.models, { email: 'dee@notify.test', password: 'dee password 123', inboxIds: [inbox._id], name: 'Dee' }))._id;
  await db.models.User.updateOne({ _id: ids.lea }, { $set: { locale: 'fr', timeZone: 'Europe/Paris' } });
});
afterAll(async () => {
  sender.close();
  await smtp.close();
  await db.drop();
});

describe('a batch about one ticket', () => {
  it('is a mail about that ticket: signed Reply-To, one thread per ticket, automated headers, a link by id', async () => {
    const t = await ticket('Printer on fire');
    await notify(notifyDeps(), [event(t, { userIds: [ids.ann!] })]);
    // Waits for the rest of the run (the collect delay) before anything is mailed.
    expect(await runJobs()).toEqual({});
    later(10_000);
    expect(await runJobs()).toEqual({ [NOTIFY_JOB]: 1, [DELIVER_JOB]: 1 });

    const [mail] = mailsTo('ann@notify.test');
    const parsed = await parseMail(mail!.raw, { maxBytes: 1e6 });
    const stored = (await db.models.Notification.findOne({ userId: ids.ann, ticketId: t._id }).lean())!;
    expect(stored).toMatchObject({ mail: 'sent', mailedAt: clock.now });
    expect(parsed.subject).toBe(`Ticket #${t.number} was assigned to you: Printer on fire`);
    expect(parsed.from).toMatchObject({ address: 'support@notify.test' });
    expect(parsed.replyTo.map((a) => a.address)).toEqual([notificationReplyAddress('support@notify.test', stored._id.toHexString(), sign)]);
    expect(notificationOfReplyAddress(parsed.replyTo[0]!.address, 'support@notify.test', sign)).toBe(stored._id.toHexString());
    const root = `tl-notify.${t._id.toHexString()}@notify.test`;
    expect(parsed.inReplyTo).toEqual([root]);
    expect(parsed.references).toEqual([root]);
    expect(mail!.mailFrom).toBe('');
    expect(header(mail!, 'Auto-Submitted')).toBe('auto-generated');
    expect(header(mail!, 'X-Auto-Response-Suppress')).toBe('All');
    expect(header(mail!, 'X-Loop')).toBe('support@notify.test');
    expect(parsed.text).toContain(`https://desk.notify.test/tickets/${t._id.toHexString()}`);
    expect(parsed.text).toContain('Assigned to you by Max Manager');
    // Its Message-ID names no ticket: an answer cannot thread into the customer's conversation.
    expect(parsed.messageId).toMatch(/^tl\.0\./);

    // The next notification of the same ticket, after the window, answers the same thread.
    later(15 * 60_000);
    await notify(notifyDeps(), [event(t, { kind: 'assigned', userIds: [ids.ann!] })]);
    later(10_000);
    await runJobs();
    const second = await parseMail(mailsTo('ann@notify.test')[1]!.raw, { maxBytes: 1e6 });
    expect(second.references).toEqual([root]);
    expect(second.messageId).not.toBe(parsed.messageId);
  });

  it('is written in the person’s language and zone, from NOTIFY_FROM when set', async () => {
    const t = await ticket('Imprimante en panne');
    await notify(notifyDeps(), [event(t, { kind: 'customer_replied', userIds: [ids.lea!], data: { excerpt: 'Toujours en panne ce matin.' } })]);
    later(10_000);
    await runJobs({ notifyFrom: 'notifications@notify.test' });
    const parsed = await parseMail(mailsTo('lea@notify.test').at(-1)!.raw, { maxBytes: 1e6 });
    const item = (await db.models.Outbox.findOne({ kind: 'notification', 'envelope.to': 'lea@notify.test' }).sort({ _id: -1 }).lean())!;
    expect(item.subject).toBe(`Le demandeur a répondu sur la demande n°\u00a0${t.number}\u00a0: Imprimante en panne`);
    expect(parsed.subject.replace(/\s/g, ' ')).toBe(`Le demandeur a répondu sur la demande n° ${t.number} : Imprimante en panne`);
    expect(parsed.from).toMatchObject({ address: 'notifications@notify.test' });
    expect(parsed.text).toContain('> Toujours en panne ce matin.');
    expect(parsed.replyTo[0]!.address).toMatch(/^support\+n[0-9a-f]{24}[a-z0-9]{10}@notify\.test$/);
  });
});

describe('batching', () => {
  it('mails several tickets of one kind as one summary without Reply-To, and waits 15 minutes before the next', async () => {
    const tickets = await Promise.all(['Alpha', 'Bravo', 'Charlie'].map((s) => ticket(s)));
    const sentBefore = mailsTo('dee@notify.test').length;
    await notify(notifyDeps(), tickets.map((t) => event(t, { userIds: [ids.dee!] })));
    later(10_000);
    await runJobs();
    const summaries = mailsTo('dee@notify.test').slice(sentBefore);
    expect(summaries).toHaveLength(1);
    const parsed = await parseMail(summaries[0]!.raw, { maxBytes: 1e6 });
    expect(parsed.subject).toBe('3 tickets were assigned to you');
    expect(parsed.replyTo).toEqual([]);
    expect(parsed.inReplyTo).toEqual([]);
    for (const t of tickets) expect(parsed.html).toContain(`<a href="https://desk.notify.test/tickets/${t._id.toHexString()}">#${t.number}</a>`);
    expect(header(summaries[0]!, 'Auto-Submitted')).toBe('auto-generated');

    // Two more a minute later: they wait for the window of the last mail of this kind.
    later(60_000);
    const more = await Promise.all(['Delta', 'Echo'].map((s) => ticket(s)));
    await notify(notifyDeps(), more.map((t) => event(t, { userIds: [ids.dee!] })));
    later(10_000);
    await runJobs();
    expect(mailsTo('dee@notify.test').length - sentBefore).toBe(1);
    const job = queue.pending(NOTIFY_JOB).find((j) => j.data.userId === ids.dee!.toHexString())!;
    const lastMailedAt = new Date(clock.now.getTime() - 70_000);
    expect(job.at).toEqual(new Date(lastMailedAt.getTime() + 15 * 60_000));
    // Another kind is not held back by it.
    const other = await ticket('Foxtrot');
    await notify(notifyDeps(), [event(other, { kind: 'mentioned', userIds: [ids.dee!], data: { by: 'Ann', excerpt: '@dee look' } })]);
    later(10_000);
    await runJobs();
    expect(mailsTo('dee@notify.test').length - sentBefore).toBe(2);
    clock.now = job.at;
    await runJobs();
    const all = mailsTo('dee@notify.test').slice(sentBefore);
    expect(all).toHaveLength(3);
    expect((await parseMail(all[2]!.raw, { maxBytes: 1e6 })).subject).toBe('2 tickets were assigned to you');
  });

  it('waits NOTIFY_COLLECT_MS instead of ten seconds when it is set', async () => {
    const t = await ticket('Golf');
    const lea = ids.lea!.toHexString();
    const sentBefore = mailsTo('lea@notify.test').length;
    await notify({ ...notifyDeps(), notificationCollectMs: 500 }, [event(t, { kind: 'pending_reminder', userIds: [ids.lea!], data: { days: 3 } })]);
    const job = queue.pending(NOTIFY_JOB).find((j) => j.data.userId === lea)!;
    expect(job.at).toEqual(new Date(clock.now.getTime() + 500));
    later(400);
    expect((await deliverNotifications(deps({ notificationCollectMs: 500 }), ids.lea!)).mailed).toBe(0);
    later(100);
    await runJobs({ notificationCollectMs: 500 });
    expect(mailsTo('lea@notify.test').length - sentBefore).toBe(1);
  });
});

describe('failures', () => {
  it('sends a batch claimed before a crash once: again under the same batch id, one outbox item', async () => {
    const t = await ticket('Crash course');
    await notify(notifyDeps(), [event(t, { userIds: [ids.ann!] })]);
    later(15 * 60_000);
    let crash = true;
    const crashing = deps({
      notifications: {
        ...db.stores.notifications,
        markBatchSent: async (batchId, at) => {
          if (crash) throw new Error('killed after queueing the mail');
          return db.stores.notifications.markBatchSent(batchId, at);
        },
      },
    });
    await expect(deliverNotifications(crashing, ids.ann!)).rejects.toThrow('killed after queueing the mail');
    const claimed = (await db.models.Notification.findOne({ userId: ids.ann, ticketId: t._id }).lean())!;
    expect(claimed).toMatchObject({ mail: 'batched', mailBatch: expect.any(String) });
    crash = false;
    later(1000);
    expect(await deliverNotifications(crashing, ids.ann!)).toMatchObject({ mailed: 1 });
    const items = await db.models.Outbox.find({ dedupeKey: `notification:${claimed.mailBatch}` }).lean();
    expect(items).toHaveLength(1);
    expect((await db.models.Notification.findById(claimed._id).lean())!).toMatchObject({ mail: 'sent', mailBatch: claimed.mailBatch });
    const before = mailsTo('ann@notify.test').length;
    await runJobs();
    expect(mailsTo('ann@notify.test').length - before).toBe(1);
  });

  it('sends nothing to a disabled person: their waiting notifications are skipped', async () => {
    const gone = await createUser(db.models, { email: 'gone@notify.test', password: 'gone password 123', inboxIds: [inbox._id], name: 'Gone' });
    const t = await ticket('Nobody home');
    await notify(notifyDeps(), [event(t, { userIds: [gone._id] })]);
    await db.models.User.updateOne({ _id: gone._id }, { $set: { disabled: true } });
    later(10_000);
    await runJobs();
    expect(mailsTo('gone@notify.test')).toEqual([]);
    expect((await db.models.Notification.find({ userId: gone._id }).lean()).map((n) => n.mail)).toEqual(['skipped']);
    expect(await db.models.Outbox.countDocuments({ 'envelope.to': 'gone@notify.test' })).toBe(0);
  });

  it('leaves out tickets the person may no longer see', async () => {
    const other = await db.models.Inbox.create({ name: 'Sales', address: 'sales@notify.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
    const kept = await ticket('Still mine');
    const moved = await ticket('Moved away');
    await notify(notifyDeps(), [event(kept, { kind: 'pending_reminder', userIds: [ids.dee!], data: { days: 3 } }), event(moved, { kind: 'pending_reminder', userIds: [ids.dee!], data: { days: 3 } })]);
    await db.models.Ticket.updateOne({ _id: moved._id }, { $set: { inboxId: other._id } });
    later(10_000);
    const before = mailsTo('dee@notify.test').length;
    await runJobs();
    const [mail] = mailsTo('dee@notify.test').slice(before);
    const parsed = await parseMail(mail!.raw, { maxBytes: 1e6 });
    expect(parsed.subject).toBe(`Ticket #${kept.number} has waited on the customer for 3 days: Still mine`);
    expect((await db.models.Notification.findOne({ ticketId: moved._id }).lean())!.mail).toBe('skipped');
  });
});
