import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketActionDeps } from '../../src/composition.js';
import { sideConversationOfMessageId } from '../../src/domain/side-conversations.js';
import { parseMail } from '../../src/mail/parse-mail.js';
import { startSideConversation } from '../../src/services/side-conversations/start-side-conversation.js';
import { hashPassword } from '../../src/store/passwords.js';
import type { DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import type { ReceivedMail, TestSmtp } from '../helpers/smtp.js';
import { describeOverflow, horizontalOverflow, PHONE, signIn } from './browser-harness.js';
import { startBrowserDesk, type BrowserDesk } from './browser-desk.js';

const SUPPORT = 'support@partner.example.test';
const PARTNER = 'desk@vendor.test';
let desk: BrowserDesk;
let dovecot: DovecotServer;
let smtp: TestSmtp;
let app: BrowserDesk['app'];
let browser: Browser;
let base: string;

beforeAll(async () => {
  desk = await startBrowserDesk('partner_trip', ['web', 'jobs', 'poller'], { mailboxes: [SUPPORT] });
  ({ smtp, app, browser, base } = desk);
  dovecot = desk.dovecot!;
}, 60_000);
afterAll(async () => desk?.stop());

const to = (address: string) => (m: ReceivedMail) => m.rcptTo.includes(address);

describe('a partner round trip (SMTP out, Dovecot in)', () => {
  it('mails the partner the selected content, files the partner’s answer in the side conversation, reopens the ticket, answers nobody', async () => {
    const box = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
    await app.models.Inbox.updateOne({ _id: box._id }, { $set: { smtp: { host: '127.0.0.1', port: smtp.port, secure: false } } });
    const agent = await app.models.User.create({ email: 'agent@partner.example.test', name: 'Agent', role: 'agent', inboxIds: [box._id], passwordHash: await hashPassword('a long password for agent') });
    const partner = await app.runtime.stores.partners.create({ name: 'Vendor desk', address: PARTNER, note: null });

    // The customer writes; the poller makes a ticket (and the acknowledgement goes to the customer).
    await dovecot.append(SUPPORT, rawMail({ from: 'Ann <ann@customer.test>', to: SUPPORT, messageId: 'q1@customer.test', subject: 'Router reboots every hour', body: 'Since the firmware update it reboots hourly.', headers: ['Return-Path: <ann@customer.test>'] }));
    await expect.poll(() => app.models.Message.countDocuments({ deliveredTo: box._id, ingestState: 'complete' }), { timeout: 20_000 }).toBe(1);
    const ticket = (await app.models.Ticket.findOne({ inboxId: box._id }).lean())!;
    const question = (await app.models.Message.findOne({ messageId: 'q1@customer.test' }).lean())!;

    // The agent sends the case to the partner, quoting the customer's mail.
    const deps = { ...ticketActionDeps(app.runtime), blobs: app.runtime.blobs };
    const actor = { userId: agent._id, role: agent.role, inboxIds: agent.inboxIds };
    const labels = { heading: '--- Message ---', from: 'From:', date: 'Date:', subject: 'Subject:' };
    const sc = await startSideConversation(deps, actor, ticket._id.toHexString(), { json: { partnerId: partner._id.toHexString(), text: 'Is this a known firmware bug?', messageIds: [question._id.toHexString()] } }, labels);

    await expect.poll(() => smtp.received.filter(to(PARTNER)).length, { timeout: 20_000 }).toBe(1);
    const sent = smtp.received.find(to(PARTNER))!;
    expect(sent.mailFrom).toBe(SUPPORT);
    const mail = await parseMail(sent.raw, { maxBytes: 1e6 });
    expect(mail.from?.address).toBe(SUPPORT);
    expect(mail.subject).toBe(`Router reboots every hour [#${ticket.number}]`);
    expect(mail.text).toContain('Is this a known firmware bug?');
    expect(mail.text).toContain('> Since the firmware update it reboots hourly.');
    expect(mail.inReplyTo).toEqual([]);
    expect(sideConversationOfMessageId(mail.messageId!, app.runtime.sign)?.sideConversationId).toBe(sc.id);
    expect((await app.models.Ticket.findById(ticket._id).lean())!.status).toBe('with_partner');

    // The partner answers; the mail lands in the inbox's Dovecot mailbox and the poller ingests it.
    await dovecot.append(SUPPORT, rawMail({ from: `Vendor <${PARTNER}>`, to: SUPPORT, messageId: 'a1@vendor.test', inReplyTo: mail.messageId!, references: [mail.messageId!], subject: `Re: ${mail.subject}`, body: 'Yes: fixed in 2.4.1.', headers: [`Return-Path: <${PARTNER}>`] }));
    await expect.poll(async () => (await app.models.Message.findOne({ messageId: 'a1@vendor.test', ingestState: 'complete' }).lean())?.sideConversationId?.toHexString() ?? null, { timeout: 20_000 }).toBe(sc.id);
    await expect.poll(async () => (await app.models.Ticket.findById(ticket._id).lean())!.status, { timeout: 10_000 }).toBe('open');

    const after = (await app.models.Ticket.findById(ticket._id).lean())!;
    expect(after.participants).not.toContain(PARTNER);
    const conversation = await app.runtime.stores.messages.listConversation([ticket._id]);
    expect(conversation.map((m) => m.messageId)).not.toContain('a1@vendor.test');
    expect(await app.models.TicketEvent.countDocuments({ ticketId: ticket._id, type: 'side_message_received' })).toBe(1);
    // Nothing answers the partner on its own: once the worker has run every job the answer queued
    // (none due, none running), the one mail they got is the agent's.
    const jobs = app.runtime.connection.db!.collection('jobs');
    await expect.poll(() => jobs.countDocuments({ $or: [{ nextRunAt: { $lte: new Date() } }, { lockedAt: { $ne: null } }] }), { timeout: 20_000 }).toBe(0);
    expect(smtp.received.filter(to(PARTNER))).toHaveLength(1);
    expect(await app.models.Outbox.countDocuments({ 'envelope.to': PARTNER })).toBe(1);

    // At phone size, the agent reads the answer in the ticket's side conversations, apart from the customer's conversation.
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, base, 'agent@partner.example.test', 'a long password for agent');
    const url = `${base}/tickets/${ticket._id.toHexString()}`;
    await page.goto(url);
    expect(await page.locator('#side-conversations .side-inbound').innerText()).toContain('Yes: fixed in 2.4.1.');
    expect(await page.locator('.timeline').innerText()).not.toContain('fixed in 2.4.1');
    const overflow = await horizontalOverflow(page);
    expect(overflow, overflow ? describeOverflow('ticket page with a side conversation', url, overflow) : '').toBeNull();
    await context.close();
  }, 90_000);

  it('the partners settings page fits a phone', async () => {
    await app.models.User.create({ email: 'admin@partner.example.test', name: 'Admin', role: 'admin', passwordHash: await hashPassword('a long password for admin') });
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, base, 'admin@partner.example.test', 'a long password for admin');
    await page.goto(`${base}/settings/partners`);
    expect(await page.locator('table.partners').innerText()).toContain(PARTNER);
    const overflow = await horizontalOverflow(page);
    expect(overflow, overflow ? describeOverflow('partners', '/settings/partners', overflow) : '').toBeNull();
    await context.close();
  }, 30_000);
});
