import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationKind } from '../../../../src/domain/notifications.js';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../../../../src/domain/sla.js';
import { TICKET_PRIORITIES } from '../../../../src/domain/ticket-status.js';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import type { Actor } from '../../../../src/services/access.js';
import { deliverNotifications } from '../../../../src/services/notifications/deliver-notifications.js';
import { NOTIFY_JOB } from '../../../../src/services/notifications/notify.js';
import { deliverOutboxItem } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { DELIVER_JOB } from '../../../../src/services/outbound/queue-mail.js';
import { putInboxSla } from '../../../../src/services/sla/inbox-sla.js';
import { SLA_TIMER_JOB, refreshSla, runSlaTimer, type SlaDeps } from '../../../../src/services/sla/refresh-sla.js';
import { createSecretBox, createSigner } from '../../../../src/store/secret-box.js';
import { createUser } from '../../../helpers/api.js';
import { clockNearRealTime } from '../../../helpers/clock.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { memoryJobQueue } from '../../../helpers/job-queue.js';
import { startSmtp, type TestSmtp } from '../../../helpers/smtp.js';
import { compose } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let smtp: TestSmtp;
let deps: SlaDeps;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const queue = memoryJobQueue();
const clock = { now: clockNearRealTime() };
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const MIN = 60;

const mailDeps = () => ({ ...db.stores, scheduler: queue.scheduler, compose, sign: deps.sign, now: () => clock.now, render: renderEmail, ticketUrlBase: 'https://desk.sla.test/tickets/' });
const deliverDeps = () => ({ ...db.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => clock.now, logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 400 } } });
/** The job worker at the test's clock: SLA timers, notification mail, delivery through a real SMTP server. */
const runJobs = () =>
  queue.runDue(clock.now, {
    [SLA_TIMER_JOB]: (data) => runSlaTimer(deps, new Types.ObjectId(String(data.ticketId))),
    [NOTIFY_JOB]: (data) => deliverNotifications(mailDeps(), new Types.ObjectId(String(data.userId))),
    [DELIVER_JOB]: (data) => deliverOutboxItem(deliverDeps(), new Types.ObjectId(String(data.key)), 60_000),
  });
const later = (seconds: number) => void (clock.now = new Date(clock.now.getTime() + seconds * 1000));
const policy = (firstResponseSeconds: number, resolutionSeconds: number | null, ladder: SlaPolicy['ladder']): SlaPolicy => ({
  ...DEFAULT_SLA_POLICY,
  targets: Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, { firstResponseSeconds, nextResponseSeconds: null, resolutionSeconds }])) as SlaPolicy['targets'],
  businessHours: null,
  reminderAtFraction: 0.5,
  ladder,
});
/** The mails each address got, by subject. */
const inboxOf = async (address: string) => Promise.all(smtp.received.filter((m) => m.rcptTo.includes(address)).map((m) => parseMail(m.raw, { maxBytes: 5e6 })));

beforeAll(async () => {
  db = await openTestDb('sla_notification_batching');
  smtp = await startSmtp();
  deps = { ...db.stores, scheduler: queue.scheduler, compose, sign: createSigner(TEST_SECRET_KEY), now: () => clock.now, render: renderEmail, logger: testLogger, ticketUrlBase: null };
});
afterAll(async () => {
  sender.close();
  await smtp.close();
  await db.drop();
});

describe('tightening a policy over 30 tickets', () => {
  it('mails each person one summary per kind, not one mail per ticket, and the next batch after 15 minutes', async () => {
    const inbox = await db.models.Inbox.create({ name: 'Support', address: 'support@sla.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
    const agents = ['ann', 'bo', 'cy'].map((n) => `${n}@sla.test`);
    for (const email of agents) await createUser(db.models, { email, password: `${email} password`, inboxIds: [inbox._id], name: email.split('@')[0]! });
    const boss = await createUser(db.models, { email: 'boss@sla.test', password: 'boss password 123', role: 'admin', name: 'Boss' });
    const tickets = [];
    for (let n = 1; n <= 30; n++) {
      tickets.push(await db.models.Ticket.create({ number: n, inboxId: inbox._id, subject: `Order ${n} missing`, requester: { email: `c${n}@customer.test` }, status: 'open', createdAt: new Date(clock.now.getTime() - 20 * MIN * 1000) }));
    }
    // Opened 20 minutes ago. First response within 30 minutes: its reminder (at 15) is due now, the
    // breach in 10 minutes, escalated to the boss a minute later. Resolution within 60 minutes: its
    // reminder (at 30) falls due in 10 minutes, inside the 15-minute window of the first mail.
    const tight = policy(30 * MIN, 60 * MIN, [{ level: 1, name: 'Leads', userIds: [boss._id.toHexString()], afterSeconds: 60 }]);
    await putInboxSla({ ...db.stores, refreshSla: (id) => refreshSla(deps, id) }, admin, inbox._id.toHexString(), tight);
    const t0 = clock.now;

    expect((await runJobs())[SLA_TIMER_JOB]).toBe(30);
    expect(await db.models.TicketEvent.countDocuments({ type: 'sla_reminder' })).toBe(30);
    // Notifications wait for the rest of the run (the collect delay) before anything is mailed.
    expect(smtp.received).toHaveLength(0);
    later(10);
    expect(await runJobs()).toMatchObject({ [NOTIFY_JOB]: 3, [DELIVER_JOB]: 3 });
    for (const agent of agents) {
      const mails = await inboxOf(agent);
      expect(mails.map((m) => m.subject)).toEqual(['30 tickets will soon breach an SLA target']);
      const links = [...mails[0]!.html!.matchAll(/href="https:\/\/desk\.sla\.test\/tickets\/([0-9a-f]{24})"/g)].map((m) => m[1]);
      expect(new Set(links)).toEqual(new Set(tickets.map((t) => t._id.toHexString())));
      expect(mails[0]!.replyTo).toEqual([]);
      expect(mails[0]!.text).toContain('first response due in 10 min');
    }
    expect(smtp.received.every((m) => m.mailFrom === '' && /^Auto-Submitted: auto-generated/m.test(m.raw.toString()))).toBe(true);

    // Ten minutes on: the first-response breaches (nobody is assigned: no one to tell) and the
    // resolution reminders. Those wait for the window of the last reminder mail.
    clock.now = new Date(t0.getTime() + 10 * MIN * 1000);
    expect((await runJobs())[SLA_TIMER_JOB]).toBe(60);
    later(10);
    await runJobs();
    expect(smtp.received).toHaveLength(3);
    const waiting = queue.pending(NOTIFY_JOB).map((j) => j.at.getTime());
    expect(new Set(waiting)).toEqual(new Set([t0.getTime() + 10_000 + 15 * MIN * 1000]));

    // The escalations a minute after the breaches: one summary to the boss.
    clock.now = new Date(t0.getTime() + 11 * MIN * 1000);
    expect((await runJobs())[SLA_TIMER_JOB]).toBe(30);
    later(10);
    await runJobs();
    expect((await inboxOf('boss@sla.test')).map((m) => m.subject)).toEqual(['30 tickets were escalated to you']);
    expect(smtp.received).toHaveLength(4);

    // The window is over: the second reminder summary.
    clock.now = new Date(Math.min(...waiting));
    await runJobs();
    for (const agent of agents) expect((await inboxOf(agent)).map((m) => m.subject)).toEqual(['30 tickets will soon breach an SLA target', '30 tickets will soon breach an SLA target']);
    expect(smtp.received).toHaveLength(7);
    expect(await db.models.TicketEvent.countDocuments({ type: { $in: ['sla_reminder', 'sla_breached', 'escalated'] } })).toBe(120);
    // In the app every event is listed for each person.
    const ann = (await db.models.User.findOne({ email: 'ann@sla.test' }).lean())!;
    expect(await db.models.Notification.countDocuments({ userId: ann._id, kind: 'sla_reminder', mail: 'sent' })).toBe(60);
  });
});

describe('who an SLA event concerns', () => {
  it('reminds the team when the assignee is disabled, else the inbox; tells the assignee of a breach', async () => {
    const inbox = await db.models.Inbox.create({ name: 'Desk', address: 'desk@sla.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, sla: policy(30 * MIN, null, []) });
    const user = async (name: string, inboxIds: Types.ObjectId[]) => (await createUser(db.models, { email: `${name}@desk.sla.test`, password: `${name} password 123`, inboxIds, name }))._id;
    const [gone, member, teamMate, owner] = [await user('gone', [inbox._id]), await user('member', [inbox._id]), await user('mate', []), await user('owner', [inbox._id])];
    await db.models.User.updateOne({ _id: gone }, { $set: { disabled: true } });
    const team = await db.stores.teams.create({ name: 'Returns', level: 'L1', memberIds: [teamMate], inboxIds: [inbox._id] });
    const old = new Date(clock.now.getTime() - 20 * MIN * 1000);
    const create = (number: number, fields: Record<string, unknown>) =>
      db.models.Ticket.create({ number, inboxId: inbox._id, subject: `Case ${number}`, requester: { email: 'c@customer.test' }, status: 'open', createdAt: old, ...fields });
    const withTeam = await create(101, { assigneeId: gone, teamId: team._id });
    const withoutTeam = await create(102, { assigneeId: gone });
    const owned = await create(103, { assigneeId: owner });
    for (const t of [withTeam, withoutTeam, owned]) expect(await runSlaTimer(deps, t._id)).toBe('reminder');
    const told = async (ticketId: Types.ObjectId, kind: NotificationKind) =>
      (await db.models.Notification.find({ ticketId, kind }).lean()).map((n) => n.userId.toHexString()).sort();
    expect(await told(withTeam._id, 'sla_reminder')).toEqual([teamMate.toHexString()]);
    // Without a team: the inbox's active agents (the agents of the other tests' inboxes are not members).
    expect(await told(withoutTeam._id, 'sla_reminder')).toEqual([member, owner].map((id) => id.toHexString()).sort());
    expect(await told(owned._id, 'sla_reminder')).toEqual([owner.toHexString()]);
    const trail = (await db.models.TicketEvent.findOne({ ticketId: withTeam._id, type: 'sla_reminder' }).lean())!;
    expect(trail.data.notified).toEqual(['mate@desk.sla.test']);

    later(15 * MIN);
    expect(await runSlaTimer(deps, owned._id)).toBe('breach');
    expect(await runSlaTimer(deps, withoutTeam._id)).toBe('breach');
    expect(await told(owned._id, 'sla_breached')).toEqual([owner.toHexString()]);
    expect(await told(withoutTeam._id, 'sla_breached')).toEqual([]);
    // A timer run again (a crash before the event was marked done) tells nobody twice.
    const done = (await db.models.Ticket.findById(owned._id).lean())!.sla.done.filter((key) => !key.endsWith(':breach'));
    await db.models.Ticket.updateOne({ _id: owned._id }, { $set: { 'sla.done': done } });
    expect(await runSlaTimer(deps, owned._id)).toBe('breach');
    expect(await db.models.Notification.countDocuments({ ticketId: owned._id, kind: 'sla_breached' })).toBe(1);
    expect(await db.models.TicketEvent.countDocuments({ ticketId: owned._id, type: 'sla_breached' })).toBe(1);
  });
});
