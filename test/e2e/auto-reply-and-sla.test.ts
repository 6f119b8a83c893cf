import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import { replyToTicket } from '../../src/services/tickets/send-reply.js';
import { refreshSla } from '../../src/services/sla/refresh-sla.js';
import { slaDeps } from '../../src/composition.js';
import { hashPassword } from '../../src/store/passwords.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type TestSmtp, type ReceivedMail } from '../helpers/smtp.js';

let dovecot: DovecotServer;
let smtp: TestSmtp;
let app: Awaited<ReturnType<typeof startRuntime>>;

beforeAll(async () => {
  dovecot = await startDovecot(['support@help.example.test', 'sla@help.example.test']);
  smtp = await startSmtp();
  app = await startRuntime('autoreply', ['jobs', 'poller']);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
  await dovecot.stop();
});

async function inbox(address: string, extra: Record<string, unknown> = {}) {
  const doc = await createImapInbox(app.models, { address, port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: doc._id }, { $set: { smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, ...extra } });
  return doc;
}
const to = (address: string) => (m: ReceivedMail) => m.rcptTo.includes(address);
const header = (m: ReceivedMail, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(m.raw.toString())?.[1]?.trim();
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('auto-replies through the whole pipeline (Dovecot → poller → jobs → SMTP)', () => {
  it('answers a new customer mail exactly once, threaded, marked automated, from the null sender', async () => {
    const box = await inbox('support@help.example.test');
    await dovecot.append('support@help.example.test', rawMail({ from: 'Ann <ann@customer.test>', to: 'support@help.example.test', messageId: 'first@customer.test', subject: 'Printer on fire', headers: ['Return-Path: <ann@customer.test>'] }));
    await expect.poll(() => smtp.received.filter(to('ann@customer.test')).length, { timeout: 20_000 }).toBe(1);
    const reply = smtp.received.find(to('ann@customer.test'))!;
    const ticket = await app.models.Ticket.findOne({ inboxId: box._id }).lean();
    expect(reply.mailFrom).toBe('');
    expect(header(reply, 'Auto-Submitted')).toBe('auto-replied');
    expect(header(reply, 'X-Auto-Response-Suppress')).toBe('All');
    expect(header(reply, 'Precedence')).toBe('bulk');
    expect(header(reply, 'X-Loop')).toBe('support@help.example.test');
    const parsed = await parseMail(reply.raw, { maxBytes: 1e6 });
    expect(parsed.inReplyTo).toEqual(['first@customer.test']);
    expect(parsed.references).toContain('first@customer.test');
    expect(parsed.subject).toContain(`[#${ticket!.number}]`);
    expect(parsed.messageId).toMatch(/@help\.example\.test$/);
    await expect.poll(async () => app.models.TicketEvent.countDocuments({ ticketId: ticket!._id, type: 'auto_reply_sent' }), { timeout: 10_000 }).toBe(1);

    // The customer answers the auto-reply: threads onto the ticket, no second acknowledgement.
    await dovecot.append('support@help.example.test', rawMail({ from: 'ann@customer.test', to: 'support@help.example.test', messageId: 'second@customer.test', inReplyTo: parsed.messageId!, subject: `Re: ${parsed.subject}`, headers: ['Return-Path: <ann@customer.test>'] }));
    // A new request from the same customer inside the window: a ticket, but no second auto-reply.
    await dovecot.append('support@help.example.test', rawMail({ from: 'ann@customer.test', to: 'support@help.example.test', messageId: 'third@customer.test', subject: 'Another thing', headers: ['Return-Path: <ann@customer.test>'] }));
    await expect.poll(() => app.models.Message.countDocuments({ deliveredTo: box._id, ingestState: 'complete' }), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => app.models.TicketEvent.countDocuments({ type: 'auto_reply_suppressed', 'data.reason': 'window' }), { timeout: 10_000 }).toBe(1);
    await settle(1000);
    expect(smtp.received.filter(to('ann@customer.test'))).toHaveLength(1);
    expect(await app.models.Ticket.countDocuments({ inboxId: box._id })).toBe(2);
    // Finished one-off jobs leave the jobs collection, so it grows with pending work, not with history.
    const jobs = app.runtime.connection.db!.collection('jobs');
    await expect.poll(() => jobs.countDocuments({ name: { $in: ['auto-reply', 'deliver-outbox'] } }), { timeout: 10_000 }).toBe(0);
  }, 60_000);

  it('never answers automated or list mail, but still tickets it, flagged', async () => {
    const box = await app.models.Inbox.findOne({ address: 'support@help.example.test' }).lean();
    await dovecot.append('support@help.example.test', rawMail({ from: 'robot@monitor.test', messageId: 'alert@monitor.test', subject: 'Disk full', headers: ['Return-Path: <robot@monitor.test>', 'Auto-Submitted: auto-generated'] }));
    await dovecot.append('support@help.example.test', rawMail({ from: 'member@list.test', messageId: 'post@list.test', subject: 'List post', headers: ['Return-Path: <list-bounces@list.test>', 'List-Id: <devel.list.test>'] }));
    await expect.poll(() => app.models.TicketEvent.countDocuments({ type: 'auto_reply_suppressed', 'data.reason': { $in: ['auto-submitted:auto-generated', 'list-header:list-id'] } }), { timeout: 20_000 }).toBe(2);
    expect(smtp.received.filter((m) => m.rcptTo.includes('robot@monitor.test') || m.rcptTo.includes('member@list.test'))).toHaveLength(0);
    expect(await app.models.Ticket.countDocuments({ inboxId: box!._id, 'flags.autoSubmitted': true })).toBe(2);
  }, 30_000);
});

describe('SLA timers with targets of a few seconds', () => {
  it('sends the reminder, then the escalation, once each; a reply in time cancels them', async () => {
    // An admin: escalations go only to ladder users who may see the inbox, and reminders only to its members.
    const manager = await app.models.User.create({ email: 'boss@help.example.test', name: 'Boss', role: 'admin', passwordHash: await hashPassword('a long password for boss') });
    const box = await inbox('sla@help.example.test', {
      'autoReply.enabled': false,
      sla: {
        targets: Object.fromEntries(['low', 'normal', 'high', 'urgent'].map((p) => [p, { firstResponseSeconds: 4, nextResponseSeconds: null, resolutionSeconds: null }])),
        businessHours: null,
        reminderAtFraction: 0.5,
        ladder: [{ level: 1, name: 'Team leads', userIds: [manager._id.toHexString()], afterSeconds: 1 }],
      },
    });
    await app.models.User.create({ email: 'agent@help.example.test', name: 'Agent', role: 'agent', inboxIds: [box._id], passwordHash: await hashPassword('a long password for agent') });

    await dovecot.append('sla@help.example.test', rawMail({ to: 'sla@help.example.test', messageId: 'late@customer.test', subject: 'Nobody answers', headers: ['Return-Path: <ann@customer.test>'] }));
    await dovecot.append('sla@help.example.test', rawMail({ to: 'sla@help.example.test', messageId: 'ontime@customer.test', subject: 'Answered in time', headers: ['Return-Path: <ann@customer.test>'] }));
    await expect.poll(() => app.models.Message.countDocuments({ deliveredTo: box._id, ingestState: 'complete' }), { timeout: 20_000 }).toBe(2);
    const late = (await app.models.Ticket.findOne({ subject: 'Nobody answers' }).lean())!;
    const onTime = (await app.models.Ticket.findOne({ subject: 'Answered in time' }).lean())!;
    expect(late.sla.firstResponseDueAt).toBeInstanceOf(Date);

    const agent = (await app.models.User.findOne({ email: 'agent@help.example.test' }).lean())!;
    await replyToTicket({ ...slaDeps(app.runtime), refreshSla: (id) => refreshSla(slaDeps(app.runtime), id) }, { userId: agent._id, role: agent.role, inboxIds: agent.inboxIds }, onTime._id.toHexString(), { form: { text: 'On it!' } });

    const notices = () => smtp.received.filter((m) => m.rcptTo.includes('agent@help.example.test') || m.rcptTo.includes('boss@help.example.test'));
    // Notifications: each waits 10 s for others of the same run, then goes as one mail per person and kind.
    await expect.poll(() => notices().length, { timeout: 45_000 }).toBe(2);
    await settle(2500);
    const got = notices();
    expect(got).toHaveLength(2);
    expect(got[0]!.rcptTo).toEqual(['agent@help.example.test']);
    expect(header(got[0]!, 'Subject')).toMatch(new RegExp(`#${late.number} will breach`));
    expect(header(got[0]!, 'Auto-Submitted')).toBe('auto-generated');
    // One thread per ticket in the agent's mail client; an answer goes to the signed notification address.
    const reminder = await parseMail(got[0]!.raw, { maxBytes: 1e6 });
    expect(reminder.replyTo.map((a) => a.address)).toEqual([expect.stringMatching(/^sla\+n[0-9a-f]{24}[a-z0-9]{10}@help\.example\.test$/)]);
    expect(reminder.inReplyTo).toEqual([`tl-notify.${late._id.toHexString()}@help.example.test`]);
    expect(got[1]!.rcptTo).toEqual(['boss@help.example.test']);
    expect(header(got[1]!, 'Subject')).toMatch(new RegExp(`Escalation level 1: ticket #${late.number}`));
    const trail = await app.models.TicketEvent.find({ ticketId: late._id, type: { $in: ['sla_reminder', 'sla_breached', 'escalated'] } }).sort({ at: 1, _id: 1 }).lean();
    expect(trail.map((e) => e.type)).toEqual(['sla_reminder', 'sla_breached', 'escalated']);
    expect((await app.models.Ticket.findById(late._id).lean())!.sla).toMatchObject({ escalationLevel: 1, breachedAt: expect.any(Date) });
    expect(await app.models.TicketEvent.countDocuments({ ticketId: onTime._id, type: { $in: ['sla_reminder', 'sla_breached', 'escalated'] } })).toBe(0);
    void Types;
  }, 90_000);
});
