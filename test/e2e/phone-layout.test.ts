import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
import { describeOverflow, horizontalOverflow, launchChromium, PHONE, signIn } from './browser-harness.js';

// Issue 13: every page a user can reach fits a 390 px phone (no sideways scrolling), with the
// longest user data real mail brings: unbroken subjects, addresses, names, links and file names.
const SUPPORT = 'support@phone.example.test';
const BILLING = 'billing-and-accounts-receivable-for-every-subsidiary-worldwide@finance-department.phone.example.test';
const REQUESTER = 'bartholomew.featherstonehaugh-cholmondeley.procurement@extraordinarily-long-subsidiary-name.customer.example.test';
const CC = 'accounts.payable.shared.mailbox.for.all.regional.offices@extraordinarily-long-subsidiary-name.customer.example.test';
const LONG_SUBJECT = 'Invoice_INV-2026-000123456789_ACME-International-Holdings-GmbH-und-Co-KG_final-final-v2-signed-scanned-copy.pdf';
const LONG_URL = 'https://portal.customer.example.test/invoices/download?id=000123456789&token=3f9a0c1e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9';
const LONG_FILE = 'Scanned_Delivery_Note_and_Signed_Proof_of_Receipt_Warehouse-Lyon-Saint-Exupery_2026-12-06_batch-00042.pdf';
const LONG_TAG = 'contract-renewal-before-end-of-fiscal-year-2027';
// The longest names a team and a category may have (80 characters), unbroken.
const LONG_TEAM = 'Second-line-network-and-infrastructure-specialists-Lyon-Saint-Exupery-2026-night';
const LONG_CATEGORY = 'Facturation-et-comptabilite-fournisseurs-pour-toutes-les-filiales-europeennes-12';
const ADMIN = { email: 'adele@phone.example.test', name: 'Adèle-Marguerite-Wolfeschlegelsteinhausenbergerdorff', password: 'adele password 123' };
const AGENT = { email: 'agnes@phone.example.test', name: 'Agnes Agent', password: 'agnes password 123' };

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
/** The password link the admin creates for the agent (a path). */
let passwordLink = '';

/** A customer's first mail: unbroken subject and addresses, a long link, a PDF with a long name. */
function richMail(): Buffer {
  return Buffer.from(
    [
      `From: "Bartholomew Featherstonehaugh-Cholmondeley" <${REQUESTER}>`,
      `To: ${SUPPORT}`,
      `Cc: ${CC}`,
      `Subject: ${LONG_SUBJECT}`,
      `Date: ${new Date(Date.now() - 3 * 3600_000).toUTCString()}`,
      'Message-ID: <rich-1@customer.example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello,',
      '',
      `the invoice at ${LONG_URL} still shows the wrong VAT rate.`,
      `Reference: ${'0123456789ABCDEF'.repeat(8)}`,
      '--mix',
      `Content-Type: application/pdf; name="${LONG_FILE}"`,
      `Content-Disposition: attachment; filename="${LONG_FILE}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 not really a pdf').toString('base64'),
      '--mix--',
      '',
    ].join('\r\n'),
  );
}

/** A follow-up in the same thread, as HTML that is wider than any phone (a 1400 px table). */
function wideHtmlMail(): Buffer {
  return Buffer.from(
    [
      `From: "Bartholomew Featherstonehaugh-Cholmondeley" <${REQUESTER}>`,
      `To: ${SUPPORT}`,
      `Subject: Re: ${LONG_SUBJECT}`,
      `Date: ${new Date(Date.now() - 2 * 3600_000).toUTCString()}`,
      'Message-ID: <rich-2@customer.example.test>',
      'In-Reply-To: <rich-1@customer.example.test>',
      'References: <rich-1@customer.example.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<table width="1400" border="1"><tr><td>Line</td><td>${'Amount '.repeat(40)}</td></tr></table><p>${LONG_URL}</p>`,
      '',
    ].join('\r\n'),
  );
}

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

/** The signed-in user's name (to /account) and Sign out: visible, or visible once the menu is opened. */
async function checkTopBar(page: Page, label: string): Promise<void> {
  const name = page.locator('header.topbar a[href="/account"]');
  const signOut = page.locator('header.topbar form[action="/logout"] button[type=submit]');
  const summary = page.locator('header.topbar details.menu > summary');
  const opened = !(await name.isVisible()) && (await summary.isVisible());
  if (opened) await summary.click();
  expect(await name.isVisible(), `${label}: the user's name link is not reachable`).toBe(true);
  expect(await signOut.isVisible(), `${label}: Sign out is not reachable`).toBe(true);
  for (const [what, el] of [['name link', name], ['Sign out', signOut]] as const) {
    const box = (await el.boundingBox())!;
    expect(box.x >= 0 && box.x + box.width <= PHONE.width + 0.5, `${label}: ${what} is outside the screen (${JSON.stringify(box)})`).toBe(true);
  }
  if (opened) {
    await checkFits(page, `${label} (menu open)`);
    await summary.click();
  }
}

/** Opens `url` at phone size and checks it fits; on a signed-in page, checks the top bar too. */
async function visit(page: Page, label: string, url: string, opts: { status?: number; signedIn?: boolean } = {}): Promise<void> {
  const response = await page.goto(`${base}${url}`);
  expect(response?.status(), `${label}: ${url}`).toBe(opts.status ?? 200);
  await checkFits(page, label);
  if (opts.signedIn ?? true) await checkTopBar(page, label);
}

/** Submits the form found by `form` (a selector) on the current page with its submit button. */
async function submit(page: Page, form: string, button = 'button[type=submit]'): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.locator(`${form} ${button}`).first().click()]);
}

beforeAll(async () => {
  dovecot = await startDovecot([SUPPORT]);
  smtp = await startSmtp();
  app = await startRuntime('phone', ['web', 'poller', 'jobs']);
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const support = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: support._id }, { $set: { name: 'Customer Support', smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, 'autoReply.enabled': false } });
  // The second inbox's IMAP port is closed: its health shows a connection error.
  const billing = await createImapInbox(app.models, { address: BILLING, port: await freePort(), password: 'nothing listens here' });
  await app.models.Inbox.updateOne({ _id: billing._id }, { $set: { name: 'Billing and accounts receivable', 'autoReply.enabled': false } });
  supportId = support._id.toHexString();
  billingId = billing._id.toHexString();
  const admin = await app.models.User.create({ email: ADMIN.email, name: ADMIN.name, role: 'admin', inboxIds: [], passwordHash: await hashPassword(ADMIN.password) });
  const agent = await app.models.User.create({ email: AGENT.email, name: AGENT.name, role: 'agent', inboxIds: [support._id, billing._id], passwordHash: await hashPassword(AGENT.password) });
  agentId = agent._id.toHexString();
  adminId = admin._id.toHexString();

  await dovecot.append(SUPPORT, richMail());
  await dovecot.append(SUPPORT, wideHtmlMail());
  for (const [i, subject] of ['Delivery to Lyon warehouse delayed again, please confirm the new date', 'Duplicate charge on card ending 4242', 'Password reset link expired'].entries()) {
    await dovecot.append(SUPPORT, rawMail({ from: i < 2 ? `Bartholomew <${REQUESTER}>` : 'Carla <carla@customer.example.test>', to: SUPPORT, subject, messageId: `other-${i}@customer.example.test` }));
  }
  const billingTicket = await app.models.Ticket.create({ number: 9001, inboxId: billing._id, subject: `${LONG_SUBJECT}-${LONG_SUBJECT}`, requester: { email: REQUESTER, name: null }, status: 'pending', priority: 'urgent' });
  browser = await launchChromium();
  await vi.waitFor(async () => expect(await app.models.Ticket.countDocuments({ inboxId: support._id })).toBe(4), { timeout: 30_000, interval: 100 });
  richTicketId = (await app.models.Ticket.findOne({ subject: LONG_SUBJECT }).lean())!._id.toHexString();
  mergedTicketId = (await app.models.Ticket.findOne({ subject: /Duplicate charge/ }).lean())!._id.toHexString();
  billingTicketId = billingTicket._id.toHexString();
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, base, ADMIN.email, ADMIN.password);
    expect(await page.locator('header.topbar details.menu > summary').isVisible()).toBe(false);
    for (const href of ['/', '/tickets', '/tickets?assignee=me&status=active', '/team-load', '/settings']) expect(await page.locator(`header.topbar nav a[href="${href}"]`).isVisible(), href).toBe(true);
    expect(await page.locator('header.topbar a[href="/account"]').textContent()).toBe(ADMIN.name);
    expect(await page.locator('header.topbar form[action="/logout"] button').isVisible()).toBe(true);
    const bar = (await page.locator('header.topbar').boundingBox())!;
    expect(bar.height).toBeLessThan(60);
    await page.close();
  }, 30_000);

  it('an admin fills the pages by using them at phone size: reply, note, ticket fields, merge, token, canned reply, password link', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await checkFits(page, 'inbox overview');
    await checkTopBar(page, 'inbox overview');

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
      const context = await browser.newContext({ viewport: PHONE, locale });
      const page = await context.newPage();
      await signIn(page, base, ADMIN.email, ADMIN.password);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
      await checkFits(page, 'inbox overview');
      await checkTopBar(page, 'inbox overview');
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
        ['error page (404, signed in)', '/tickets/000000000000000000000000', 404],
      ];
      for (const [label, url, status] of pages) await visit(page, label, url, { status: status ?? 200 });

      // Pages a form answers with: the connection test, the SLA form's errors, the auto-reply preview.
      await visit(page, 'settings: inbox (before the test)', `/settings/inboxes/${billingId}`);
      await submit(page, 'form.cfg-form', 'button[name=action][value=test]');
      expect(await page.locator('.cfg-tests').count()).toBe(1);
      await checkFits(page, 'settings: inbox connection test results');
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
      await visit(page, 'settings: auto-reply (before the preview)', `/settings/inboxes/${supportId}/auto-reply`);
      await page.fill('input[name=subject]', `Re: {{ticketSubject}} ${'[received]'.repeat(8)}`);
      await submit(page, 'form.cfg-form', 'button[name=action][value=preview]');
      await checkFits(page, 'settings: auto-reply preview');
      await visit(page, 'settings: categories (before editing one)', '/settings/categories');
      await page.locator('table.categories details > summary').first().click();
      expect(await page.locator('table.categories details form input[name=name]').first().isVisible()).toBe(true);
      await checkFits(page, 'settings: categories (editing one)');
      await context.close();

      // Signed out: the password page of a valid link (as the person it was sent to), a dead link, the login, a 404.
      const outside = await browser.newContext({ viewport: PHONE, locale });
      const fresh = await outside.newPage();
      await visit(fresh, 'password-set page (valid link)', passwordLink, { signedIn: false });
      expect(await fresh.locator('input[name=password]').count()).toBe(1);
      await visit(fresh, 'password-set page (dead link)', '/password/not-a-valid-token', { status: 404, signedIn: false });
      await visit(fresh, 'login', '/login', { signedIn: false });
      await fresh.fill('input[name=email]', REQUESTER);
      await fresh.fill('input[name=password]', 'wrong password');
      await submit(fresh, 'form[action="/login"]');
      await checkFits(fresh, 'login (refused)');
      await visit(fresh, 'error page (404, signed out)', '/no/such/page', { status: 404, signedIn: false });
      // The public help center (its own layout, no session).
      for (const lang of ['en', 'fr']) await visit(fresh, `help center (${lang})`, `/help/${lang}`, { signedIn: false });
      await visit(fresh, 'help center: category', `/help/en/c/${kbCategorySlug}`, { signedIn: false });
      await visit(fresh, 'help center: article', `/help/en/${kbArticleSlug}`, { signedIn: false });
      await visit(fresh, 'help center: search', `/help/search?lang=en&q=${LONG_TAG}`, { signedIn: false });
      await visit(fresh, 'help center: nothing found', `/help/search?lang=fr&q=${'nothing'.repeat(20)}`, { signedIn: false });
      await visit(fresh, 'help center: 404', '/help/en/no-such-article', { status: 404, signedIn: false });
      await outside.close();
      expect(overflows).toEqual([]);
    }, 120_000);
  }

  it("an agent's pages fit too (no settings in the menu)", async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, base, AGENT.email, AGENT.password);
    await checkFits(page, 'inbox overview (agent)');
    await checkTopBar(page, 'inbox overview (agent)');
    expect(await page.locator('header.topbar a[href="/settings"]').count()).toBe(0);
    await visit(page, 'ticket list (agent, Mine)', '/tickets?assignee=me&status=active');
    await visit(page, 'saved views (agent, none)', '/tickets/views');
    await visit(page, 'new conversation (agent)', '/tickets/new');
    await visit(page, 'ticket page (agent)', `/tickets/${richTicketId}`);
    await visit(page, 'ticket page (agent, team and category)', `/tickets/${teamTicketId}`);
    await visit(page, 'notifications (agent, none)', '/notifications');
    await visit(page, 'account (agent)', '/account');
    // Marked away: the top bar's reminder fits beside the menu button.
    await submit(page, 'form[action="/account/away"]');
    expect(await page.locator('header.topbar a.away-flag').isVisible()).toBe(true);
    await checkFits(page, 'account (agent, away)');
    await checkTopBar(page, 'account (agent, away)');
    await visit(page, 'team load (agent: not allowed)', '/team-load', { status: 403 });
    expect(await page.locator('header.topbar a[href="/team-load"]').count()).toBe(0);
    await visit(page, 'settings (agent: not allowed)', '/settings', { status: 403 });
    // Sign out from the phone menu.
    await page.locator('header.topbar details.menu > summary').click();
    await Promise.all([page.waitForURL(/\/login/), page.locator('header.topbar form[action="/logout"] button').click()]);
    await context.close();
    expect(overflows).toEqual([]);
  }, 60_000);
});
