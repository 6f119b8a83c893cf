import { createServer } from 'node:net';
import type { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import { hashPassword } from '../../src/store/passwords.js';
import type { TestSmtp } from '../helpers/smtp.js';
import { describeOverflow, horizontalOverflow, PHONE, signIn, watchCsp, watchPageProblems } from './browser-harness.js';
import { sendingInboxWithAgent, startBrowserDesk, type BrowserDesk } from './browser-desk.js';

// Issue 20: the satisfaction survey end to end. An agent solves a ticket in the browser; the survey
// mail reaches a real SMTP server; the customer opens its "good" link (no session), sees the rating
// pre-selected, adds a comment and confirms on a phone-sized page; the agent then sees the rating.
let desk: BrowserDesk;
let smtp: TestSmtp;
let browser: Browser;
let base: string;
let ticketId: string;
let inbox: Types.ObjectId;

/** A free loopback port, so PUBLIC_URL (the links in the mail) can name the web role's own address. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  desk = await startBrowserDesk('satisfaction', ['web', 'jobs'], { env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  ({ smtp, browser, base } = desk);
  inbox = await sendingInboxWithAgent(desk, { address: 'help@survey.example.test' }, { email: 'gina@survey.example.test', name: 'Gina Agent', password: 'gina password 123' });
  await desk.app.models.Inbox.updateOne({ _id: inbox }, { $set: { satisfaction: { enabled: true, mode: 'solved', delayHours: 24, askEveryDays: 30 } } });
  const gina = (await desk.app.models.User.findOne({ email: 'gina@survey.example.test' }).lean())!;
  ticketId = (await desk.app.models.Ticket.create({ number: 12, inboxId: inbox, subject: 'Invoice export', requester: { email: 'paul@customer.test', name: 'Paul' }, assigneeId: gina._id, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
}, 60_000);
afterAll(async () => desk?.stop());

describe('the satisfaction survey', () => {
  it('goes from a solve in the browser to a rating the agent sees on the ticket', async () => {
    const agent = await (await browser.newContext()).newPage();
    await signIn(agent, base, 'gina@survey.example.test', 'gina password 123');
    await agent.goto(`${base}/tickets/${ticketId}`);
    const form = agent.locator(`form[action="/tickets/${ticketId}/update"]`);
    await form.locator('select[name=status]').selectOption('solved');
    await Promise.all([agent.waitForURL(new RegExp(`/tickets/${ticketId}`)), form.locator('button[type=submit]').first().click()]);

    // The survey mail, caught at the SMTP server: automated, with three links.
    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('paul@customer.test')).length, { timeout: 15_000 }).toBe(1);
    const received = smtp.received.find((m) => m.rcptTo.includes('paul@customer.test'))!;
    expect(received.mailFrom).toBe('');
    const mail = await parseMail(received.raw, { maxBytes: 10_000_000 });
    expect(mail.headers['auto-submitted']?.[0]).toBe('auto-generated');
    const links = [...(mail.text ?? '').matchAll(/https?:\/\/\S+\/satisfaction\/\S+\?rating=(good|okay|bad)/g)];
    expect(links.map((l) => l[1])).toEqual(['good', 'okay', 'bad']);
    const good = links[0]![0];
    expect(good.startsWith(`${base}/satisfaction/`)).toBe(true);

    // The customer, on a phone, without any session.
    const context = await browser.newContext({ viewport: PHONE });
    const customer = await context.newPage();
    const problems = watchPageProblems(customer);
    const violations = await watchCsp(customer);
    const opened = await customer.goto(good);
    expect(opened!.status()).toBe(200);
    expect(await customer.locator('input[name=rating][value=good]').isChecked()).toBe(true);
    const overflow = await horizontalOverflow(customer);
    expect(overflow && describeOverflow('survey page', good, overflow)).toBeNull();
    // Opening the link recorded nothing.
    expect((await desk.app.models.SatisfactionRating.findOne({ ticketId }).lean())!.rating).toBeNull();
    await customer.fill('textarea[name=comment]', 'Quick and friendly, thank you');
    await Promise.all([customer.waitForLoadState('load'), customer.click('form.satisfaction-form button[type=submit]')]);
    await expect.poll(() => customer.locator('h1').textContent()).toBe('Thank you');
    expect(await context.cookies()).toEqual([]);
    expect(await violations()).toEqual([]);
    expect(problems.errors).toEqual([]);

    await agent.goto(`${base}/tickets/${ticketId}`);
    await expect.poll(() => agent.locator('.badge.satisfaction-good').textContent()).toBe('Rated good');
    expect(await agent.locator('body').textContent()).toContain('Quick and friendly, thank you');

    // A manager reads it per agent on the team load page, which still fits a phone.
    await desk.app.models.User.create({ email: 'max@survey.example.test', name: 'Max Manager', role: 'manager', inboxIds: [inbox], passwordHash: await hashPassword('max password 123') });
    const manager = await (await browser.newContext({ viewport: PHONE })).newPage();
    await signIn(manager, base, 'max@survey.example.test', 'max password 123');
    await manager.goto(`${base}/team-load`);
    const table = manager.locator('.satisfaction-tables');
    expect(await table.textContent()).toContain('Gina Agent');
    const loadOverflow = await horizontalOverflow(manager);
    expect(loadOverflow && describeOverflow('team load', `${base}/team-load`, loadOverflow)).toBeNull();
  }, 60_000);
});
