import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { testLogger } from '../../helpers/db.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let apiServer: Server;
let apiBase: string;
let admin: Client;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();

const subjects = (html: string) => [...html.matchAll(/<td class="subject"[^>]*><a href="\/tickets\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
const secretOn = (html: string) => /<code class="secret-value">([^<]+)<\/code>/.exec(html)?.[1] ?? null;
const userIdFrom = (location: string | null) => /^\/settings\/users\/([0-9a-f]{24})\?/.exec(location ?? '')?.[1] ?? '';

/** Opens a password link the way a browser would: the page, then its form. */
async function usePasswordLink(link: string, password: string, confirm = password) {
  const c = new Client(h.base);
  const path = new URL(link).pathname;
  const page = await c.get(path);
  if (page.status !== 200) return page;
  return c.post(path, { _csrf: Client.csrf(page.text), password, confirmPassword: confirm });
}

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([
    { _id: inboxA, name: 'Alpha support', address: 'alpha@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} },
    { _id: inboxB, name: 'Beta billing', address: 'beta@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} },
  ]);
  await h.models.Ticket.create([
    { number: 1, inboxId: inboxA, subject: 'Alpha printer jam', requester: { email: 'ann@customer.test' } },
    { number: 2, inboxId: inboxB, subject: 'Beta invoice wrong', requester: { email: 'bob@customer.test' } },
  ]);
  await createUser(h.models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin', name: 'Ada Admin' });
  await createUser(h.models, { email: 'agent@example.test', password: 'agent password 123', inboxIds: [inboxA] });
  await createUser(h.models, { email: 'manager@example.test', password: 'manager password 123', role: 'manager', inboxIds: [inboxA] });
  // The JSON API on the same database, to check that tokens made on /account work there.
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: h.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs: h.blobs, now: () => new Date() },
  });
  apiServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  apiBase = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}/api/v1`;
  admin = new Client(h.base);
  await admin.login('admin@example.test', 'admin password 123');
});
afterAll(async () => {
  apiServer.closeAllConnections();
  await new Promise<void>((r) => apiServer.close(() => r()));
  await h.close();
});

describe('user settings pages', () => {
  it('are for admins only: agents and managers get 403, visitors go to the login', async () => {
    for (const [email, password] of [['agent@example.test', 'agent password 123'], ['manager@example.test', 'manager password 123']]) {
      const c = new Client(h.base);
      await c.login(email!, password!);
      const home = await c.get('/');
      expect((await c.get('/settings/users')).status).toBe(403);
      expect((await c.get('/settings/users/new')).status).toBe(403);
      const post = await c.post('/settings/users', { _csrf: Client.csrf(home.text), email: 'sneaky@example.test', role: 'admin', password: 'sneaky password 1' });
      expect(post.status).toBe(403);
      // Managers see the Settings link, agents do not; everyone's name links to their account.
      expect(home.text.includes('href="/settings"')).toBe(email!.startsWith('manager'));
      expect(home.text).toContain('href="/account"');
    }
    expect(await h.models.User.countDocuments({ email: 'sneaky@example.test' })).toBe(0);
    const visitor = await new Client(h.base).get('/settings/users');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toBe('/login?next=%2Fsettings%2Fusers');
  });

  it('refuses a post without the CSRF token (403)', async () => {
    const res = await admin.post('/settings/users', { email: 'nocsrf@example.test', role: 'agent', password: 'nocsrf password 1' });
    expect(res.status).toBe(403);
    expect(await h.models.User.countDocuments({ email: 'nocsrf@example.test' })).toBe(0);
  });

  it('adds a user with a password; editing membership changes what that agent sees at once', async () => {
    const form = await admin.get('/settings/users/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Alpha support');
    const created = await admin.post('/settings/users', {
      _csrf: Client.csrf(form.text),
      email: 'Dana@Example.test',
      name: 'Dana',
      role: 'agent',
      inboxIds: inboxA.toHexString(),
      password: 'dana password 123',
    });
    expect(created.status).toBe(303);
    const danaId = userIdFrom(created.headers.get('location'));
    expect(created.headers.get('location')).toBe(`/settings/users/${danaId}?saved=created`);
    const list = await admin.get('/settings/users');
    expect(list.text).toContain('Dana');
    expect(list.text).toContain('dana@example.test');

    const dana = new Client(h.base);
    expect((await dana.login('dana@example.test', 'dana password 123')).status).toBe(303);
    expect(subjects((await dana.get('/tickets')).text)).toEqual(['Alpha printer jam']);

    const edit = await admin.get(`/settings/users/${danaId}`);
    expect(edit.text).toMatch(new RegExp(`value="${inboxA.toHexString()}" checked`));
    const saved = await admin.post(`/settings/users/${danaId}`, { _csrf: Client.csrf(edit.text), name: 'Dana D.', role: 'agent', inboxIds: inboxB.toHexString() });
    expect(saved.headers.get('location')).toBe(`/settings/users/${danaId}?saved=saved`);
    expect(subjects((await dana.get('/tickets')).text)).toEqual(['Beta invoice wrong']);
    const ticketA = (await h.models.Ticket.findOne({ number: 1 }).lean())!;
    expect((await dana.get(`/tickets/${ticketA._id.toHexString()}`)).status).toBe(404);

    // No inbox ticked: no inbox at all.
    await admin.post(`/settings/users/${danaId}`, { _csrf: Client.csrf(edit.text), name: 'Dana D.', role: 'agent' });
    expect((await h.models.User.findById(danaId).lean())?.inboxIds).toEqual([]);
  });

  it('shows a failed "add user" again with what was typed (never the password) and the error at its field', async () => {
    const form = await admin.get('/settings/users/new');
    const csrf = Client.csrf(form.text);
    const dup = await admin.post('/settings/users', { _csrf: csrf, email: 'agent@example.test', name: 'Second Agent', role: 'manager', password: 'another password 1' });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('value="agent@example.test"');
    expect(dup.text).toContain('value="Second Agent"');
    expect(dup.text).toMatch(/<option value="manager" selected>/);
    expect(dup.text).toMatch(/name="email"[^>]*aria-invalid="true"[^>]*><span class="cfg-error" id="email-error"/);
    expect(dup.text).not.toContain('another password 1');
    const short = await admin.post('/settings/users', { _csrf: csrf, email: 'short@example.test', role: 'agent', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('value="short@example.test"');
    expect(short.text).toMatch(/id="password-error" role="alert">A password needs at least 12 characters\./);
    expect(short.text).not.toContain('value="short"');
    expect(await h.models.User.countDocuments({ email: 'short@example.test' })).toBe(0);
    expect((await admin.get('/settings/users/new?error=password-short')).text).toContain('A password needs at least 12 characters.');
    const unknown = await admin.get('/settings/users/new?error=%3Cscript%3E');
    expect(unknown.text).not.toContain('<script>');
  });

  it('keeps the last admin: no demoting or disabling them', async () => {
    const adminUser = (await h.models.User.findOne({ email: 'admin@example.test' }).lean())!;
    const page = await admin.get(`/settings/users/${adminUser._id.toHexString()}`);
    expect(page.text).not.toContain('Disable user');
    const res = await admin.post(`/settings/users/${adminUser._id.toHexString()}/disable`, { _csrf: Client.csrf(page.text) });
    expect(res.headers.get('location')).toBe(`/settings/users/${adminUser._id.toHexString()}?error=last-admin`);
    const demote = await admin.post(`/settings/users/${adminUser._id.toHexString()}`, { _csrf: Client.csrf(page.text), name: 'Renamed Admin', role: 'agent' });
    // The refused change comes back with what was posted, not emptied.
    expect(demote.status).toBe(400);
    expect(demote.text).toContain('value="Renamed Admin"');
    expect(demote.text).toMatch(/<option value="agent" selected>/);
    expect(demote.text).toMatch(/role="alert">[^<]*admin/i);
    expect(await h.models.User.findById(adminUser._id).lean()).toMatchObject({ role: 'admin', disabled: false });
  });

  it('disabling a user ends their browser sessions', async () => {
    const agent = new Client(h.base);
    await agent.login('agent@example.test', 'agent password 123');
    expect((await agent.get('/')).status).toBe(200);
    const agentId = (await h.models.User.findOne({ email: 'agent@example.test' }).lean())!._id.toHexString();
    const page = await admin.get(`/settings/users/${agentId}`);
    const res = await admin.post(`/settings/users/${agentId}/disable`, { _csrf: Client.csrf(page.text) });
    expect(res.headers.get('location')).toBe(`/settings/users/${agentId}?saved=disabled`);
    expect(await h.models.WebSession.countDocuments({ userId: new Types.ObjectId(agentId) })).toBe(0);
    expect((await agent.get('/')).status).toBe(303);
    expect((await admin.get('/settings/users')).text).toMatch(/user-disabled/);
    await admin.post(`/settings/users/${agentId}/enable`, { _csrf: Client.csrf(page.text) });
    expect((await agent.login('agent@example.test', 'agent password 123')).status).toBe(303);
  });
});

describe('invite and password-reset links', () => {
  it('invites a user without a password: the link is shown once and sets a password once', async () => {
    const form = await admin.get('/settings/users/new');
    const created = await admin.post('/settings/users', { _csrf: Client.csrf(form.text), email: 'erin@example.test', role: 'agent', inboxIds: inboxA.toHexString() });
    const erinId = userIdFrom(created.headers.get('location'));
    expect(created.headers.get('location')).toBe(`/settings/users/${erinId}?saved=invited`);
    // Until the link is used the account holds the hash of random bytes nobody knows.
    expect((await h.models.User.findById(erinId).select('+passwordHash').lean())?.passwordHash).toMatch(/^\$argon2id\$/);

    const shown = await admin.get(`/settings/users/${erinId}?saved=invited`);
    const link = secretOn(shown.text)!;
    expect(link).toMatch(new RegExp(`^${h.base}/password/[A-Za-z0-9_-]{43}$`));
    expect(secretOn((await admin.get(`/settings/users/${erinId}`)).text)).toBeNull();
    expect(JSON.stringify(await h.models.PasswordToken.find().lean())).not.toContain(new URL(link).pathname.slice(10));

    const welcome = await new Client(h.base).get(new URL(link).pathname);
    expect(welcome.text).toContain('Welcome to Threadline');
    expect(welcome.text).toContain('erin@example.test');
    // A too-short password or a mismatch does not spend the link.
    expect((await usePasswordLink(link, 'short')).headers.get('location')).toMatch(/\?error=short$/);
    expect((await usePasswordLink(link, 'erin password 123', 'erin password 124')).headers.get('location')).toMatch(/\?error=mismatch$/);
    const set = await usePasswordLink(link, 'erin password 123');
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toBe('/login?notice=password-set');
    expect((await new Client(h.base).get('/login?notice=password-set')).text).toContain('Your password is set.');
    expect((await new Client(h.base).login('erin@example.test', 'erin password 123')).status).toBe(303);

    const again = await usePasswordLink(link, 'erin password 456');
    expect(again.status).toBe(404);
    expect(again.text).toContain('Link not valid');
    expect((await new Client(h.base).login('erin@example.test', 'erin password 456')).status).toBe(401);
  });

  it('a reset link ends the user\'s sessions, revokes their API tokens, and a newer link replaces it', async () => {
    const frank = await createUser(h.models, { email: 'frank@example.test', password: 'frank password 123', inboxIds: [inboxA] });
    const frankId = frank._id.toHexString();
    const browser = new Client(h.base);
    await browser.login('frank@example.test', 'frank password 123');
    const apiToken = (await call(apiBase, 'POST', '/auth/token', { body: { email: 'frank@example.test', password: 'frank password 123' } })).body.token as string;

    const page = await admin.get(`/settings/users/${frankId}`);
    const first = await admin.post(`/settings/users/${frankId}/password-link`, { _csrf: Client.csrf(page.text) });
    expect(first.headers.get('location')).toBe(`/settings/users/${frankId}?saved=link`);
    const oldLink = secretOn((await admin.get(`/settings/users/${frankId}?saved=link`)).text)!;
    await admin.post(`/settings/users/${frankId}/password-link`, { _csrf: Client.csrf(page.text) });
    const link = secretOn((await admin.get(`/settings/users/${frankId}?saved=link`)).text)!;
    expect(link).not.toBe(oldLink);
    expect((await new Client(h.base).get(new URL(oldLink).pathname)).status).toBe(404);
    expect((await new Client(h.base).get(new URL(link).pathname)).text).toContain('Choose a new password');

    expect((await usePasswordLink(link, 'frank new password')).status).toBe(303);
    expect((await browser.get('/')).status).toBe(303);
    expect((await call(apiBase, 'GET', '/me', { token: apiToken })).status).toBe(401);
    expect((await new Client(h.base).login('frank@example.test', 'frank new password')).status).toBe(303);
  });

  it('an expired link (after 72 hours) fails', async () => {
    const gus = await createUser(h.models, { email: 'gus@example.test', password: 'gus password 1234' });
    const page = await admin.get(`/settings/users/${gus._id.toHexString()}`);
    await admin.post(`/settings/users/${gus._id.toHexString()}/password-link`, { _csrf: Client.csrf(page.text) });
    const link = secretOn((await admin.get(`/settings/users/${gus._id.toHexString()}`)).text)!;
    const c = new Client(h.base);
    const form = await c.get(new URL(link).pathname);
    expect(form.status).toBe(200);
    h.setNow(new Date(Date.now() + 72 * 3600_000 + 60_000));
    try {
      const res = await c.post(new URL(link).pathname, { _csrf: Client.csrf(form.text), password: 'gus new password', confirmPassword: 'gus new password' });
      expect(res.status).toBe(404);
      expect((await c.get(new URL(link).pathname)).status).toBe(404);
    } finally {
      h.setNow(null);
    }
    expect((await new Client(h.base).login('gus@example.test', 'gus password 1234')).status).toBe(303);
  });

  it('refuses the public form without its CSRF cookie or from another origin', async () => {
    const hal = await createUser(h.models, { email: 'hal@example.test', password: 'hal password 1234' });
    const page = await admin.get(`/settings/users/${hal._id.toHexString()}`);
    await admin.post(`/settings/users/${hal._id.toHexString()}/password-link`, { _csrf: Client.csrf(page.text) });
    const path = new URL(secretOn((await admin.get(`/settings/users/${hal._id.toHexString()}`)).text)!).pathname;
    const c = new Client(h.base);
    const form = await c.get(path);
    const stranger = new Client(h.base);
    expect((await stranger.post(path, { _csrf: Client.csrf(form.text), password: 'hal new password', confirmPassword: 'hal new password' })).status).toBe(403);
    const evil = new Client(h.base, 'https://evil.example');
    evil.cookies = c.cookies;
    expect((await evil.post(path, { _csrf: Client.csrf(form.text), password: 'hal new password', confirmPassword: 'hal new password' })).status).toBe(403);
    // The link survived both attempts.
    expect((await c.post(path, { _csrf: Client.csrf(form.text), password: 'hal new password', confirmPassword: 'hal new password' })).status).toBe(303);
  });
});

describe('own account', () => {
  it('creates an API token shown once that works against the API, and stops after revoke', async () => {
    const c = new Client(h.base);
    await c.login('manager@example.test', 'manager password 123');
    const page = await c.get('/account');
    expect(page.status).toBe(200);
    expect((await c.post('/account/tokens', { label: 'no csrf', expiresInDays: '30' })).status).toBe(403);
    const created = await c.post('/account/tokens', { _csrf: Client.csrf(page.text), label: 'Reporting script', expiresInDays: '30' });
    expect(created.status).toBe(303);
    const shown = await c.get('/account?saved=token');
    const token = secretOn(shown.text)!;
    expect(token).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
    expect(shown.text).toContain('Reporting script');
    expect(secretOn((await c.get('/account')).text)).toBeNull();

    const me = await call(apiBase, 'GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'manager@example.test', role: 'manager' });
    const stored = await h.models.ApiToken.findOne({ label: 'Reporting script' }).lean();
    expect(stored!.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    expect(stored!.expiresAt!.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);

    // Another user cannot revoke it.
    const other = new Client(h.base);
    await other.login('admin@example.test', 'admin password 123');
    const otherPage = await other.get('/account');
    expect((await other.post(`/account/tokens/${stored!._id.toHexString()}/revoke`, { _csrf: Client.csrf(otherPage.text) })).status).toBe(404);
    expect((await call(apiBase, 'GET', '/me', { token })).status).toBe(200);

    const revoked = await c.post(`/account/tokens/${stored!._id.toHexString()}/revoke`, { _csrf: Client.csrf(page.text) });
    expect(revoked.headers.get('location')).toBe('/account?saved=revoked#tokens');
    expect((await call(apiBase, 'GET', '/me', { token })).status).toBe(401);
    expect((await c.get('/account')).text).not.toContain('Reporting script');
  });

  it('changes the name and the password; the other sessions end, this one stays', async () => {
    await createUser(h.models, { email: 'ivy@example.test', password: 'ivy password 1234', inboxIds: [inboxA] });
    const c = new Client(h.base);
    await c.login('ivy@example.test', 'ivy password 1234');
    const elsewhere = new Client(h.base);
    await elsewhere.login('ivy@example.test', 'ivy password 1234');
    const page = await c.get('/account');
    const csrf = Client.csrf(page.text);

    expect((await c.post('/account/name', { _csrf: csrf, name: 'Ivy Ng' })).headers.get('location')).toBe('/account?saved=name');
    expect((await c.get('/')).text).toContain('Ivy Ng');

    const wrong = await c.post('/account/password', { _csrf: csrf, currentPassword: 'not it at all', newPassword: 'ivy new password', confirmPassword: 'ivy new password' });
    expect(wrong.headers.get('location')).toBe('/account?error=password-wrong#password');
    const short = await c.post('/account/password', { _csrf: csrf, currentPassword: 'ivy password 1234', newPassword: 'short', confirmPassword: 'short' });
    expect(short.headers.get('location')).toBe('/account?error=password-short#password');
    expect((await elsewhere.get('/')).status).toBe(200);

    const ok = await c.post('/account/password', { _csrf: csrf, currentPassword: 'ivy password 1234', newPassword: 'ivy new password', confirmPassword: 'ivy new password' });
    expect(ok.headers.get('location')).toBe('/account?saved=password');
    expect((await c.get('/account')).status).toBe(200);
    expect((await elsewhere.get('/')).status).toBe(303);
    expect((await new Client(h.base).login('ivy@example.test', 'ivy password 1234')).status).toBe(401);
    expect((await new Client(h.base).login('ivy@example.test', 'ivy new password')).status).toBe(303);
  });
});
