import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectUri } from '../../../src/domain/oauth.js';
import { startTestProvider, TEST_MAIL_SCOPES, type TestProvider } from '../../helpers/oauth-provider.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

const PUBLIC_URL = 'https://help.example.test';
const inboxId = new Types.ObjectId();
let h: Awaited<ReturnType<typeof startPages>>;
let provider: TestProvider;
let admin: Client;
let manager: Client;
let agent: Client;

/** The path and query of a URL on PUBLIC_URL, to ask the test server for it. */
const local = (url: URL) => `${url.pathname}${url.search}`;
const PAGE = `/settings/inboxes/${inboxId.toHexString()}/oauth`;

/** Posts the connect form as a browser without JavaScript would, and returns where the server sends it. */
async function submitConnect(client: Client, fields: Record<string, string>) {
  const page = await client.get(PAGE);
  return client.post(PAGE, { _csrf: Client.csrf(page.text), action: 'connect', ...fields });
}

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: redirectUri(PUBLIC_URL) });
  h = await startPages(PUBLIC_URL);
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', imap: { host: 'imap.example.test', port: 993, secure: true, user: 'support@example.test', folder: 'INBOX' }, smtp: { host: 'smtp.example.test', port: 465, secure: true }, options: {} });
  ({ admin, manager, agent } = await signInEveryRole(h, inboxId));
});
afterAll(async () => {
  await h.close();
  await provider.close();
});

describe('the inbox sign-in page', () => {
  it('shows the redirect URI to register, and managers only the status; agents are turned away', async () => {
    const page = await admin.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${PUBLIC_URL}/settings/inboxes/oauth/callback`);
    expect(page.text).toContain('name="client_secret"');
    expect(page.text).toContain('not connected');
    const managed = await manager.get(PAGE);
    expect(managed.status).toBe(200);
    expect(managed.text).not.toContain('name="client_id"');
    expect(managed.text).toContain('Only admins connect');
    expect((await agent.get(PAGE)).status).toBe(403);
  });

  it('shows the problems of the form without losing what was typed (nor echoing the secret)', async () => {
    const res = await submitConnect(admin, { provider: 'generic', client_id: 'abc', client_secret: 'typed secret 123', issuer: 'http://login.example.test', scopes: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('must be an HTTPS URL without query');
    expect(res.text).toContain('value="abc"');
    expect(res.text).not.toContain('typed secret 123');
  });

  it('connects through the provider with plain form posts and redirects, and never renders a secret', async () => {
    const started = await submitConnect(admin, { provider: 'generic', client_id: provider.clientId, client_secret: provider.clientSecret, issuer: provider.issuer, scopes: `offline_access ${TEST_MAIL_SCOPES.join(' ')}` });
    // A link to the provider rather than a redirect (the page CSP's form-action 'self' would stop one).
    expect(started.status).toBe(200);
    const consentUrl = /id="oauth-continue" href="([^"]+)"/.exec(started.text)![1]!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
    expect(consentUrl.startsWith(`${provider.issuer}/auth?`)).toBe(true);
    const back = await provider.consent(consentUrl);
    const finished = await admin.get(local(back));
    expect(finished.status).toBe(303);
    expect(finished.headers.get('location')).toBe(`${PAGE}?saved=oauth`);
    const page = await admin.get(`${PAGE}?saved=oauth`);
    expect(page.text).toContain('Connected. The inbox now signs in with OAuth2.');
    expect(page.text).toContain('Reconnect');
    expect(page.text).toContain('Disconnect');
    const stored = (await h.models.OAuthGrant.findOne({ inboxId }).lean())!;
    const refreshToken = h.secrets.open(stored.refreshTokenSealed!, `inbox:${inboxId.toHexString()}:oauth:refresh-token`);
    const accessToken = h.secrets.open(stored.accessTokenSealed!, `inbox:${inboxId.toHexString()}:oauth:access-token`);
    for (const html of [page.text, (await manager.get(PAGE)).text]) {
      expect(html).not.toContain(provider.clientSecret);
      expect(html).not.toContain(refreshToken);
      expect(html).not.toContain(accessToken);
      expect(html).not.toContain('v1:');
    }
    // The state was single-use: the same redirect again is refused, in words.
    const replay = await admin.get(local(back));
    expect(replay.status).toBe(403);
    expect(replay.text).toContain('This sign-in link is unknown or was already used');
  });

  it('refuses a callback from a session that did not start the flow, saying so on the inbox page', async () => {
    const started = await submitConnect(admin, { provider: 'generic', client_id: provider.clientId, client_secret: '', issuer: provider.issuer, scopes: `offline_access ${TEST_MAIL_SCOPES.join(' ')}` });
    const back = await provider.consent(/id="oauth-continue" href="([^"]+)"/.exec(started.text)![1]!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '='));
    const second = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const res = await second.get(local(back));
    expect(res.status).toBe(400);
    expect(res.text).toContain('This sign-in was started in another session');
  });

  it('shows "reconnect needed" with the provider words, in French too', async () => {
    await h.models.OAuthGrant.updateOne({ inboxId }, { $set: { state: 'reconnect-needed', lastError: { code: 'invalid_grant', description: 'grant request is invalid', at: new Date() } } });
    const page = await admin.get(PAGE);
    expect(page.text).toContain('reconnect needed');
    expect(page.text).toContain('The consent was withdrawn, expired or the password changed (invalid_grant).');
    expect(page.text).toContain('grant request is invalid');
    const french = new Client(h.base, undefined, { 'accept-language': 'fr' });
    await french.login('ada@example.test', 'ada password 123');
    const fr = await french.get(PAGE);
    expect(fr.text).toContain('à reconnecter');
    expect(fr.text).toContain('Le consentement a été retiré');
  });

  it('disconnects back to passwords (admins only)', async () => {
    const page = await manager.get(PAGE);
    expect((await manager.post(PAGE, { _csrf: Client.csrf(page.text), action: 'disconnect' })).status).toBe(403);
    const own = await admin.get(PAGE);
    const res = await admin.post(PAGE, { _csrf: Client.csrf(own.text), action: 'disconnect' });
    expect(res.status).toBe(303);
    expect(await h.models.OAuthGrant.countDocuments({ inboxId })).toBe(0);
    expect((await admin.get(`${PAGE}?saved=disconnected`)).text).toContain('Disconnected.');
  });
});
