import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createI18n } from '../../src/i18n/catalog.js';
import { hashPassword } from '../../src/store/passwords.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { startRuntime } from '../helpers/runtime.js';
import { describeOverflow, horizontalOverflow, launchChromium, PHONE } from './browser-harness.js';

// Issue 13: a French browser gets French pages from the login on, and the language chosen on
// /account wins over the browser's. Checked at phone width, where the longer French words must fit too.
const SUPPORT = 'support@francais.example.test';
const AGENT = { email: 'camille@francais.example.test', name: 'Camille Agent', password: 'camille mot de passe 123' };
const i18n = createI18n();
const fr = i18n.translator('fr');
const en = i18n.translator('en');

let dovecot: DovecotServer;
let app: Awaited<ReturnType<typeof startRuntime>>;
let browser: Browser;
let base: string;
let ticketId: string;

/** French months as the page's dates write them ("6 déc. 2026, 14:05"). */
const FRENCH_DATE = /\b\d{1,2} (janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.) \d{4}/;

/** The message in both languages, checking first that French really differs (no English fallback). */
function both(key: string): { fr: string; en: string } {
  const pair = { fr: fr.t(key), en: en.t(key) };
  expect(pair.fr, `${key} is not translated`).not.toBe(pair.en);
  return pair;
}

const lang = (page: Page) => page.locator('html').getAttribute('lang');
const navText = (page: Page, href: string) => page.locator(`header.topbar nav a[href="${href}"]`).textContent();
const overflows: string[] = [];
async function checkFits(page: Page, label: string) {
  const found = await horizontalOverflow(page);
  if (found) overflows.push(describeOverflow(label, new URL(page.url()).pathname, found));
}

beforeAll(async () => {
  dovecot = await startDovecot([SUPPORT]);
  app = await startRuntime('french', ['web', 'poller']);
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const box = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: box._id }, { $set: { name: 'Support client', 'autoReply.enabled': false } });
  await app.models.User.create({ email: AGENT.email, name: AGENT.name, role: 'agent', inboxIds: [box._id], passwordHash: await hashPassword(AGENT.password) });
  await dovecot.append(
    SUPPORT,
    rawMail({ from: 'Léa Cliente <lea@client.example.test>', to: SUPPORT, subject: 'Facture de novembre erronée', date: 'Sun, 06 Dec 2026 13:05:00 +0000', body: 'Bonjour, le montant de la TVA est faux.' }),
  );
  browser = await launchChromium();
  await vi.waitFor(async () => expect(await app.models.Message.countDocuments({})).toBe(1), { timeout: 20_000, interval: 100 });
  ticketId = (await app.models.Ticket.findOne({}).lean())!._id.toHexString();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await dovecot?.stop();
});

describe('a French browser', () => {
  it('signs in on a French login page, sees the ticket list and a ticket in French, then switches the account to English', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: PHONE });
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (r) => void (r.url().startsWith(base) && r.isNavigationRequest() && sent.push(r.headers()['accept-language'] ?? '')));

    // The login page, in French because of Accept-Language alone.
    await page.goto(`${base}/login`);
    expect(sent[0]).toMatch(/^fr/);
    expect(await lang(page)).toBe('fr');
    expect(await page.locator('h1').textContent()).toBe(both('web:login.heading').fr);
    expect(await page.title()).toContain(fr.t('web:login.title'));
    expect(await page.locator('form[action="/login"] button[type=submit]').textContent()).toBe(both('web:login.submit').fr);
    await checkFits(page, 'login');
    await page.fill('input[name=email]', AGENT.email);
    await page.fill('input[name=password]', AGENT.password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login"] button[type=submit]')]);
    expect(await lang(page)).toBe('fr');
    await checkFits(page, 'inbox overview');

    // The ticket list: French nav (in the phone menu), French column labels and status words.
    await page.goto(`${base}/tickets`);
    expect(await lang(page)).toBe('fr');
    await checkFits(page, 'ticket list');
    await page.locator('header.topbar details.menu > summary').click();
    expect(await navText(page, '/')).toBe(both('web:layout.nav.inboxes').fr);
    expect(await navText(page, '/tickets')).toBe(both('web:layout.nav.tickets').fr);
    expect(await navText(page, '/tickets?assignee=me&status=active')).toBe(both('web:layout.nav.mine').fr);
    expect(await page.locator('header.topbar form[action="/logout"] button').textContent()).toBe(both('web:layout.signOut').fr);
    await checkFits(page, 'ticket list (menu open)');
    expect((await page.locator('table.tickets .badge.status-new').first().textContent())?.trim()).toBe(both('common:status.new').fr);
    expect(await page.locator('table.tickets td.subject').first().getAttribute('data-label')).toBe(both('tickets:list.col.subject').fr);
    expect(await page.locator('table.tickets').textContent()).toMatch(FRENCH_DATE);

    // The ticket: French status word, headings, buttons and dates.
    await page.goto(`${base}/tickets/${ticketId}`);
    expect(await lang(page)).toBe('fr');
    await checkFits(page, 'ticket page');
    expect((await page.locator('.heading .badge.status-new').textContent())?.trim()).toBe(fr.t('common:status.new'));
    expect((await page.locator('form.reply-form h2').textContent())?.trim()).toBe(both('tickets:reply.heading').fr);
    expect((await page.locator('form.reply-form button[type=submit]').textContent())?.trim()).toBe(both('tickets:reply.submit').fr);
    expect(await page.locator('.msg time').first().textContent()).toMatch(FRENCH_DATE);
    const french = await page.locator('main').innerText();
    for (const english of ['Reply to customer', 'Internal note', 'Send reply', 'Status', 'Assignee']) expect(french, `English "${english}" on the French ticket page`).not.toContain(english);

    // /account: choose English; it wins over the browser's French from then on.
    await page.goto(`${base}/account`);
    expect(await lang(page)).toBe('fr');
    await checkFits(page, 'account');
    const prefs = page.locator('form[action="/account/preferences"]');
    expect(await prefs.locator('select[name=locale] option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual(['', 'en', 'fr']);
    await prefs.locator('select[name=locale]').selectOption('en');
    await Promise.all([page.waitForNavigation(), prefs.locator('button[type=submit]').click()]);
    expect(await lang(page)).toBe('en');
    expect((await app.models.User.findOne({ email: AGENT.email }).lean())!.locale).toBe('en');

    await page.goto(`${base}/tickets`);
    expect(sent.at(-1)).toMatch(/^fr/);
    expect(await lang(page)).toBe('en');
    expect(await navText(page, '/tickets')).toBe(en.t('web:layout.nav.tickets'));
    expect((await page.locator('table.tickets .badge.status-new').first().textContent())?.trim()).toBe(en.t('common:status.new'));
    expect(await page.locator('table.tickets td.subject').first().getAttribute('data-label')).toBe(en.t('tickets:list.col.subject'));
    await page.goto(`${base}/tickets/${ticketId}`);
    expect(await lang(page)).toBe('en');
    expect((await page.locator('form.reply-form h2').textContent())?.trim()).toBe(en.t('tickets:reply.heading'));
    expect(await page.locator('.msg time').first().textContent()).toMatch(/\bDec 6, 2026\b/);
    await context.close();

    // Every French page above fitted the phone.
    expect(overflows).toEqual([]);
  }, 60_000);
});
