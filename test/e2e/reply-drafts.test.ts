import { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api.js';
import { startPages } from '../integration/web/pages-harness.js';
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

describe('the reply box’s draft', () => {
  it('autosaves, inserts a canned reply at the cursor, and opens on another device', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    await page.goto(`${h.base}/tickets/${ticketId}`);
    const box = page.locator('form.reply-form textarea[name=text]');
    const status = page.locator('form.reply-form .draft-status');
    expect(await status.isVisible()).toBe(false);
    await box.click();
    await box.pressSequentially('Hello Paul, the toner is ordered.');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('Draft saved');
    expect(await storedDraft()).toBe('Hello Paul, the toner is ordered.');

    // The canned reply goes in at the cursor (after "Hello Paul, "), without leaving the page.
    const url = page.url();
    await box.evaluate((el) => (el as unknown as { setSelectionRange(start: number, end: number): void }).setSelectionRange(12, 12));
    await page.locator('form.canned-picker button[type=submit]').click();
    await expect.poll(() => box.inputValue()).toBe('Hello Paul, we are on it. the toner is ordered.');
    expect(page.url()).toBe(url);
    await expect.poll(() => storedDraft(), { timeout: 10_000 }).toBe('Hello Paul, we are on it. the toner is ordered.');
    expect(await horizontalOverflow(page).then((o) => (o ? describeOverflow('ticket page with a draft', page.url(), o) : null))).toBeNull();

    // Another device of the same agent opens the ticket with the draft in the box.
    const other = await browser.newContext({ viewport: PHONE });
    const phone = await other.newPage();
    await signIn(phone, h.base, 'gina@example.test', 'gina password 123');
    await phone.goto(`${h.base}/tickets/${ticketId}`);
    expect(await phone.locator('form.reply-form textarea[name=text]').inputValue()).toBe('Hello Paul, we are on it. the toner is ordered.');
    // The list marks the ticket.
    await phone.goto(`${h.base}/tickets`);
    expect(await phone.locator('.badge.draft').count()).toBe(1);

    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await other.close();
    await context.close();
  }, 60_000);
});
