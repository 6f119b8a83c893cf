import { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api.js';
import { startPages } from '../integration/web/pages-harness.js';
import { receivedTicket } from '../integration/web/sending-app.js';
import { describeOverflow, horizontalOverflow, launchChromium, PHONE, signIn, watchPageProblems } from './browser-harness.js';

// Issue 18: the reply box saves itself as the agent's draft a few seconds after typing stops (the
// drafts script, under the page's CSP), another device opens the ticket with it, and a canned reply
// goes in where the cursor is instead of replacing the text.
let h: Awaited<ReturnType<typeof startPages>>;
let browser: Browser;
let ticketId: string;
const inbox = new Types.ObjectId();

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina Agent' });
  await h.models.CannedReply.create({ inboxId: inbox, title: 'On it', body: 'we are on it. ' });
  ticketId = (await h.models.Ticket.create({ number: 7, inboxId: inbox, subject: 'Printer', requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const storedDraft = async () => (await h.models.ReplyDraft.findOne({ ticketId: new Types.ObjectId(ticketId) }).lean())?.text ?? null;
const storedHtml = async () => (await h.models.ReplyDraft.findOne({ ticketId: new Types.ObjectId(ticketId) }).lean())?.html ?? null;

describe('the reply box’s draft', () => {
  it('autosaves, inserts a canned reply at the cursor, and opens on another device', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    await page.goto(`${h.base}/tickets/${ticketId}`);
    // The reply editor (assets/editor.js) keeps the form's textarea filled with its plain text.
    const editor = page.locator('form.reply-form .reply-editor-content');
    const box = page.locator('form.reply-form textarea[name=text]');
    const status = page.locator('form.reply-form .draft-status');
    expect(await status.isVisible()).toBe(false);
    await editor.click();
    await page.keyboard.type('Hello Paul, the ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('toner');
    await page.keyboard.press('Control+b');
    await page.keyboard.type(' is ordered.');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('Draft saved');
    expect(await storedDraft()).toBe('Hello Paul, the toner is ordered.');
    expect(await storedHtml()).toBe('<p>Hello Paul, the <strong>toner</strong> is ordered.</p>');

    // The canned reply goes in at the cursor (after "Hello Paul, "), without leaving the page.
    const url = page.url();
    await page.keyboard.press('Home');
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    await page.locator('form.canned-picker button[type=submit]').click();
    await expect.poll(() => box.inputValue()).toBe('Hello Paul, we are on it. the toner is ordered.');
    expect(page.url()).toBe(url);
    await expect.poll(() => storedDraft(), { timeout: 10_000 }).toBe('Hello Paul, we are on it. the toner is ordered.');
    expect(await storedHtml()).toBe('<p>Hello Paul, we are on it. the <strong>toner</strong> is ordered.</p>');
    expect(await horizontalOverflow(page).then((o) => (o ? describeOverflow('ticket page with a draft', page.url(), o) : null))).toBeNull();

    const other = await browser.newContext({ viewport: PHONE });
    const phone = await other.newPage();
    await signIn(phone, h.base, 'gina@example.test', 'gina password 123');
    await phone.goto(`${h.base}/tickets/${ticketId}`);
    // Another device of the same agent opens the ticket with the draft in the box, formatting included.
    await expect.poll(() => phone.locator('form.reply-form .reply-editor-content strong').textContent()).toBe('toner');
    expect(await phone.locator('form.reply-form .reply-editor-content').textContent()).toBe('Hello Paul, we are on it. the toner is ordered.');
    expect(await phone.locator('form.reply-form textarea[name=text]').inputValue()).toBe('Hello Paul, we are on it. the toner is ordered.');
    // The list marks the ticket.
    await phone.goto(`${h.base}/tickets`);
    expect(await phone.locator('.badge.draft').count()).toBe(1);

    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await other.close();
    await context.close();
  }, 60_000);

  it('keeps the attached file and the Bcc with the draft: another browser finds them, with a Remove button', async () => {
    const id = await receivedTicket(h.models, inbox, 8, 'drafts-e2e');
    const draftOf = () => h.models.ReplyDraft.findOne({ ticketId: new Types.ObjectId(id) }).lean();
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    await page.goto(`${h.base}/tickets/${id}`);
    const form = page.locator('form.reply-form');
    await form.locator('.reply-editor-content').click();
    await page.keyboard.type('The log is attached.');
    await form.locator('input[type=text][name=bcc]').fill('boss@example.org');
    await form.locator('input[type=file][name=files]').setInputFiles({ name: 'printer.log', mimeType: 'text/plain', buffer: Buffer.from('paper jam at 10:02') });
    await expect.poll(async () => (await draftOf())?.uploadIds?.length ?? 0, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await draftOf())?.bcc ?? null, { timeout: 10_000 }).toEqual(['boss@example.org']);
    expect((await draftOf())!.text).toBe('The log is attached.');

    // A reload in another browser: the text, the Bcc and the file, listed like one just uploaded.
    const other = await browser.newContext({ viewport: PHONE });
    const laptop = await other.newPage();
    await signIn(laptop, h.base, 'gina@example.test', 'gina password 123');
    await laptop.goto(`${h.base}/tickets/${id}`);
    const again = laptop.locator('form.reply-form');
    await expect.poll(() => again.locator('.reply-editor-content').textContent()).toBe('The log is attached.');
    expect(await again.locator('input[type=text][name=bcc]').inputValue()).toBe('boss@example.org');
    const item = again.locator('.upload-list li.upload.done');
    expect(await item.locator('.upload-name').textContent()).toBe('printer.log');
    expect(await item.locator('input[type=hidden][name=upload]').count()).toBe(1);
    expect(await horizontalOverflow(laptop).then((o) => (o ? describeOverflow('reply box with a draft’s file', laptop.url(), o) : null))).toBeNull();
    // Removing it there saves the draft without it.
    await item.locator('button.upload-remove').click();
    await expect.poll(async () => (await draftOf())?.uploadIds?.length ?? 0, { timeout: 10_000 }).toBe(0);
    expect((await draftOf())!.text).toBe('The log is attached.');

    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await other.close();
    await context.close();
  }, 60_000);
});
