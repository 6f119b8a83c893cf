import { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectUri } from '../../src/domain/oauth.js';
import { createUser } from '../helpers/api.js';
import { startTestProvider, type TestProvider } from '../helpers/oauth-provider.js';
import { startPages } from '../integration/web/pages-harness.js';
import { describeOverflow, horizontalOverflow, launchChromium, PHONE, signIn } from './browser-harness.js';

// The inbox's sign-in page (issue 21) fits a 390 px phone in each of its states, and connecting works without JavaScript.

const PUBLIC_URL = 'https://help.example.test';
const inboxId = new Types.ObjectId();
const PAGE = `/settings/inboxes/${inboxId.toHexString()}/oauth`;
const LONG_ERROR = `AADSTS700082:${'TheRefreshTokenHasExpiredDueToInactivity'.repeat(4)} Trace ID: 0b9f4c1e-6c1a-4d0e-9f0a-1c2d3e4f5a6b`;
let h: Awaited<ReturnType<typeof startPages>>;
let provider: TestProvider;
let browser: Browser;

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: redirectUri(PUBLIC_URL) });
  h = await startPages(PUBLIC_URL);
  await h.models.Inbox.create({ _id: inboxId, name: `Support-${'x'.repeat(60)}`, address: 'support@example.test', imap: { host: 'imap.example.test', port: 993, secure: true, user: 'support@example.test', folder: 'INBOX' }, smtp: { host: 'smtp.example.test', port: 465, secure: true }, options: {} });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h.close();
  await provider.close();
});

describe('the inbox sign-in page on a phone', () => {
  it('fits 390 px not connected, with form errors, and needing reconnection with a long provider error', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, h.base, 'ada@example.test', 'ada password 123');
    const overflows: string[] = [];
    const check = async (label: string) => {
      const found = await horizontalOverflow(page);
      if (found) overflows.push(describeOverflow(label, page.url(), found));
    };
    await page.goto(h.base + PAGE);
    await check('not connected');
    await page.selectOption('select[name=provider]', 'generic');
    await page.fill('input[name=client_id]', 'a'.repeat(80));
    await page.fill('input[name=issuer]', `http://${'long-host-name-'.repeat(6)}example.test`);
    await page.click('button[value=connect]');
    await page.waitForSelector('.cfg-error');
    await check('form errors');
    await h.models.OAuthGrant.updateOne({ inboxId }, { $set: { state: 'reconnect-needed', lastError: { code: 'invalid_grant', description: LONG_ERROR, at: new Date() } } }, { upsert: true });
    await page.goto(h.base + PAGE);
    expect(await page.textContent('.alert')).toContain('TheRefreshTokenHasExpired');
    await check('reconnect needed');
    await context.close();
    expect(overflows).toEqual([]);
  });

  it('connects without JavaScript: the form posts, and its link takes the browser to the provider', async () => {
    await h.models.OAuthGrant.deleteMany({ inboxId });
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, h.base, 'ada@example.test', 'ada password 123');
    await page.goto(h.base + PAGE);
    await page.selectOption('select[name=provider]', 'generic');
    await page.fill('input[name=client_id]', provider.clientId);
    await page.fill('input[name=client_secret]', provider.clientSecret);
    await page.fill('input[name=issuer]', provider.issuer);
    await page.fill('input[name=scopes]', 'offline_access mail.imap mail.smtp');
    // The provider's own pages are not the point: note where the browser is sent and stop there.
    const asked = page.waitForRequest((r) => r.url().startsWith(`${provider.issuer}/auth?`));
    await page.route(`${provider.issuer}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'provider' }));
    await page.click('button[value=connect]');
    // No redirect out of a form post (the page CSP's form-action 'self'): a link to follow instead.
    await page.click('#oauth-continue');
    const url = new URL((await asked).url());
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/settings/inboxes/oauth/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect((await h.models.OAuthGrant.findOne({ inboxId }).lean())?.flow).toBeTruthy();
    await context.close();
  });
});
