import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { startPagesAndApi } from './pages-api-harness.js';

let h: Awaited<ReturnType<typeof startPagesAndApi>>;
const PASSWORD = 'old password 12345';
const ADMIN_PASSWORD = 'admin password 123';
let n = 0;

beforeAll(async () => {
  h = await startPagesAndApi('credentials');
  await createUser(h.models, { email: 'admin@example.test', password: ADMIN_PASSWORD, role: 'admin' });
});
afterAll(async () => h.close());

async function freshUser() {
  const email = `user${++n}@example.test`;
  const user = await createUser(h.models, { email, password: PASSWORD });
  return { email, id: user._id.toHexString() };
}

/** Creates a personal token on the account page and reads it off the page that shows it. */
async function tokenFromAccountPage(c: Client, label: string): Promise<{ token: string; setCookies: string[] }> {
  const account = await c.get('/account');
  const posted = await c.post('/account/tokens', { _csrf: Client.csrf(account.text), label, expiresInDays: '7' });
  const shown = posted.status === 303 ? await c.get(posted.headers.get('location')!) : posted;
  const token = /tl_[A-Za-z0-9_-]{43}/.exec(shown.text)?.[0];
  expect(token).toBeDefined();
  return { token: token!, setCookies: [...posted.setCookies, ...(shown === posted ? [] : shown.setCookies)] };
}

const works = async (token: string) => (await call(h.api, 'GET', '/me', { token })).status === 200;

describe('a password reset left API tokens working', () => {
  it('revokes every API token of the user, sign-in and personal ones', async () => {
    const user = await freshUser();
    const signInToken = await login(h.api, user.email, PASSWORD);
    const { token: personal } = await tokenFromAccountPage(await Client.signedIn(h.base, user.email, PASSWORD), 'script');
    const other = await freshUser();
    const bystander = await login(h.api, other.email, PASSWORD);

    const admin = await Client.signedIn(h.base, 'admin@example.test', ADMIN_PASSWORD);
    const page = await admin.get(`/settings/users/${user.id}`);
    const made = await admin.post(`/settings/users/${user.id}/password-link`, { _csrf: Client.csrf(page.text) });
    const shown = made.status === 303 ? await admin.get(made.headers.get('location')!) : made;
    const path = /\/password\/[A-Za-z0-9_-]+/.exec(shown.text)![0];

    const visitor = new Client(h.base);
    const form = await visitor.get(path);
    expect((await visitor.post(path, { _csrf: Client.csrf(form.text), password: 'brand new password 1', confirmPassword: 'brand new password 1' })).status).toBe(303);

    expect(await works(signInToken)).toBe(false);
    expect(await works(personal)).toBe(false);
    expect(await works(bystander)).toBe(true);
  });
});

describe('a password change on /account left API tokens working', () => {
  it('offers to revoke them, checked by default', async () => {
    const user = await freshUser();
    const c = await Client.signedIn(h.base, user.email, PASSWORD);
    const account = await c.get('/account');
    expect(account.text).toMatch(/<input type="checkbox" name="revokeApiTokens" value="1" checked>/);
    expect(account.text).toContain('Also revoke my API tokens');
  });

  it('revokes them when asked, and the browser making the change stays signed in', async () => {
    const user = await freshUser();
    const token = await login(h.api, user.email, PASSWORD);
    const c = await Client.signedIn(h.base, user.email, PASSWORD);
    const account = await c.get('/account');
    const changed = await c.post('/account/password', { _csrf: Client.csrf(account.text), currentPassword: PASSWORD, newPassword: 'another password 12', confirmPassword: 'another password 12', revokeApiTokens: '1' });
    expect(changed.headers.get('location')).toContain('saved=password-and-tokens');
    expect(await works(token)).toBe(false);
    const after = await c.get(changed.headers.get('location')!);
    expect(after.status).toBe(200);
    expect(after.text).toContain('your API tokens have been revoked');
  });

  it('keeps them when the box is cleared', async () => {
    const user = await freshUser();
    const token = await login(h.api, user.email, PASSWORD);
    const c = await Client.signedIn(h.base, user.email, PASSWORD);
    const account = await c.get('/account');
    const changed = await c.post('/account/password', { _csrf: Client.csrf(account.text), currentPassword: PASSWORD, newPassword: 'another password 12', confirmPassword: 'another password 12' });
    expect(changed.headers.get('location')).toContain('saved=password');
    expect(await works(token)).toBe(true);
  });
});

describe('a bearer token could mint new tokens', () => {
  it('refuses POST /me/tokens with a bearer token: 403, and no token is made', async () => {
    const user = await freshUser();
    const token = await login(h.api, user.email, PASSWORD);
    const before = await h.models.ApiToken.countDocuments();
    const res = await call(h.api, 'POST', '/me/tokens', { token, body: { label: 'child', expiresInDays: 365 } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(res.body.error.message).toMatch(/signed-in browser session/);
    expect(res.body.token).toBeUndefined();
    expect(await h.models.ApiToken.countDocuments()).toBe(before);
  });
});

describe('new tokens and password links travelled in a cookie', () => {
  it('shows a new API token exactly once and never puts it in a cookie', async () => {
    const user = await freshUser();
    const c = await Client.signedIn(h.base, user.email, PASSWORD);
    const { token, setCookies } = await tokenFromAccountPage(c, 'report');
    expect(setCookies.join('\n')).not.toContain(token);
    expect(await works(token)).toBe(true);
    const again = await c.get('/account');
    expect(again.text).not.toContain(token);
    expect(again.text).toContain('report');
    expect(JSON.stringify(await h.models.WebSession.find().lean())).not.toContain(token);
  });

  it('shows an invite link and a reset link exactly once and never puts them in a cookie', async () => {
    const admin = await Client.signedIn(h.base, 'admin@example.test', ADMIN_PASSWORD);
    const form = await admin.get('/settings/users/new');
    const created = await admin.post('/settings/users', { _csrf: Client.csrf(form.text), email: `invitee${++n}@example.test`, name: 'Invitee', role: 'agent' });
    const invited = created.status === 303 ? await admin.get(created.headers.get('location')!) : created;
    const invite = /\/password\/[A-Za-z0-9_-]{20,}/.exec(invited.text)?.[0];
    expect(invite).toBeDefined();
    const userPath = created.status === 303 ? created.headers.get('location')!.split('?')[0]! : /action="(\/settings\/users\/[0-9a-f]{24})\/password-link"/.exec(invited.text)![1]!;
    const secret = invite!.slice('/password/'.length);
    expect([...created.setCookies, ...invited.setCookies].join('\n')).not.toContain(secret);
    expect((await admin.get(userPath)).text).not.toContain(secret);

    const page = await admin.get(userPath);
    const reset = await admin.post(`${userPath}/password-link`, { _csrf: Client.csrf(page.text) });
    const shown = reset.status === 303 ? await admin.get(reset.headers.get('location')!) : reset;
    const link = /\/password\/([A-Za-z0-9_-]{20,})/.exec(shown.text)?.[1];
    expect(link).toBeDefined();
    expect([...reset.setCookies, ...shown.setCookies].join('\n')).not.toContain(link);
    expect((await admin.get(userPath)).text).not.toContain(link);
  });
});
