import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatsFor } from '../../../src/i18n/formats.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { testLogger } from '../../helpers/db.js';
import { Client, startPages } from './pages-harness.js';

/** A browser that sends `Accept-Language` (and keeps cookies, never follows redirects, like {@link Client}). */
class BrowserIn extends Client {
  constructor(
    base: string,
    private acceptLanguage: string,
  ) {
    super(base);
  }

  override async request(method: string, path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': this.acceptLanguage };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(this.baseUrl + path, { method, headers, redirect: 'manual', body: form ? new URLSearchParams(form).toString() : undefined });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text(), setCookies: res.headers.getSetCookie() };
  }

  private get baseUrl() {
    return (this as unknown as { base: string }).base;
  }
}

/** Signs in through the form the way the browser script fills it: with the browser's time zone. */
async function signInFrom(c: Client, email: string, password: string, timeZone: string) {
  const page = await c.get('/login');
  expect(page.text).toContain('<input type="hidden" name="timeZone" value="">');
  return c.post('/login', { _csrf: Client.csrf(page.text), email, password, next: '/', timeZone });
}

let h: Awaited<ReturnType<typeof startPages>>;
let apiServer: Server;
let apiBase: string;
const lastSeen = new Date('2026-12-06T13:05:00Z');

const langOf = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];
const userOf = (email: string) => h.models.User.findOne({ email }).lean();

beforeAll(async () => {
  h = await startPages(null);
  await createUser(h.models, { email: 'mme.martin@example.test', password: 'martin password 123', role: 'manager', name: 'Claire Martin' });
  await createUser(h.models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin', name: 'Ada Admin' });
  await createUser(h.models, { email: 'zoe@example.test', password: 'zoe password 1234', name: 'Zoé' });
  await createUser(h.models, { email: 'api@example.test', password: 'api password 1234' });
  await h.models.User.updateOne({ email: 'zoe@example.test' }, { $set: { lastLoginAt: lastSeen } });
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: h.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs: h.blobs, now: () => new Date() },
  });
  apiServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  apiBase = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  apiServer.closeAllConnections();
  await new Promise<void>((r) => apiServer.close(() => r()));
  await h.close();
});

describe('language and time zone on /account', () => {
  it('follows a French browser while the user has chosen nothing, then the saved choice over the browser', async () => {
    const c = new BrowserIn(h.base, 'fr-FR,fr;q=0.9,en;q=0.5');
    await c.login('mme.martin@example.test', 'martin password 123');
    const account = await c.get('/account');
    expect(account.status).toBe(200);
    expect(langOf(account.text)).toBe('fr');
    expect(account.text).toContain('<h1>Votre compte</h1>');
    expect(account.text).toContain('Langue et fuseau horaire');
    expect(account.text).toContain('<option value="" selected>Automatique (selon votre navigateur)</option>');
    const settings = await c.get('/settings');
    expect(langOf(settings.text)).toBe('fr');
    expect(settings.text).toContain('<h1>Paramètres</h1>');
    expect(settings.text).toContain('Récapitulatif');
    expect(settings.text).not.toContain('Your digest');

    const saved = await c.post('/account/preferences', { _csrf: Client.csrf(account.text), locale: 'en', timeZone: '' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/account?saved=prefs#preferences');
    expect(await userOf('mme.martin@example.test')).toMatchObject({ locale: 'en', timeZone: null });
    const english = await c.get('/account?saved=prefs');
    expect(langOf(english.text)).toBe('en');
    expect(english.text).toContain('<h1>Your account</h1>');
    expect(english.text).toContain('Language and time zone saved.');
    expect(english.text).toContain('<option value="en" selected lang="en">English</option>');
    expect(langOf((await c.get('/settings')).text)).toBe('en');

    // Back to automatic: the browser's language again.
    await c.post('/account/preferences', { _csrf: Client.csrf(english.text), locale: '', timeZone: '' });
    expect((await userOf('mme.martin@example.test'))!.locale).toBeNull();
    expect(langOf((await c.get('/settings')).text)).toBe('fr');
  });

  it('shows dates in the saved time zone', async () => {
    const c = new Client(h.base);
    await c.login('admin@example.test', 'admin password 123');
    const utc = await c.get('/settings/users');
    expect(utc.text).toContain(formatsFor('en', 'UTC').dateTime(lastSeen));
    const account = await c.get('/account');
    const saved = await c.post('/account/preferences', { _csrf: Client.csrf(account.text), locale: '', timeZone: 'Europe/Paris' });
    expect(saved.status).toBe(303);
    expect((await userOf('admin@example.test'))!.timeZone).toBe('Europe/Paris');
    const paris = await c.get('/settings/users');
    const inParis = formatsFor('en', 'Europe/Paris').dateTime(lastSeen);
    expect(inParis).not.toBe(formatsFor('en', 'UTC').dateTime(lastSeen));
    expect(paris.text).toContain(inParis);
    expect(paris.text).not.toContain(formatsFor('en', 'UTC').dateTime(lastSeen));
    expect((await c.get('/account')).text).toContain('name="timeZone" value="Europe/Paris"');
  });

  it('refuses an unknown time zone, naming the field, and keeps the stored one', async () => {
    const c = new Client(h.base);
    await c.login('admin@example.test', 'admin password 123');
    const account = await c.get('/account');
    const refused = await c.post('/account/preferences', { _csrf: Client.csrf(account.text), locale: 'fr', timeZone: 'Mars/Olympus_Mons' });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/account?error=prefs-time-zone#preferences');
    expect((await c.get('/account?error=prefs-time-zone')).text).toContain('Time zone: not a known time zone.');
    expect(await userOf('admin@example.test')).toMatchObject({ locale: null, timeZone: 'Europe/Paris' });
    // A language that Threadline does not speak is refused too.
    const badLocale = await c.post('/account/preferences', { _csrf: Client.csrf(account.text), locale: 'de', timeZone: 'UTC' });
    expect(badLocale.headers.get('location')).toBe('/account?error=prefs-locale#preferences');
    expect(await userOf('admin@example.test')).toMatchObject({ locale: null, timeZone: 'Europe/Paris' });
  });

  it('needs the CSRF token to change the language', async () => {
    const c = new Client(h.base);
    await c.login('admin@example.test', 'admin password 123');
    const res = await c.post('/account/preferences', { locale: 'fr', timeZone: '' });
    expect(res.status).toBe(403);
    expect((await userOf('admin@example.test'))!.locale).toBeNull();
  });
});

describe('the time zone at first sign-in', () => {
  it("takes the browser's zone at the first sign-in and never overwrites it at a later one", async () => {
    const first = await signInFrom(new Client(h.base), 'zoe@example.test', 'zoe password 1234', 'America/New_York');
    expect(first.status).toBe(303);
    expect((await userOf('zoe@example.test'))!.timeZone).toBe('America/New_York');
    const again = await signInFrom(new Client(h.base), 'zoe@example.test', 'zoe password 1234', 'Asia/Tokyo');
    expect(again.status).toBe(303);
    expect((await userOf('zoe@example.test'))!.timeZone).toBe('America/New_York');
  });

  it('ignores a zone the runtime does not know, and a failed sign-in stores nothing', async () => {
    await createUser(h.models, { email: 'yann@example.test', password: 'yann password 123' });
    await signInFrom(new Client(h.base), 'yann@example.test', 'a wrong password', 'Europe/Paris');
    expect((await userOf('yann@example.test'))!.timeZone).toBeNull();
    await signInFrom(new Client(h.base), 'yann@example.test', 'yann password 123', 'Nowhere/Special');
    expect((await userOf('yann@example.test'))!.timeZone).toBeNull();
  });

  it('fills the field with a static script the page policy allows', async () => {
    const page = await new Client(h.base).get('/login');
    // Handlebars writes the `=` of the URL as `&#x3D;`, which the browser reads back as `=`.
    const src = /<script src="(\/static\/login\.js\?v(?:=|&#x3D;)[0-9a-f]{12})" defer><\/script>/.exec(page.text)?.[1]?.replace('&#x3D;', '=');
    expect(src).toBeDefined();
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await fetch(h.base + src!);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(await script.text()).toContain('resolvedOptions().timeZone');
  });
});

describe('PATCH /api/v1/me', () => {
  it("sets the caller's language and time zone, leaving out what is not sent", async () => {
    const token = await login(apiBase, 'api@example.test', 'api password 1234');
    const set = await call(apiBase, 'PATCH', '/me', { token, body: { locale: 'fr', timeZone: 'europe/paris' } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ locale: 'fr', timeZone: 'Europe/Paris', away: false, awaySince: null });
    const partial = await call(apiBase, 'PATCH', '/me', { token, body: { locale: null } });
    expect(partial.body).toEqual({ locale: null, timeZone: 'Europe/Paris', away: false, awaySince: null });
    const refused = await call(apiBase, 'PATCH', '/me', { token, body: { timeZone: 'Mars/Olympus_Mons', theme: 'dark' } });
    expect(refused.status).toBe(400);
    expect((refused.body.error.details.issues as Array<{ path: string }>).map((i) => i.path).sort()).toEqual(['theme', 'timeZone']);
    expect(await userOf('api@example.test')).toMatchObject({ locale: null, timeZone: 'Europe/Paris' });
  });
});
