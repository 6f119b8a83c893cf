import { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api.js';
import { startPages } from '../integration/web/pages-harness.js';
import { describeOverflow, horizontalOverflow, launchChromium, PHONE, signIn, watchPageProblems } from './browser-harness.js';

// Issue 15: typing `@` in the note box suggests the people who can see the ticket, in a real browser
// under the page's CSP (the suggestions come from the page's one script); choosing one writes
// `@handle `, and the note posted tells that person.
let h: Awaited<ReturnType<typeof startPages>>;
let browser: Browser;
let ticketId: string;
const inbox = new Types.ObjectId();
const team = new Types.ObjectId();
let lea: Types.ObjectId;

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina Agent' });
  await createUser(h.models, { email: 'lionel@example.test', password: 'lionel password 123', inboxIds: [inbox], name: 'Lionel Martin' });
  lea = (await createUser(h.models, { email: 'lea.dubois@example.test', password: 'lea password 123', inboxIds: [], name: 'Léa Dubois' }))._id;
  await h.models.Team.create({ _id: team, name: 'Réseau', level: 'L2', memberIds: [lea], inboxIds: [inbox] });
  ticketId = (await h.models.Ticket.create({ number: 5, inboxId: inbox, teamId: team, subject: 'VPN drops', requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the note box’s @ suggestions', () => {
  it('suggest the people who can see the ticket, write the chosen handle, and the note tells them', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    await page.goto(`${h.base}/tickets/${ticketId}`);
    const box = page.locator('form.note-form textarea[name=text]');
    await box.click();
    await box.pressSequentially('Checked the logs. @l');
    const suggest = page.locator('#mention-suggest');
    await expect.poll(() => suggest.isVisible()).toBe(true);
    // Names and handles starting with "l", in the page's order: Lionel and Léa (a team member).
    expect(await suggest.locator('li').allTextContents()).toEqual(['Lionel Martin @lionel', 'Léa Dubois @lea.dubois']);
    expect(await horizontalOverflow(page).then((o) => (o ? describeOverflow('ticket page with suggestions', page.url(), o) : null))).toBeNull();
    await box.pressSequentially('é');
    expect(await suggest.locator('li').allTextContents()).toEqual(['Léa Dubois @lea.dubois']);
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Checked the logs. @lea.dubois ');
    expect(await suggest.isVisible()).toBe(false);
    await box.pressSequentially('can you look?');
    await Promise.all([page.waitForNavigation(), page.locator('form.note-form button[type=submit]').click()]);
    const stored = await h.models.Notification.find({ kind: 'mentioned' }).lean();
    expect(stored.map((n) => n.userId.toHexString())).toEqual([lea.toHexString()]);
    expect(stored[0]!.data).toMatchObject({ excerpt: 'Checked the logs. @lea.dubois can you look?' });
    // No script error, and nothing the page asked for was missing (a browser's own favicon aside).
    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await context.close();
  }, 60_000);
});
