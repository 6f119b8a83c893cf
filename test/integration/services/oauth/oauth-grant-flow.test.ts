import { Types } from 'mongoose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redirectUri } from '../../../../src/domain/oauth.js';
import type { Actor } from '../../../../src/services/access.js';
import { createMailLoginSource } from '../../../../src/services/oauth/mail-login-source.js';
import { createOAuthEndpoint } from '../../../../src/services/oauth/oauth-endpoint.js';
import { finishOAuthConnect } from '../../../../src/services/oauth/finish-connect.js';
import { freshAccessToken } from '../../../../src/services/oauth/fresh-access-token.js';
import type { ReconnectAlert } from '../../../../src/services/oauth/reconnect-needed.js';
import { startOAuthConnect } from '../../../../src/services/oauth/start-connect.js';
import { disconnectOAuth } from '../../../../src/services/oauth/disconnect.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';
import { createImapInbox, TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { startTestProvider, TEST_MAIL_SCOPES, type TestProvider } from '../../../helpers/oauth-provider.js';

const PUBLIC_URL = 'https://help.example.test';
const SESSION = 'session-of-the-admin';
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const SCOPES = `offline_access ${TEST_MAIL_SCOPES.join(' ')}`;

let db: Awaited<ReturnType<typeof openTestDb>>;
let provider: TestProvider;
let alerts: ReconnectAlert[];
let clock: Date;
const secrets = createSecretBox(TEST_SECRET_KEY);
const oauth = createOAuthEndpoint();

/** Use-case dependencies as one process of Threadline has them (each call: a process of its own). */
const deps = () => ({
  inboxes: db.stores.inboxes,
  oauthGrants: db.stores.oauthGrants,
  secrets,
  oauth,
  publicUrl: PUBLIC_URL,
  now: () => clock,
  alertAdmins: async (alert: ReconnectAlert) => void alerts.push(alert),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / 10)),
});

async function newInbox() {
  const inbox = await createImapInbox(db.models, { address: `support-${new Types.ObjectId().toHexString()}@example.test`, port: 143, password: 'not used' });
  return inbox._id;
}

/** Runs the whole consent: Threadline's start, the provider's login and consent, Threadline's callback. */
async function connect(inboxId: Types.ObjectId, opts: { scopes?: string; session?: string } = {}) {
  const { url } = await startOAuthConnect(deps(), admin, inboxId.toHexString(), { provider: 'generic', clientId: provider.clientId, clientSecret: provider.clientSecret, issuer: provider.issuer, scopes: opts.scopes ?? SCOPES }, SESSION);
  const back = await provider.consent(url);
  return finishOAuthConnect(deps(), admin, opts.session ?? SESSION, back.searchParams);
}

beforeAll(async () => {
  db = await openTestDb('oauth_grants');
  provider = await startTestProvider({ redirectUri: redirectUri(PUBLIC_URL), accessTokenTtl: 3600 });
});
afterAll(async () => {
  await provider.close();
  await db.drop();
});
beforeEach(() => {
  alerts = [];
  clock = new Date();
});
afterEach(async () => {
  await provider.revokeAll();
});

describe('connecting an inbox', () => {
  it('runs the authorization code flow with PKCE and stores the tokens sealed', async () => {
    const inboxId = await newInbox();
    const { url } = await startOAuthConnect(deps(), admin, inboxId.toHexString(), { provider: 'generic', clientId: provider.clientId, clientSecret: provider.clientSecret, issuer: provider.issuer, scopes: SCOPES }, SESSION);
    const asked = new URL(url);
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    expect(asked.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/settings/inboxes/oauth/callback`);
    expect(asked.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const back = await provider.consent(url);
    await finishOAuthConnect(deps(), admin, SESSION, back.searchParams);

    const stored = (await db.models.OAuthGrant.findOne({ inboxId }).lean())!;
    expect(stored.state).toBe('connected');
    expect(stored.flow).toBeNull();
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(provider.clientSecret);
    const refreshToken = secrets.open(stored.refreshTokenSealed!, `inbox:${inboxId.toHexString()}:oauth:refresh-token`);
    expect(raw).not.toContain(refreshToken);
    const login = await createMailLoginSource(deps()).loginFor(inboxId, 'imap');
    expect(login).toMatchObject({ kind: 'oauth2', user: expect.stringMatching(/^support-/) });
    expect(await provider.introspect((login as { accessToken: string }).accessToken)).toMatchObject({ active: true, scope: expect.stringContaining('mail.imap') });
  });

  it('refuses a state twice, from another session, or after it expired', async () => {
    const inboxId = await newInbox();
    const start = () => startOAuthConnect(deps(), admin, inboxId.toHexString(), { provider: 'generic', clientId: provider.clientId, issuer: provider.issuer, scopes: SCOPES }, SESSION);
    const back = await provider.consent((await start()).url);
    expect((await appErrorFrom(finishOAuthConnect(deps(), admin, 'someone-else', back.searchParams))).details).toMatchObject({ error: 'state_other-session' });
    // Single use: the refused attempt spent it too.
    expect((await appErrorFrom(finishOAuthConnect(deps(), admin, SESSION, back.searchParams))).details).toMatchObject({ error: 'state_unknown' });

    const late = await provider.consent((await start()).url);
    clock = new Date(clock.getTime() + 11 * 60_000);
    expect((await appErrorFrom(finishOAuthConnect(deps(), admin, SESSION, late.searchParams))).details).toMatchObject({ error: 'state_expired' });
    expect((await db.stores.oauthGrants.findByInbox(inboxId))!.state).toBe('not-connected');
  });

  it('refuses a callback no flow started as forbidden, even without PUBLIC_URL (regression: a bare callback was a 500)', async () => {
    const bare = await appErrorFrom(finishOAuthConnect({ ...deps(), publicUrl: null }, admin, SESSION, new URLSearchParams()));
    expect(bare.code).toBe('FORBIDDEN');
    expect(bare.details).toMatchObject({ error: 'state_unknown', inboxId: null });
    // A real flow whose PUBLIC_URL went away meanwhile: a configuration error shown on its inbox.
    const inboxId = await newInbox();
    const started = await startOAuthConnect(deps(), admin, inboxId.toHexString(), { provider: 'generic', clientId: provider.clientId, issuer: provider.issuer, scopes: SCOPES }, SESSION);
    const back = await provider.consent(started.url);
    const unset = await appErrorFrom(finishOAuthConnect({ ...deps(), publicUrl: null }, admin, SESSION, back.searchParams));
    expect(unset.code).toBe('CONFIG_INVALID');
    expect(unset.details).toMatchObject({ inboxId: inboxId.toHexString() });
  });

  it('refuses a grant without the mail scopes with a clear error', async () => {
    const narrow = await startTestProvider({ redirectUri: redirectUri(PUBLIC_URL), grantScopes: (requested) => requested.filter((s) => s !== 'mail.smtp') });
    try {
      const inboxId = await newInbox();
      const { url } = await startOAuthConnect(deps(), admin, inboxId.toHexString(), { provider: 'generic', clientId: narrow.clientId, clientSecret: narrow.clientSecret, issuer: narrow.issuer, scopes: SCOPES }, SESSION);
      const err = await appErrorFrom(finishOAuthConnect(deps(), admin, SESSION, (await narrow.consent(url)).searchParams));
      expect(err.code).toBe('OAUTH_FAILED');
      expect(err.details).toMatchObject({ error: 'scope_missing', description: 'mail.smtp' });
      expect(err.message).toContain('did not grant mail.smtp');
      expect((await db.stores.oauthGrants.findByInbox(inboxId))!.state).toBe('not-connected');
    } finally {
      await narrow.close();
    }
  });

  it('is for admins only, and disconnecting goes back to passwords', async () => {
    const inboxId = await newInbox();
    const manager: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [inboxId] };
    expect((await appErrorFrom(startOAuthConnect(deps(), manager, inboxId.toHexString(), { provider: 'google', clientId: 'x' }, SESSION))).code).toBe('FORBIDDEN');
    await connect(inboxId);
    expect(await disconnectOAuth(deps(), admin, inboxId.toHexString())).toEqual({ removed: true });
    expect(await createMailLoginSource(deps()).loginFor(inboxId, 'imap')).toEqual({ kind: 'password', user: expect.stringMatching(/^support-/), pass: 'not used' });
  });
});

describe('refreshing', () => {
  it('refreshes a token near its expiry and saves the rotated refresh token', async () => {
    const inboxId = await newInbox();
    await connect(inboxId);
    const before = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    const first = await freshAccessToken(deps(), inboxId);
    expect(provider.refreshCount()).toBe(0);
    clock = new Date(before.accessExpiresAt!.getTime() - 2 * 60_000);
    const refreshed = await freshAccessToken(deps(), inboxId);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    const after = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    expect(after.version).toBe(before.version + 1);
    expect(after.refreshTokenSealed).not.toBe(before.refreshTokenSealed);
    expect(after.accessExpiresAt!.getTime()).toBeGreaterThan(clock.getTime() + 50 * 60_000);
  });

  it('two processes refreshing at once ask the provider once and both get the newest token', async () => {
    const inboxId = await newInbox();
    await connect(inboxId);
    const stored = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    clock = new Date(stored.accessExpiresAt!.getTime() + 1000);
    const count = provider.refreshCount();
    // Two separate dependency sets: two processes sharing only the database.
    const [a, b] = await Promise.all([freshAccessToken(deps(), inboxId), freshAccessToken(deps(), inboxId)]);
    expect(provider.refreshCount()).toBe(count + 1);
    expect(a.accessToken).toBe(b.accessToken);
    const after = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    expect(after.version).toBe(stored.version + 1);
    // The stored refresh token is the newest one: it still works (a reused rotated token would revoke the grant).
    clock = new Date(after.accessExpiresAt!.getTime() + 1000);
    const again = await freshAccessToken(deps(), inboxId);
    expect(again.version).toBe(after.version + 1);
    expect((await provider.introspect(again.accessToken)).active).toBe(true);
  });

  it('a save over an older generation is refused (compare-and-set)', async () => {
    const inboxId = await newInbox();
    await connect(inboxId);
    const stored = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    const sealed = { accessTokenSealed: 'v1:x', accessExpiresAt: clock, refreshTokenSealed: 'v1:y' };
    expect(await db.stores.oauthGrants.saveRefreshed(inboxId, stored.version, sealed)).toBe(true);
    expect(await db.stores.oauthGrants.saveRefreshed(inboxId, stored.version, { ...sealed, refreshTokenSealed: 'v1:older' })).toBe(false);
    expect((await db.stores.oauthGrants.findByInbox(inboxId))!.refreshTokenSealed).toBe('v1:y');
  });
});

describe('losing the grant', () => {
  it('revoked consent: reconnect needed with the provider words, admins told once, no retry storm', async () => {
    const inboxId = await newInbox();
    await connect(inboxId);
    await provider.revokeAll();
    const stored = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    clock = new Date(stored.accessExpiresAt!.getTime() + 1000);
    const count = provider.refreshCount();
    const errors = await Promise.all([1, 2, 3].map(() => appErrorFrom(freshAccessToken(deps(), inboxId))));
    expect(errors.map((e) => e.code)).toEqual(['MAIL_RECONNECT_NEEDED', 'MAIL_RECONNECT_NEEDED', 'MAIL_RECONNECT_NEEDED']);
    expect(errors[0]!.details).toMatchObject({ error: 'invalid_grant', description: 'grant request is invalid' });
    const after = (await db.stores.oauthGrants.findByInbox(inboxId))!;
    expect(after).toMatchObject({ state: 'reconnect-needed', lastError: { code: 'invalid_grant' }, accessTokenSealed: null });
    expect(after.notifiedAt).toEqual(clock);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ inboxId, error: { code: 'invalid_grant' } });
    // Later attempts do not ask the provider again.
    expect((await appErrorFrom(createMailLoginSource(deps()).loginFor(inboxId, 'smtp'))).code).toBe('MAIL_RECONNECT_NEEDED');
    expect(provider.refreshCount()).toBe(count);
    expect(alerts).toHaveLength(1);
    // Connecting again clears it.
    await connect(inboxId);
    expect((await db.stores.oauthGrants.findByInbox(inboxId))!).toMatchObject({ state: 'connected', lastError: null, notifiedAt: null });
  });

  it('a refused token is refreshed once; refused again, the inbox needs reconnecting', async () => {
    const inboxId = await newInbox();
    await connect(inboxId);
    const source = createMailLoginSource(deps());
    const first = await source.loginFor(inboxId, 'imap');
    await source.loginFor(inboxId, 'smtp');
    const count = provider.refreshCount();
    const retry = await source.afterAuthFailure(inboxId, 'imap', 'NO [AUTHENTICATIONFAILED] Invalid credentials');
    expect(provider.refreshCount()).toBe(count + 1);
    expect(retry).not.toEqual(first);
    // SMTP held the older token: it gets the newer one without another refresh.
    await source.afterAuthFailure(inboxId, 'smtp', '535 5.7.3 Authentication unsuccessful');
    expect(provider.refreshCount()).toBe(count + 1);
    const err = await appErrorFrom(source.afterAuthFailure(inboxId, 'imap', 'NO [AUTHENTICATIONFAILED] Invalid credentials'));
    expect(err.code).toBe('MAIL_RECONNECT_NEEDED');
    expect(err.details).toMatchObject({ error: 'auth_failed', description: 'NO [AUTHENTICATIONFAILED] Invalid credentials' });
    expect(provider.refreshCount()).toBe(count + 1);
    expect(alerts).toHaveLength(1);
  });

  it('one source shared by several callers of an account: a refusal of the older token hands out the newer one', async () => {
    const inboxId = await newInbox();
    await connect(inboxId);
    const source = createMailLoginSource(deps());
    // Two deliveries (or the poller and a connection test) hold the same token; the server refuses both.
    const a = await source.loginFor(inboxId, 'smtp');
    const b = await source.loginFor(inboxId, 'smtp');
    const count = provider.refreshCount();
    const fresh = await source.afterAuthFailure(inboxId, 'smtp', '535 refused', a.kind === 'oauth2' ? a.accessToken : undefined);
    expect(provider.refreshCount()).toBe(count + 1);
    // The second refusal names the older token: not a refusal of the refreshed one, so no "reconnect needed".
    const again = await source.afterAuthFailure(inboxId, 'smtp', '535 refused', b.kind === 'oauth2' ? b.accessToken : undefined);
    expect(again).toEqual(fresh);
    expect(provider.refreshCount()).toBe(count + 1);
    expect((await db.stores.oauthGrants.findByInbox(inboxId))!.state).toBe('connected');
    // The refreshed token refused too: that is the end of it.
    const err = await appErrorFrom(source.afterAuthFailure(inboxId, 'smtp', '535 refused', fresh.kind === 'oauth2' ? fresh.accessToken : undefined));
    expect(err.code).toBe('MAIL_RECONNECT_NEEDED');
    expect(alerts).toHaveLength(1);
  });
});
