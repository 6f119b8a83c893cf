import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api.js';
import { startPages } from '../integration/web/pages-harness.js';
import { launchChromium, PHONE, signIn, watchPageProblems } from './browser-harness.js';

// Issue 19: a manager publishes a French article in the browser; a customer, signed out and with no
// cookie ever set, finds it on /help by an inflected word and says it helped.
let h: Awaited<ReturnType<typeof startPages>>;
let browser: Browser;

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ name: 'Support', displayName: 'Acme Support', address: 'support@acme.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'mia@example.test', password: 'mia password 1234', role: 'manager', name: 'Mia' });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('publishing and finding an article', () => {
  it('is written and previewed without script, published, then found on /help by "réinitialiser"', async () => {
    const editor = await browser.newContext({ javaScriptEnabled: false });
    const page = await editor.newPage();
    await signIn(page, h.base, 'mia@example.test', 'mia password 1234');
    await page.click('header.topbar nav a[href="/kb"]');
    await page.click('a[href="/kb/new"]');
    await page.fill('input[name=title]', 'Réinitialisation du mot de passe');
    await page.fill('textarea[name=body]', 'Ouvrez **Mon compte**, puis choisissez *Mot de passe oublié*.');
    await page.selectOption('select[name=language]', 'fr');
    await page.selectOption('select[name=status]', 'published');
    await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=preview]')]);
    expect(await page.locator('.kb-preview strong').textContent()).toBe('Mon compte');
    await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
    expect(page.url()).toMatch(/\/kb\/[0-9a-f]{24}\?saved=created$/);
    // The agent's link to the public page is marked as a preview, so following it is not counted as a reader's view.
    expect(await page.locator('a[href="/help/fr/reinitialisation-du-mot-de-passe?preview"]').count()).toBe(1);
    await editor.close();

    const customer = await browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
    const visitor = await customer.newPage();
    const { errors, missing } = watchPageProblems(visitor);
    await visitor.goto(`${h.base}/help`);
    expect(new URL(visitor.url()).pathname).toBe('/help/fr');
    expect(await visitor.locator('header .brand').textContent()).toContain('Acme Support');
    await visitor.fill('input[name=q]', 'réinitialiser');
    await Promise.all([visitor.waitForNavigation(), visitor.press('input[name=q]', 'Enter')]);
    await Promise.all([visitor.waitForNavigation(), visitor.click('.help-list a[href="/help/fr/reinitialisation-du-mot-de-passe"]')]);
    expect(await visitor.locator('article h1').textContent()).toBe('Réinitialisation du mot de passe');
    expect(await visitor.locator('.kb-body strong').textContent()).toBe('Mon compte');
    // "Write to us" under an article goes through the counting redirect to the support address.
    expect(await visitor.locator('a[href="/help/fr/reinitialisation-du-mot-de-passe/contact"]').isVisible()).toBe(true);
    await Promise.all([visitor.waitForNavigation(), visitor.click('button[name=helpful][value=yes]')]);
    expect(await visitor.locator('#helpful [role=status]').textContent()).toContain('Merci');
    expect(await customer.cookies()).toEqual([]);
    expect(errors).toEqual([]);
    expect(missing).toEqual([]);
    expect((await h.models.KbArticle.findOne({ slug: 'reinitialisation-du-mot-de-passe' }).lean())!.counters.helpfulYes).toBe(1);
    await customer.close();
  }, 60_000);
});
