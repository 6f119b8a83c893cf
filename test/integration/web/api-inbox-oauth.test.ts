import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectUri } from '../../../src/domain/oauth.js';
import { finishOAuthConnect } from '../../../src/services/oauth/finish-connect.js';
import { createOAuthEndpoint } from '../../../src/services/oauth/oauth-endpoint.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { startTestProvider, TEST_MAIL_SCOPES, type TestProvider } from '../../helpers/oauth-provider.js';

const PUBLIC_URL = 'https://help.example.test';
const inboxId = new Types.ObjectId();
const PATH = `/inboxes/${inboxId.toHexString()}/oauth`;
const secrets = createSecretBox(TEST_SECRET_KEY);
const oauth = createOAuthEndpoint();

let db: Awaited<ReturnType<typeof openTestDb>>;
let provider: TestProvider;
let server: Server;
let base: string;
let admin: string;
let manager: string;
let agent: string;
let adminId: Types.ObjectId;

beforeAll(async () => {
  [db, provider] = await Promise.all([openTestDb('api_inbox_oauth'), startTestProvider({ redirectUri: redirectUri(PUBLIC_URL) })]);
  const app = createApp({
    logger: testLogger,
    publicUrl: PUBLIC_URL,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs: createBlobStore(db.connection.db!), now: () => new Date(), oauth },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  await db.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', imap: { host: 'imap.example.test', port: 993, secure: true, user: 'support@example.test', folder: 'INBOX' }, smtp: { host: 'smtp.example.test', port: 465, secure: true }, options: {} });
  adminId = (await createUser(db.models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin' }))._id;
  await createUser(db.models, { email: 'manager@example.test', password: 'manager password 123', role: 'manager', inboxIds: [inboxId] });
  await createUser(db.models, { email: 'agent@example.test', password: 'agent password 123', role: 'agent', inboxIds: [inboxId] });
  [admin, manager, agent] = await Promise.all([
    login(base, 'admin@example.test', 'admin password 123'),
    login(base, 'manager@example.test', 'manager password 123'),
    login(base, 'agent@example.test', 'agent password 123'),
  ]);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await provider.close();
  await db.drop();
});

const connectBody = () => ({ provider: 'generic', clientId: provider.clientId, clientSecret: provider.clientSecret, issuer: provider.issuer, scopes: `offline_access ${TEST_MAIL_SCOPES.join(' ')}` });

describe('the inbox OAuth2 API', () => {
  it('answers the status of a password inbox; agents get 403, unknown inboxes 404', async () => {
    const res = await call(base, 'GET', PATH, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ inboxId: inboxId.toHexString(), state: 'not-connected', provider: null, clientId: null, hasClientSecret: null, tenant: null, issuer: null, scopes: null, connectedAt: null, lastError: null });
    expect((await call(base, 'GET', PATH, { token: manager })).status).toBe(200);
    expect((await call(base, 'GET', PATH, { token: agent })).status).toBe(403);
    expect((await call(base, 'GET', `/inboxes/${new Types.ObjectId().toHexString()}/oauth`, { token: admin })).status).toBe(404);
  });

  it('lets only admins connect, and checks the settings', async () => {
    expect((await call(base, 'POST', `${PATH}/connect`, { token: manager, body: connectBody() })).status).toBe(403);
    const wrong = await call(base, 'POST', `${PATH}/connect`, { token: admin, body: { provider: 'yahoo', clientId: 'x' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('provider');
    const noIssuer = await call(base, 'POST', `${PATH}/connect`, { token: admin, body: { provider: 'generic', clientId: 'x', issuer: 'http://login.example.test' } });
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('issuer');
  });

  it('answers the consent URL; once consented, the status shows the connection and never a secret or token', async () => {
    const started = await call(base, 'POST', `${PATH}/connect`, { token: admin, body: connectBody() });
    expect(started.status).toBe(200);
    const url = new URL(started.body.url as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/settings/inboxes/oauth/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(new Date(started.body.expiresAt as string).getTime()).toBeGreaterThan(Date.now());
    // The admin's browser finishes it (started from the API: any admin session may).
    const back = await provider.consent(url.toString());
    const deps = { inboxes: db.stores.inboxes, oauthGrants: db.stores.oauthGrants, secrets, oauth, publicUrl: PUBLIC_URL, now: () => new Date() };
    await finishOAuthConnect(deps, { userId: adminId, role: 'admin', inboxIds: [] }, 'a browser session', back.searchParams);

    const res = await call(base, 'GET', PATH, { token: admin });
    expect(res.body).toMatchObject({ state: 'connected', provider: 'generic', clientId: provider.clientId, hasClientSecret: true, issuer: provider.issuer, lastError: null });
    expect(res.body.scopes).toEqual(expect.arrayContaining(['offline_access', ...TEST_MAIL_SCOPES]));
    const stored = (await db.models.OAuthGrant.findOne({ inboxId }).lean())!;
    const context = (field: string) => `inbox:${inboxId.toHexString()}:oauth:${field}`;
    for (const secret of [provider.clientSecret, secrets.open(stored.refreshTokenSealed!, context('refresh-token')), secrets.open(stored.accessTokenSealed!, context('access-token')), stored.clientSecretSealed!]) {
      expect(res.text).not.toContain(secret);
    }
    expect(res.text).not.toMatch(/sealed|verifier|state[A-Z]/i);
  });

  it('shows why an inbox needs reconnecting, in the provider\'s words', async () => {
    const at = new Date();
    await db.models.OAuthGrant.updateOne({ inboxId }, { $set: { state: 'reconnect-needed', lastError: { code: 'invalid_grant', description: 'grant request is invalid', at } } });
    const res = await call(base, 'GET', PATH, { token: manager });
    expect(res.body).toMatchObject({ state: 'reconnect-needed', lastError: { code: 'invalid_grant', description: 'grant request is invalid', at: at.toISOString() } });
  });

  it('disconnects back to passwords (admins only)', async () => {
    expect((await call(base, 'DELETE', PATH, { token: manager })).status).toBe(403);
    expect(await db.models.OAuthGrant.countDocuments({ inboxId })).toBe(1);
    const res = await call(base, 'DELETE', PATH, { token: admin });
    expect(res.status).toBe(204);
    expect(await db.models.OAuthGrant.countDocuments({ inboxId })).toBe(0);
    expect((await call(base, 'GET', PATH, { token: admin })).body.state).toBe('not-connected');
  });
});
