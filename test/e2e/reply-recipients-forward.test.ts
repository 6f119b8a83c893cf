import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import { hashPassword } from '../../src/store/passwords.js';
import type { DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import type { ReceivedMail, TestSmtp } from '../helpers/smtp.js';
import { describeOverflow, horizontalOverflow, PHONE, signIn } from './browser-harness.js';
import { startBrowserDesk, type BrowserDesk } from './browser-desk.js';

const SUPPORT = 'support@recipients.example.test';
const VENDOR = 'accounting@vendor.test';
let desk: BrowserDesk;
let dovecot: DovecotServer;
let smtp: TestSmtp;
let app: BrowserDesk['app'];
let browser: Browser;
let base: string;

beforeAll(async () => {
  desk = await startBrowserDesk('recipients_fwd', ['web', 'jobs', 'poller'], { mailboxes: [SUPPORT] });
  ({ smtp, app, browser, base } = desk);
  dovecot = desk.dovecot!;
}, 60_000);
afterAll(async () => desk?.stop());

const to = (address: string) => (m: ReceivedMail) => m.rcptTo.includes(address);

/** The customer's mail: Bob in Cc, an invoice attached. */
function invoiceMail(): Buffer {
  return Buffer.from([
    'From: Ann Customer <ann@customer.test>', `To: ${SUPPORT}`, 'Cc: Bob <bob@customer.test>', 'Subject: Invoice 4411 shows the wrong VAT',
    `Date: ${new Date().toUTCString()}`, 'Message-ID: <vat@customer.test>', 'Return-Path: <ann@customer.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'The invoice attached charges 25 % VAT instead of 20 %.',
    '--b1', 'Content-Type: application/pdf; name="invoice-4411.pdf"', 'Content-Disposition: attachment; filename="invoice-4411.pdf"', 'Content-Transfer-Encoding: base64', '',
    Buffer.from('%PDF-1.4 invoice 4411 VAT 25%').toString('base64'), '--b1--', '',
  ].join('\r\n'));
}

/** Writes the reply into the editor when the page has one (JavaScript), else into the textarea. */
async function writeReply(page: Page, text: string) {
  const editor = page.locator('form[action$="/reply"] .reply-editor-content');
  if (await editor.count()) await editor.fill(text);
  else await page.fill('form[action$="/reply"] textarea[name=text]', text);
}

describe('To/Cc/Bcc on a reply and Forward, in the browser (Dovecot in, SMTP out)', () => {
  it('sends Cc in the header and Bcc in the envelope only; forwards a message with its attachment; the vendor’s answer stays in the side conversation', async () => {
    const box = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
    await app.models.Inbox.updateOne({ _id: box._id }, { $set: { smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, 'autoReply.enabled': false } });
    await app.models.User.create({ email: 'agent@recipients.example.test', name: 'Agnes', role: 'agent', inboxIds: [box._id], passwordHash: await hashPassword('agnes password 1234') });

    await dovecot.append(SUPPORT, invoiceMail());
    await expect.poll(() => app.models.Message.countDocuments({ messageId: 'vat@customer.test', ingestState: 'complete' }), { timeout: 20_000 }).toBe(1);
    const ticket = (await app.models.Ticket.findOne({ inboxId: box._id }).lean())!;
    const url = `${base}/tickets/${ticket._id.toHexString()}`;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, 'agent@recipients.example.test', 'agnes password 1234');
    await page.goto(url);
    // To is the requester; the ticket's known people are offered on every field.
    expect(await page.inputValue('form[action$="/reply"] input[name=to]')).toBe('ann@customer.test');
    expect(await page.locator('#ticket-addresses option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual(['ann@customer.test', 'bob@customer.test']);
    // Bob, new to the ticket on its first mail, is only suggested: the agent ticks him, and types Carol.
    await page.check('form[action$="/reply"] input[type=checkbox][name=cc][value="bob@customer.test"]');
    await page.fill('form[action$="/reply"] input[type=text][name=cc]', 'carol@customer.test');
    await page.fill('form[action$="/reply"] input[name=bcc]', 'boss@customer.test');
    await writeReply(page, 'Hi Ann, the corrected invoice follows today.');
    await page.click('form[action$="/reply"] button[type=submit]');
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}(#end)?$/);
    await expect.poll(() => page.locator('.msg.outbound .msg-recipients').textContent()).toContain('Bcc boss@customer.test');

    // At the SMTP server: the envelope has all of them; the Cc header names Bob and Carol; no Bcc header, and nothing of the blind copy.
    await expect.poll(() => smtp.received.filter(to('ann@customer.test')).length, { timeout: 20_000 }).toBe(1);
    const reply = smtp.received.find(to('ann@customer.test'))!;
    expect([...reply.rcptTo].sort()).toEqual(['ann@customer.test', 'bob@customer.test', 'boss@customer.test', 'carol@customer.test']);
    const head = reply.raw.toString('utf8').split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^Cc: Bob <bob@customer\.test>, carol@customer\.test$/m);
    expect(head).not.toMatch(/^Bcc:/im);
    expect(reply.raw.toString('utf8')).not.toContain('boss@customer.test');
    const parsedReply = await parseMail(reply.raw, { maxBytes: 1e6 });
    expect(parsedReply.cc.map((a) => a.address)).toEqual(['bob@customer.test', 'carol@customer.test']);
    const after = (await app.models.Ticket.findById(ticket._id).lean())!;
    expect(after.participants).toContain('carol@customer.test');
    expect(after.participants).not.toContain('boss@customer.test');

    // Forward the customer's mail to the vendor from its "Forward" link; the attachment is ticked already.
    await page.click('#msg-' + (await app.models.Message.findOne({ messageId: 'vat@customer.test' }).lean())!._id.toHexString() + ' a.msg-forward');
    await page.waitForURL(/\/forward\?message=[0-9a-f]{24}$/);
    expect(await page.inputValue('input[name=subject]')).toBe('Fwd: Invoice 4411 shows the wrong VAT');
    expect(await page.isChecked('input[name=attachmentIds]')).toBe(true);
    await page.fill('input[name=address]', VENDOR);
    await page.fill('textarea[name=text]', 'Could you check the VAT rate on this invoice?');
    await page.click('form.forward-form button[type=submit]');
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}#side-conversations$/);

    await expect.poll(() => smtp.received.filter(to(VENDOR)).length, { timeout: 20_000 }).toBe(1);
    const forwarded = smtp.received.find(to(VENDOR))!;
    expect(forwarded.rcptTo).toEqual([VENDOR]);
    const mail = await parseMail(forwarded.raw, { maxBytes: 1e6 });
    expect(mail.subject).toBe(`Fwd: Invoice 4411 shows the wrong VAT [#${ticket.number}]`);
    expect(mail.text).toContain('Could you check the VAT rate on this invoice?');
    expect(mail.text).toMatch(/---------- Forwarded message ---------\nFrom: Ann Customer <ann@customer\.test>\nDate: .+\nSubject: Invoice 4411 shows the wrong VAT\nTo: support@recipients\.example\.test\nCc: Bob <bob@customer\.test>\n\nThe invoice attached charges 25 % VAT instead of 20 %\./);
    expect(mail.attachments.map((a) => a.filename)).toEqual(['invoice-4411.pdf']);
    expect(mail.inReplyTo).toEqual([]);

    // The vendor answers; the poller files it in the side conversation, not in the customer's conversation.
    await dovecot.append(SUPPORT, rawMail({ from: `Vendor Accounting <${VENDOR}>`, to: SUPPORT, messageId: 'vat-answer@vendor.test', inReplyTo: mail.messageId!, references: [mail.messageId!], subject: `Re: ${mail.subject}`, body: 'Right, it should be 20 %. Credit note on its way.', headers: [`Return-Path: <${VENDOR}>`] }));
    await expect.poll(async () => Boolean((await app.models.Message.findOne({ messageId: 'vat-answer@vendor.test', ingestState: 'complete' }).lean())?.sideConversationId), { timeout: 20_000 }).toBe(true);
    const conversation = await app.runtime.stores.messages.listConversation([ticket._id]);
    expect(conversation.map((m) => m.messageId)).not.toContain('vat-answer@vendor.test');
    expect((await app.models.Ticket.findById(ticket._id).lean())!.participants).not.toContain(VENDOR);
    await page.goto(url);
    expect(await page.locator('#side-conversations .side-inbound').innerText()).toContain('Credit note on its way.');
    expect(await page.locator('.timeline').innerText()).not.toContain('Credit note');
    // Nothing answers the vendor on its own: once every due job ran, the one mail they got is the forward.
    const jobs = app.runtime.connection.db!.collection('jobs');
    await expect.poll(() => jobs.countDocuments({ $or: [{ nextRunAt: { $lte: new Date() } }, { lockedAt: { $ne: null } }] }), { timeout: 20_000 }).toBe(0);
    expect(smtp.received.filter(to(VENDOR))).toHaveLength(1);
    await page.close();

    // The forward page (the whole ticket) fits a phone.
    const context = await browser.newContext({ viewport: PHONE });
    const phone = await context.newPage();
    await signIn(phone, base, 'agent@recipients.example.test', 'agnes password 1234');
    const forwardUrl = `${url}/forward`;
    await phone.goto(forwardUrl);
    expect(await phone.locator('.forward-preview').count()).toBe(2);
    const overflow = await horizontalOverflow(phone);
    expect(overflow, overflow ? describeOverflow('forward page', forwardUrl, overflow) : '').toBeNull();
    await phone.goto(url);
    const ticketOverflow = await horizontalOverflow(phone);
    expect(ticketOverflow, ticketOverflow ? describeOverflow('ticket page with To/Cc/Bcc', url, ticketOverflow) : '').toBeNull();
    await context.close();
  }, 120_000);
});
