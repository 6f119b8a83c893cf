import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/store/passwords.js';
import { createKbArticle } from '../../src/services/kb/create-kb-article.js';
import { createKbCategory } from '../../src/services/kb/create-kb-category.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { freePort } from '../helpers/process.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { checkPhonePage, describeOverflow, horizontalOverflow, launchChromium, onTabs, PHONE, signIn } from './browser-harness.js';
import { addNewerPagesData, ADMIN, AGENT, BILLING, CC, LONG_CATEGORY, LONG_FILE, LONG_SUBJECT, LONG_TAG, LONG_TEAM, LONG_URL, MANAGER, REQUESTER, richMail, SUPPORT, wideHtmlMail } from './phone-layout-data.js';

// Issue 13: every page a user can reach fits a 390 px phone (no sideways scrolling), with the
// longest user data real mail brings: unbroken subjects, addresses, names, links and file names.

let dovecot: DovecotServer;
let smtp: TestSmtp;
let app: Awaited<ReturnType<typeof startRuntime>>;
let browser: Browser;
let base: string;
let supportId: string;
let billingId: string;
let agentId: string;
let richTicketId: string;
let mergedTicketId: string;
let billingTicketId: string;
let requesterContactId: string;
let teamId: string;
let routingRuleId: string;
let categoryId: string;
/** A ticket with a team and a category of the longest names. */
let teamTicketId: string;
let quarantinedId: string;
/** A ticket in Spam whose marking blocked its (long) sender. */
let spamTicketId: string;
let adminId: string;
/** A published knowledge base article with long words, a wide table and a long code line, and its category. */
let kbArticleId: string;
let kbArticleSlug: string;
let kbCategorySlug: string;
/** A ticket with side conversations (a partner's, a forward), the admin's draft and a bad rating with a long comment. */
let sideTicketId: string;
/** The rich ticket's first message (the one forwarded alone). */
let richMessageId: string;
/** A survey link (a path) not yet answered, and one already rated with a long comment. */
let surveyLink: string;
let ratedSurveyLink: string;
/** The password link the admin creates for the agent (a path). */
let passwordLink = '';

/** Every page of the failing runs, each naming the page and its widest element. */
const overflows: string[] = [];
/** The browser language of the pages being checked, named in each failure. */
let where = '';

/** PHONE_SCREENSHOTS=<folder> keeps a full-page capture of every page checked, to look at by eye. */
const SHOTS = process.env.PHONE_SCREENSHOTS;
let shot = 0;

/** Checks the page now shown in `page` for sideways scrolling; records a failure rather than stopping. */
async function checkFits(page: Page, label: string): Promise<void> {
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${String(++shot).padStart(2, '0')}-${(where + label).replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`), fullPage: true });
  }
  const found = await horizontalOverflow(page);
  if (found) overflows.push(describeOverflow(`${where}${label}`, new URL(page.url()).pathname + new URL(page.url()).search, found));
}

/** Checks the page now shown fits and, signed in, that its top bar's name and Sign out are reachable on screen (the menu open fits too). */
async function checkPage(page: Page, label: string, signedIn: boolean): Promise<void> {
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${String(++shot).padStart(2, '0')}-${(where + label).replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`), fullPage: true });
  }
  const { overflow, bar } = await checkPhonePage(page);
  const at = new URL(page.url()).pathname + new URL(page.url()).search;
  if (overflow) overflows.push(describeOverflow(`${where}${label}`, at, overflow));
  if (!signedIn) return;
  for (const [what, box] of [['name link', bar.name], ['Sign out', bar.signOut]] as const) {
    expect(box, `${label}: ${what} is not reachable`).not.toBeNull();
    expect(box!.x >= 0 && box!.x + box!.width <= PHONE.width + 0.5, `${label}: ${what} is outside the screen (${JSON.stringify(box)})`).toBe(true);
  }
  if (bar.overflow) overflows.push(describeOverflow(`${where}${label} (menu open)`, at, bar.overflow));
}

/** The signed-in user's name (to /account) and Sign out: visible, or visible once the menu is opened. */
async function checkTopBar(page: Page, label: string): Promise<void> {
  await checkPage(page, label, true);
}

/** Opens `url` at phone size and checks it fits; on a signed-in page, checks the top bar too. */
async function visit(page: Page, label: string, url: string, opts: { status?: number; signedIn?: boolean } = {}): Promise<void> {
  const response = await page.goto(`${base}${url}`);
  expect(response?.status(), `${label}: ${url}`).toBe(opts.status ?? 200);
  await checkPage(page, label, opts.signedIn ?? true);
}

/** How many pages are checked at once: more than two keep both the server and the browser busy. */
const TABS = 4;

/** Each role's signed-in cookies, saved at its first sign-in: every later context starts signed in. */
const signedInAs = new Map<string, Awaited<ReturnType<BrowserContext['storageState']>>>();

/** A phone-sized context (of `locale`) signed in as `who`, signing in through the form only the first time. */
async function signedInContext(who: { email: string; password: string }, opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const saved = signedInAs.get(who.email);
  const context = await browser.newContext({ viewport: opts.viewport ?? PHONE, ...(opts.locale ? { locale: opts.locale } : {}), ...(saved ? { storageState: saved } : {}) });
  if (!saved) {
    const page = await context.newPage();
    await signIn(page, base, who.email, who.password);
    signedInAs.set(who.email, await context.storageState());
    await page.close();
  }
  return context;
}

/** Submits the form found by `form` (a selector) on the current page with its submit button. */
async function submit(page: Page, form: string, button = 'button[type=submit]'): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.locator(`${form} ${button}`).first().click()]);
}

beforeAll(async () => {
  // The browser, the mail servers and the desk start at once: none needs another to start.
  const launching = launchChromium();
  // Jobs looked for twice a second, not twenty times: nothing here waits on one, and the pages share the CPU with them.
  [dovecot, smtp, app] = await Promise.all([startDovecot([SUPPORT]), startSmtp(), startRuntime('phone', ['web', 'poller', 'jobs'], { JOBS_PROCESS_EVERY_MS: '500' })]);
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const support = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: support._id }, { $set: { name: 'Customer Support', smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, 'autoReply.enabled': false } });
  // The second inbox's IMAP port is closed: its health shows a connection error.
  const billing = await createImapInbox(app.models, { address: BILLING, port: await freePort(), password: 'nothing listens here' });
  await app.models.Inbox.updateOne({ _id: billing._id }, { $set: { name: 'Billing and accounts receivable', 'autoReply.enabled': false } });
  supportId = support._id.toHexString();
  billingId = billing._id.toHexString();
  const [adminHash, agentHash] = await Promise.all([hashPassword(ADMIN.password), hashPassword(AGENT.password)]);
  const admin = await app.models.User.create({ email: ADMIN.email, name: ADMIN.name, role: 'admin', inboxIds: [], passwordHash: adminHash });
  const agent = await app.models.User.create({ email: AGENT.email, name: AGENT.name, role: 'agent', inboxIds: [support._id, billing._id], passwordHash: agentHash });
  agentId = agent._id.toHexString();
  adminId = admin._id.toHexString();

  await dovecot.append(SUPPORT, richMail());
  await dovecot.append(SUPPORT, wideHtmlMail());
  for (const [i, subject] of ['Delivery to Lyon warehouse delayed again, please confirm the new date', 'Duplicate charge on card ending 4242', 'Password reset link expired'].entries()) {
    await dovecot.append(SUPPORT, rawMail({ from: i < 2 ? `Bartholomew <${REQUESTER}>` : 'Carla <carla@customer.example.test>', to: SUPPORT, subject, messageId: `other-${i}@customer.example.test` }));
  }
  const billingTicket = await app.models.Ticket.create({ number: 9001, inboxId: billing._id, subject: `${LONG_SUBJECT}-${LONG_SUBJECT}`, requester: { email: REQUESTER, name: null }, status: 'pending', priority: 'urgent' });
  browser = await launching;
  await vi.waitFor(async () => expect(await app.models.Ticket.countDocuments({ inboxId: support._id })).toBe(4), { timeout: 30_000, interval: 100 });
  richTicketId = (await app.models.Ticket.findOne({ subject: LONG_SUBJECT }).lean())!._id.toHexString();
  mergedTicketId = (await app.models.Ticket.findOne({ subject: /Duplicate charge/ }).lean())!._id.toHexString();
  billingTicketId = billingTicket._id.toHexString();
  requesterContactId = (await app.models.Contact.findOne({ email: REQUESTER }).lean())!._id.toHexString();
  const team = await app.models.Team.create({ name: LONG_TEAM, level: 'L2', memberIds: [agent._id], inboxIds: [support._id, billing._id] });
  const category = await app.models.Category.create({ name: LONG_CATEGORY, inboxId: support._id });
  teamId = team._id.toHexString();
  categoryId = category._id.toHexString();
  // A routing rule with long words, senders and tags, which matches the team's ticket on its dry-run.
  routingRuleId = (await app.models.RoutingRule.create({
    name: `Route ${LONG_TEAM}`, order: 1, enabled: true, onReplies: true, stop: true,
    conditions: [{ kind: 'sender', values: [REQUESTER, 'very-long-subdomain-name.customer-company-example.org'] }, { kind: 'subject', words: ['supercalifragilisticexpialidocious', 'VPN'] }],
    actions: [{ kind: 'team', teamId: team._id.toHexString() }, { kind: 'tags', tags: ['a-very-long-tag-name-for-routing', 'vip'] }],
  }))._id.toHexString();
  teamTicketId = (await app.models.Ticket.create({ number: 9002, inboxId: support._id, teamId: team._id, categoryId: category._id, subject: 'VPN drops every hour', requester: { email: REQUESTER, name: null }, status: 'open' }))._id.toHexString();
  // A mail set aside after failing again and again: longest subject, sender and a stack trace as its detail.
  quarantinedId = (await app.models.Quarantine.create({
    inboxId: billing._id, reason: 'INGEST_FAILED', contentHash: 'phone-quarantine', size: 123_456_789,
    detail: `Error: ${'write conflict '.repeat(20)}\n${'    at ingestMail (/srv/threadline/dist/services/ingest/ingest-mail.js:1:1)\n'.repeat(10)}`,
    source: { folder: 'INBOX', uidValidity: '1700000000', uid: 4_294_967_295 }, subject: `${LONG_SUBJECT}-${LONG_SUBJECT}`, from: REQUESTER,
  }))._id.toHexString();
  spamTicketId = (await app.models.Ticket.create({
    number: 9003, inboxId: support._id, subject: `${LONG_SUBJECT}-spam`, requester: { email: REQUESTER, name: null }, status: 'spam',
    spam: { at: new Date(), by: admin._id, from: 'open', block: { kind: 'sender', value: REQUESTER } },
  }))._id.toHexString();
  await app.models.SpamBlock.create({ inboxId: support._id, kind: 'sender', value: REQUESTER, ticketId: spamTicketId, by: admin._id });
  const kbDeps = { ...app.runtime.stores, now: () => new Date() };
  const kbActor = { userId: admin._id, role: 'admin' as const, inboxIds: [] };
  const kbCategory = await createKbCategory(kbDeps, kbActor, { name: LONG_CATEGORY, language: 'en', description: LONG_SUBJECT });
  const kbArticle = await createKbArticle(kbDeps, kbActor, {
    title: `${LONG_SUBJECT} ${LONG_TAG}`, language: 'en', status: 'published', categoryId: kbCategory.id, tags: [LONG_TAG.slice(0, 40)],
    body: `Download ${LONG_URL}\n\n| ${LONG_FILE} | ${LONG_TAG} | ${LONG_CATEGORY} |\n|---|---|---|\n| ${REQUESTER} | ${CC} | ${LONG_SUBJECT} |\n\n\`\`\`\n${LONG_URL} ${LONG_URL}\n\`\`\``,
  });
  kbArticleId = kbArticle.id;
  kbArticleSlug = kbArticle.slug;
  kbCategorySlug = kbCategory.slug;
  await vi.waitFor(async () => expect(await app.models.Message.countDocuments({ ticketId: richTicketId })).toBe(2), { timeout: 20_000, interval: 100 });
  richMessageId = (await app.models.Message.findOne({ ticketId: richTicketId }).sort({ date: 1 }).lean())!._id.toHexString();
  ({ sideTicketId, surveyLink, ratedSurveyLink } = await addNewerPagesData(app, { adminId: admin._id, agentId: agent._id, supportId: support._id, teamId: team._id }));
  // The admin's notifications: the longest subject, unread and read, with the longest name as who did it.
  const about = { ticketId: billingTicket._id, ticketNumber: 9001, ticketSubject: billingTicket.subject, inboxId: billing._id, userId: admin._id };
  await app.models.Notification.create([
    { ...about, kind: 'mentioned', key: 'phone-1', at: new Date(Date.now() - 600_000), data: { by: ADMIN.name }, mail: 'skipped' },
    { ...about, kind: 'sla_breached', key: 'phone-2', at: new Date(Date.now() - 7_200_000), data: {}, mail: 'skipped', readAt: new Date() },
  ]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

describe('every page on a 390 px phone', () => {
  beforeEach(() => {
    overflows.length = 0;
    where = '';
  });

  it('keeps the wide-screen bar as it was: nav, name and Sign out shown, no menu button', async () => {
    // The admin's one sign-in through the form: every later admin context reuses its cookies.
    const context = await signedInContext(ADMIN, { viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('header.topbar details.menu > summary').isVisible()).toBe(false);
    for (const href of ['/', '/tickets', '/tickets?assignee=me&status=active', '/team-load', '/settings']) expect(await page.locator(`header.topbar nav a[href="${href}"]`).isVisible(), href).toBe(true);
    expect(await page.locator('header.topbar a[href="/account"]').textContent()).toBe(ADMIN.name);
    expect(await page.locator('header.topbar form[action="/logout"] button').isVisible()).toBe(true);
    const bar = (await page.locator('header.topbar').boundingBox())!;
    expect(bar.height).toBeLessThan(60);
    await context.close();
  }, 30_000);

  it('an admin fills the pages by using them at phone size: reply, note, ticket fields, merge, token, canned reply, password link', async () => {
    const context = await signedInContext(ADMIN);
    const page = await context.newPage();
    await visit(page, 'inbox overview', '/');

    await visit(page, 'ticket page (new)', `/tickets/${richTicketId}`);
    // The reply editor (assets/editor.js) stands in for the textarea, which it keeps filled.
    await page.fill('form[action$="/reply"] .reply-editor-content', `Hello, the corrected invoice is at ${LONG_URL}`);
    await submit(page, 'form[action$="/reply"]');
    await page.fill('form[action$="/note"] textarea[name=text]', `Checked with accounting: ${'ticket-FAC-2231-'.repeat(6)}`);
    await submit(page, 'form[action$="/note"]');
    await page.selectOption('form[action$="/update"] select[name=status]', 'pending');
    await page.selectOption('form[action$="/update"] select[name=assigneeId]', agentId);
    await page.fill('form[action$="/update"] input[name=tags]', `billing, vip, ${LONG_TAG}`);
    expect(await page.locator('form[action$="/update"] select[name=teamId] option:checked').textContent()).toBe('No team');
    await page.selectOption('form[action$="/update"] select[name=teamId]', teamId);
    await page.selectOption('form[action$="/update"] select[name=categoryId]', categoryId);
    await submit(page, 'form[action$="/update"]');
    expect(await page.locator('form[action$="/update"] select[name=teamId] option:checked').textContent()).toBe(`${LONG_TEAM} (L2)`);
    expect(await page.locator('.event', { hasText: `Ticket moved to team ${LONG_TEAM} (L2) by ${ADMIN.name}` }).count()).toBe(1);
    await page.goto(`${base}/tickets/${mergedTicketId}`);
    await page.selectOption('form[action$="/merge"] select[name=intoId]', richTicketId);
    await submit(page, 'form[action$="/merge"]');

    await visit(page, 'ticket page (messages, reply, note, attachment, trail)', `/tickets/${richTicketId}`);
    expect(await page.locator('.msg.inbound').count()).toBeGreaterThan(1);
    expect(await page.locator('.msg.note').count()).toBe(1);
    expect(await page.locator('.msg.outbound').count()).toBe(1);
    expect(await page.locator('.attachments li').count()).toBe(1);
    expect(await page.locator('.event').count()).toBeGreaterThan(2);
    const aside = (await page.locator('.ticket-layout > aside').boundingBox())!;
    const timeline = (await page.locator('.ticket-layout .timeline').boundingBox())!;
    expect(aside.y, 'the sidebar goes below the conversation').toBeGreaterThanOrEqual(timeline.y + timeline.height);
    // The reply area (wide on a desktop) stacks between the conversation and the sidebar.
    const reply = (await page.locator('.ticket-layout .reply-area').boundingBox())!;
    expect(reply.y).toBeGreaterThanOrEqual(timeline.y + timeline.height);
    expect(aside.y).toBeGreaterThanOrEqual(reply.y + reply.height);

    // Save a filter combination under the longest name a view may have (60 characters, unbroken).
    await visit(page, 'ticket list (tag, due soon: can be saved)', `/tickets?tag=${LONG_TAG}&due=soon`);
    await page.fill('form.save-view input[name=name]', `Renewals-due-soon-${'x'.repeat(42)}`);
    await submit(page, 'form.save-view');
    await checkFits(page, 'saved views (after saving)');
    expect(await page.locator('table.saved-views tbody tr').count()).toBe(1);
    await visit(page, 'ticket list (with a saved view in the bar)', '/tickets');
    expect(await page.locator('nav.views a.saved').count()).toBe(1);

    await visit(page, 'account', '/account');
    await page.fill('form[action="/account/tokens"] input[name=label]', `reporting-script-for-the-monthly-management-dashboard-${'x'.repeat(40)}`);
    await submit(page, 'form[action="/account/tokens"]');
    await checkFits(page, 'account (new API token shown)');
    expect(await page.locator('.secret-value').count()).toBe(1);

    await visit(page, 'settings: canned replies (none)', `/settings/inboxes/${billingId}/canned-replies`);
    await page.fill('form[action$="/canned-replies"] input[name=title]', `Refund-approved-${'and-processed-'.repeat(6)}`);
    await page.fill('form[action$="/canned-replies"] textarea[name=body]', `Hello {{customerName}}, see ${LONG_URL}`);
    await submit(page, 'form[action$="/canned-replies"]');

    await visit(page, 'settings: one user', `/settings/users/${agentId}`);
    await submit(page, 'form[action$="/password-link"]');
    await checkFits(page, 'settings: one user (password link shown)');
    passwordLink = new URL((await page.locator('.secret-value').textContent())!.trim()).pathname;
    expect(passwordLink).toMatch(/^\/password\//);
    await context.close();
    expect(overflows).toEqual([]);
  }, 60_000);

  for (const locale of ['en-GB', 'fr-FR']) {
    it(`${locale}: an admin reaches every page and none scrolls sideways`, async () => {
      expect(passwordLink, 'the test before creates the password link').toBeTruthy();
      where = `[${locale}] `;
      const context = await signedInContext(ADMIN, { locale });
      const first = await context.newPage();
      await visit(first, 'inbox overview', '/');
      expect(await first.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
      await first.close();
      const pages: Array<[label: string, url: string, status?: number]> = [
        ['inbox overview', '/'],
        ['ticket list', '/tickets'],
        ['ticket list (inbox, status, assignee filters)', `/tickets?inbox=${supportId}&status=new&assignee=unassigned`],
        ['ticket list (search, due soon)', '/tickets?q=invoice&due=soon'],
        ['ticket list (tag)', `/tickets?tag=${LONG_TAG}`],
        ['ticket list (team, level, priority, age)', `/tickets?team=${teamId}&level=L2&priority=urgent,high&age=under-1d&status=active`],
        ['ticket list (Mine)', '/tickets?assignee=me&status=active'],
        ['ticket list (Unassigned)', '/tickets?assignee=unassigned&status=active'],
        ['ticket list (Breaching)', '/tickets?due=breached'],
        ['ticket list (Spam)', '/tickets?status=spam&snoozed=any'],
        ['ticket list (filtered, with the Save view form)', `/tickets?inbox=${supportId}&tag=${LONG_TAG}&q=invoice&due=soon`],
        ['saved views', '/tickets/views'],
        ['new conversation', '/tickets/new'],
        ['ticket list (billing inbox, pending)', `/tickets?inbox=${billingId}&status=pending`],
        ['ticket list (nothing matches)', `/tickets?q=${'nothing'.repeat(20)}`],
        ['ticket page', `/tickets/${richTicketId}`],
        ['ticket page (merged ticket)', `/tickets/${mergedTicketId}`],
        ['ticket page (no messages, billing inbox)', `/tickets/${billingTicketId}`],
        ['ticket page (team and category)', `/tickets/${teamTicketId}`],
        ['ticket page (in Spam, its sender blocked)', `/tickets/${spamTicketId}`],
        ['account', '/account'],
        ['notifications', '/notifications'],
        ['team load', '/team-load'],
        ['reports', '/reports'],
        ['settings', '/settings'],
        ['settings: inboxes', '/settings/inboxes'],
        ['settings: new inbox', '/settings/inboxes/new'],
        ['settings: one inbox', `/settings/inboxes/${supportId}`],
        ['settings: inbox with a failing mailbox', `/settings/inboxes/${billingId}`],
        ['settings: delete an inbox', `/settings/inboxes/${billingId}/delete`],
        ['settings: SLA', `/settings/inboxes/${supportId}/sla`],
        ['settings: auto-reply', `/settings/inboxes/${supportId}/auto-reply`],
        ['settings: canned replies', `/settings/inboxes/${billingId}/canned-replies`],
        ['settings: canned replies (none)', `/settings/inboxes/${supportId}/canned-replies`],
        ['settings: block list', `/settings/inboxes/${supportId}/spam-blocks`],
        ['settings: block list (empty)', `/settings/inboxes/${billingId}/spam-blocks`],
        ['settings: inbox sign-in (OAuth2)', `/settings/inboxes/${supportId}/oauth`],
        ['settings: digest', '/settings/digest'],
        ['settings: users', '/settings/users'],
        ['settings: new user', '/settings/users/new'],
        ['settings: one user', `/settings/users/${agentId}`],
        ['settings: one user (self)', `/settings/users/${adminId}`],
        ['settings: teams', '/settings/teams'],
        ['settings: new team', '/settings/teams/new'],
        ['settings: one team', `/settings/teams/${teamId}`],
        ['settings: routing rules', '/settings/routing'],
        ['settings: new routing rule', '/settings/routing/new'],
        ['settings: one routing rule, tried', `/settings/routing/${routingRuleId}?dryRun=1`],
        ['settings: categories', '/settings/categories'],
        ['settings: knowledge base categories', '/settings/kb-categories'],
        ['knowledge base', '/kb'],
        ['knowledge base (search)', `/kb?q=${LONG_TAG}`],
        ['knowledge base: new article', '/kb/new'],
        ['knowledge base: article', `/kb/${kbArticleId}`],
        ['knowledge base: edit article', `/kb/${kbArticleId}/edit`],
        ['knowledge base: history', `/kb/${kbArticleId}/revisions`],
        ['knowledge base: figures', '/kb/stats'],
        ['settings: quarantine', '/settings/quarantine'],
        ['settings: one quarantined mail', `/settings/quarantine/${quarantinedId}`],
        ['settings: partners', '/settings/partners'],
        ['settings: access log', '/settings/access-log'],
        ['settings: access log (filtered)', '/settings/access-log?action=ticket_viewed'],
        ['contacts (search)', '/contacts?q=bartholomew'],
        ['contact page (the long requester, by the ticket page link)', `/contacts/lookup?email=${encodeURIComponent(REQUESTER)}`],
        ['erase a person: first confirmation', `/contacts/${requesterContactId}/erase`],
        ['inboxes', '/inboxes'],
        ['ticket list (with a partner)', '/tickets?status=with_partner'],
        ['ticket page (side conversations, draft, bad rating)', `/tickets/${sideTicketId}`],
        ['ticket page (draft saved)', `/tickets/${sideTicketId}?draft=saved`],
        ['forward the conversation', `/tickets/${richTicketId}/forward`],
        ['forward one message', `/tickets/${richTicketId}/forward?message=${richMessageId}`],
        ['error page (404, signed in)', '/tickets/000000000000000000000000', 404],
      ];
      const tasks: Array<(page: Page) => Promise<void>> = pages.map(([label, url, status]) => (page) => visit(page, label, url, { status: status ?? 200 }));

      // Pages a form answers with: the connection test, the SLA form's errors, the auto-reply preview.
      tasks.push(async (page) => {
        await visit(page, 'settings: inbox (before the test)', `/settings/inboxes/${billingId}`);
        await submit(page, 'form.cfg-form', 'button[name=action][value=test]');
        expect(await page.locator('.cfg-tests').count()).toBe(1);
        await checkFits(page, 'settings: inbox connection test results');
      });
      tasks.push(async (page) => {
        await visit(page, 'settings: SLA (before the errors)', `/settings/inboxes/${supportId}/sla`);
        await page.fill('input[name=t_urgent_first]', 'not-a-duration-at-all-just-a-long-unbroken-word');
        // A level's own targets: its grid shows once ticked (CSS only), and its errors fit too.
        expect(await page.locator('input[name=lt_L2_urgent_first]').isVisible()).toBe(false);
        await page.check('input[name=lv_L2_on]');
        await page.fill('input[name=lt_L2_urgent_first]', 'another-long-unbroken-word-that-is-no-duration');
        await submit(page, 'form.cfg-form');
        expect(await page.locator('input[name=lt_L2_urgent_first][aria-invalid="true"]').isVisible()).toBe(true);
        expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
        await checkFits(page, 'settings: SLA with errors');
      });
      tasks.push(async (page) => {
        await visit(page, 'settings: auto-reply (before the preview)', `/settings/inboxes/${supportId}/auto-reply`);
        await page.fill('input[name=subject]', `Re: {{ticketSubject}} ${'[received]'.repeat(8)}`);
        await submit(page, 'form.cfg-form', 'button[name=action][value=preview]');
        await checkFits(page, 'settings: auto-reply preview');
      });
      tasks.push(async (page) => {
        await visit(page, 'settings: categories (before editing one)', '/settings/categories');
        await page.locator('table.categories details > summary').first().click();
        expect(await page.locator('table.categories details form input[name=name]').first().isVisible()).toBe(true);
        await checkFits(page, 'settings: categories (editing one)');
      });
      // Refused forms shown again with their errors: a forward to no valid address, a partner without a name.
      tasks.push(async (page) => {
        await visit(page, 'forward (before the error)', `/tickets/${richTicketId}/forward`);
        // The browser's own checks off, as an old browser has none: the server refuses it.
        await page.evaluate(`document.querySelector('form.forward-form').noValidate = true`);
        await page.fill('form.forward-form input[name=address]', `not-an-address-${LONG_TAG}`);
        await submit(page, 'form.forward-form');
        await checkFits(page, 'forward (refused)');
      });
      tasks.push(async (page) => {
        await visit(page, 'settings: partners (before the error)', '/settings/partners');
        const add = 'form[action="/settings/partners"]';
        await page.evaluate(`document.querySelector('${add}').noValidate = true`);
        await page.fill(`${add} input[name=address]`, `${LONG_TAG}@`);
        await page.fill(`${add} input[name=name]`, LONG_TEAM);
        await submit(page, add);
        await checkFits(page, 'settings: partners (refused)');
      });

      // Signed out: the password page of a valid link (as the person it was sent to), a dead link, the login, a 404;
      // the public help center (its own layout, no session) and the satisfaction survey's page.
      const outside = await browser.newContext({ viewport: PHONE, locale });
      const visitor = (label: string, url: string, status = 200) => (page: Page) => visit(page, label, url, { status, signedIn: false });
      const visitorTasks: Array<(page: Page) => Promise<void>> = [
        async (page) => {
          await visit(page, 'password-set page (valid link)', passwordLink, { signedIn: false });
          expect(await page.locator('input[name=password]').count()).toBe(1);
        },
        visitor('password-set page (dead link)', '/password/not-a-valid-token', 404),
        async (page) => {
          await visit(page, 'login', '/login', { signedIn: false });
          await page.fill('input[name=email]', REQUESTER);
          await page.fill('input[name=password]', 'wrong password');
          await submit(page, 'form[action="/login"]');
          await checkFits(page, 'login (refused)');
        },
        visitor('error page (404, signed out)', '/no/such/page', 404),
        ...['en', 'fr'].map((lang) => visitor(`help center (${lang})`, `/help/${lang}`)),
        visitor('help center: category', `/help/en/c/${kbCategorySlug}`),
        visitor('help center: article', `/help/en/${kbArticleSlug}`),
        visitor('help center: article (voted)', `/help/en/${kbArticleSlug}?voted=no`),
        visitor('help center: search', `/help/search?lang=en&q=${LONG_TAG}`),
        visitor('help center: nothing found', `/help/search?lang=fr&q=${'nothing'.repeat(20)}`),
        visitor('help center: 404', '/help/en/no-such-article', 404),
        visitor('satisfaction survey (link with a rating)', `${surveyLink}?rating=bad`),
        visitor('satisfaction survey (already rated, comment shown)', ratedSurveyLink),
        visitor('satisfaction survey (bad link)', '/satisfaction/not-a-valid-token', 400),
        async (page) => {
          await visit(page, 'satisfaction survey (before confirming)', `${ratedSurveyLink}?rating=okay`, { signedIn: false });
          await page.fill('textarea[name=comment]', `${LONG_URL} ${LONG_SUBJECT}`);
          await submit(page, 'form.satisfaction-form');
          await checkFits(page, 'satisfaction survey (thanks)');
        },
      ];
      await Promise.all([onTabs(context, TABS, tasks), onTabs(outside, 2, visitorTasks)]);
      await context.close();
      await outside.close();
      expect(overflows).toEqual([]);
    }, 120_000);
  }

  it("an agent's pages fit too (no settings in the menu)", async () => {
    const context = await signedInContext(AGENT);
    const page = await context.newPage();
    await visit(page, 'inbox overview (agent)', '/');
    expect(await page.locator('header.topbar a[href="/settings"]').count()).toBe(0);
    await onTabs(context, TABS, [
      ['ticket list (agent, Mine)', '/tickets?assignee=me&status=active'],
      ['ticket list (agent)', '/tickets'],
      ['saved views (agent, none)', '/tickets/views'],
      ['new conversation (agent)', '/tickets/new'],
      ['ticket page (agent)', `/tickets/${richTicketId}`],
      ['ticket page (agent, team and category)', `/tickets/${teamTicketId}`],
      ['ticket page (agent, side conversations)', `/tickets/${sideTicketId}`],
      ['forward (agent)', `/tickets/${richTicketId}/forward`],
      ['notifications (agent, none)', '/notifications'],
      ['knowledge base (agent)', '/kb'],
      ['knowledge base: article (agent)', `/kb/${kbArticleId}`],
      ['team load (agent: not allowed)', '/team-load', 403],
      ['reports (agent: not allowed)', '/reports', 403],
      ['settings (agent: not allowed)', '/settings', 403],
    ].map(([label, url, status]) => (tab: Page) => visit(tab, label as string, url as string, { status: (status as number | undefined) ?? 200 })));
    await visit(page, 'account (agent)', '/account');
    // Marked away: the top bar's reminder fits beside the menu button.
    await submit(page, 'form[action="/account/away"]');
    expect(await page.locator('header.topbar a.away-flag').isVisible()).toBe(true);
    await checkTopBar(page, 'account (agent, away)');
    await visit(page, 'team load (agent: not allowed)', '/team-load', { status: 403 });
    expect(await page.locator('header.topbar a[href="/team-load"]').count()).toBe(0);
    // Sign out from the phone menu.
    await page.locator('header.topbar details.menu > summary').click();
    await Promise.all([page.waitForURL(/\/login/), page.locator('header.topbar form[action="/logout"] button').click()]);
    await context.close();
    expect(overflows).toEqual([]);
  }, 60_000);

  it("a manager's pages fit too (team load with satisfaction, settings read-only)", async () => {
    const context = await signedInContext(MANAGER);
    await onTabs(context, TABS, [
      ['inbox overview (manager)', '/'],
      ['ticket list (manager)', '/tickets'],
      ['ticket page (manager, side conversations)', `/tickets/${sideTicketId}`],
      ['team load (manager, satisfaction)', '/team-load'],
      ['reports (manager)', '/reports'],
      ['contact page (manager)', `/contacts/lookup?email=${encodeURIComponent(REQUESTER)}`],
      ['notifications (manager)', '/notifications'],
      ['account (manager)', '/account'],
      ['settings (manager)', '/settings'],
      ['settings: partners (manager, read-only)', '/settings/partners'],
      ['settings: teams (manager)', '/settings/teams'],
      ['settings: categories (manager)', '/settings/categories'],
      ['settings: one inbox (manager)', `/settings/inboxes/${supportId}`],
      ['knowledge base (manager)', '/kb'],
      ['knowledge base: figures (manager)', '/kb/stats'],
    ].map(([label, url]) => (tab: Page) => visit(tab, label!, url!)));
    await context.close();
    expect(overflows).toEqual([]);
  }, 60_000);
});
