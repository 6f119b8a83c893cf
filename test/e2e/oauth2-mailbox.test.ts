import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHashOf } from '../../src/domain/dedupe.js';
import { redirectUri } from '../../src/domain/oauth.js';
import { createConnectionChecks } from '../../src/mail/connection-check.js';
import { PollerSupervisor } from '../../src/mail/poller-supervisor.js';
import { createMailSender } from '../../src/mail/smtp-transport.js';
import type { Actor } from '../../src/services/access.js';
import { createInbox } from '../../src/services/inboxes/create-inbox.js';
import { testInboxConnection } from '../../src/services/inboxes/test-inbox-connection.js';
import { ingestBatch } from '../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../src/services/ingest/quarantine-mail.js';
import { finishOAuthConnect } from '../../src/services/oauth/finish-connect.js';
import { createMailLoginSource } from '../../src/services/oauth/mail-login-source.js';
import { createOAuthEndpoint } from '../../src/services/oauth/oauth-endpoint.js';
import { openOAuthSecret } from '../../src/services/oauth/oauth-secrets.js';
import type { ReconnectAlert } from '../../src/services/oauth/reconnect-needed.js';
import { startOAuthConnect } from '../../src/services/oauth/start-connect.js';
import { deliverOutboxItem } from '../../src/services/outbound/deliver-outbox-item.js';
import { queueMail } from '../../src/services/outbound/queue-mail.js';
import { createSecretBox, createSigner } from '../../src/store/secret-box.js';
import { appErrorFrom } from '../helpers/app-error.js';
import { testLogger } from '../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../helpers/inbox.js';
import { ingestFixture } from '../helpers/ingest.js';
import { rawMail } from '../helpers/mail.js';
import { startOAuthMailServers, type OAuthMailServers } from '../helpers/oauth-mail-servers.js';
import { MAIL_SCOPES } from '../helpers/oauth-provider.js';
import { compose, noJobs } from '../helpers/use-case-deps.js';

/*
 * An OAuth2 mailbox from consent to reply, on loopback only: the app's own connect flow (PKCE, state)
 * against a local OIDC provider, the app's login source keeping the tokens, the poller logging in to
 * Dovecot with SASL (Dovecot's oauth2 passdb introspects each token at the provider), and replies sent
 * through an SMTP server that checks XOAUTH2 tokens the same way.
 */

const ADDRESS = 'desk@oauth-e2e.test';
const PUBLIC_URL = 'http://127.0.0.1:9';
const SESSION = 'admin-session-1';
const SCOPES = `openid offline_access ${MAIL_SCOPES.imap} ${MAIL_SCOPES.smtp}`;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const alerts: ReconnectAlert[] = [];
const oauth = createOAuthEndpoint();
const sender = createMailSender({ connectionTimeoutMs: 3000 });
let servers: OAuthMailServers;
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let inboxId: Types.ObjectId;
let poller: PollerSupervisor | null = null;

const now = () => new Date();
const flowDeps = () => ({ ...fx.stores, secrets, oauth, publicUrl: PUBLIC_URL, now });
const logins = () => createMailLoginSource({ ...fx.stores, secrets, oauth, now, alertAdmins: async (alert) => void alerts.push(alert) });
const grant = async () => (await fx.stores.oauthGrants.findByInbox(inboxId))!;
const status = async () => fx.models.InboxStatus.findById(inboxId).lean();
const settled = () => fx.models.Message.countDocuments({ deliveredTo: inboxId, ingestState: 'complete' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "Connect with …" as an admin does it: the app's consent URL, the provider (signs in and consents), the callback. */
async function connect() {
  const { url } = await startOAuthConnect(flowDeps(), admin, inboxId.toHexString(), { provider: 'generic', clientId: servers.idp.client.id, clientSecret: servers.idp.client.secret, issuer: servers.idp.issuer, scopes: SCOPES }, SESSION);
  const back = await servers.idp.consent(url);
  expect(back.toString().startsWith(redirectUri(PUBLIC_URL))).toBe(true);
  return finishOAuthConnect(flowDeps(), admin, SESSION, back.searchParams);
}

async function startPoller() {
  await poller?.stop();
  const deps = { ...fx.deps, now };
  poller = new PollerSupervisor({
    ...fx.stores,
    secrets,
    logger: testLogger,
    now,
    owner: 'oauth-e2e',
    leaseMs: 3000,
    rescanMs: 200,
    ingest: (batch) => ingestBatch(deps, batch),
    quarantine: async (q) => void (await quarantineMail(fx.deps, { ...q, contentHash: contentHashOf(q.raw) })),
    logins: logins(),
    settings: { pollIntervalMs: 120_000, maxIdleMs: 120_000, fetchBatch: 5, connectTimeoutMs: 2000, backoff: { baseMs: 100, maxMs: 1000 }, configErrorRetryMs: 60_000, maxIngestAttempts: 3, reconnectCheckMs: 300 },
  });
  await poller.start();
}

beforeAll(async () => {
  // Dovecot offers XOAUTH2 only, as Microsoft 365 does.
  servers = await startOAuthMailServers({ users: [ADDRESS], redirectUris: [redirectUri(PUBLIC_URL)], imapMechanisms: ['xoauth2'] });
  fx = await ingestFixture('oauth2_e2e');
  // The stored passwords are wrong on purpose: only the OAuth2 tokens open these accounts.
  const input = newInboxInput(ADDRESS, {
    imap: { host: '127.0.0.1', port: servers.dovecot.port, secure: false, user: ADDRESS, password: 'not the password' },
    smtp: { host: '127.0.0.1', port: servers.smtp.port, secure: false, user: ADDRESS, password: 'not the password' },
  });
  inboxId = new Types.ObjectId((await createInbox({ ...fx.stores, secrets, logger: testLogger }, admin, input)).id);
  await fx.models.Inbox.deleteMany({ _id: { $ne: inboxId } });
});
afterAll(async () => {
  await poller?.stop();
  sender.close();
  await fx?.db.drop();
  await servers?.stop();
});

describe('an OAuth2 mailbox end to end', () => {
  it('connects through consent at the provider and keeps the refresh token sealed', async () => {
    await connect();
    const g = await grant();
    expect(g.state).toBe('connected');
    const refreshToken = openOAuthSecret(secrets, inboxId, 'refresh-token', g.refreshTokenSealed!);
    expect(g.refreshTokenSealed).not.toContain(refreshToken);
    expect((await servers.idp.introspect(refreshToken)).active).toBe(true);
  });

  it('polls the mailbox: the poller logs in to Dovecot with its token and ingests the mail', async () => {
    await servers.dovecot.append(ADDRESS, rawMail({ messageId: 'e2e-1@customer.test', subject: 'My printer is on fire', from: 'ann@customer.test', to: ADDRESS }));
    await startPoller();
    await expect.poll(settled, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await status())?.state, { timeout: 5000 }).toBe('idle');
    expect(servers.imapLogins(ADDRESS)).toEqual({ ok: 1, refused: 0 });
    expect(servers.imapMethods(ADDRESS)).toEqual(['XOAUTH2']);
    expect(await fx.models.Ticket.countDocuments({ inboxId, subject: 'My printer is on fire' })).toBe(1);
  });

  it('sends a reply through the SMTP server with XOAUTH2', async () => {
    const ticket = (await fx.models.Ticket.findOne({ inboxId }).lean())!;
    const inbox = (await fx.stores.inboxes.findById(inboxId))!;
    const item = await queueMail(
      { ...fx.stores, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), now },
      { kind: 'agent-reply', inbox, ticket: { _id: ticket._id, number: ticket.number }, dedupeKey: `e2e-reply:${ticket._id.toHexString()}`, to: [{ address: 'ann@customer.test', name: null }], subject: 'Re: My printer is on fire', text: 'Unplug it first.', envelopeFrom: ADDRESS, storeAsMessage: true },
    );
    const deliverDeps = { ...fx.stores, sender, secrets, now, logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 600_000 } }, logins: logins() };
    expect(await deliverOutboxItem(deliverDeps, item._id, 60_000)).toBe('sent');
    expect(servers.smtp.logins).toEqual([{ user: ADDRESS, ok: true }]);
    expect(servers.smtp.received.at(-1)!.raw.toString()).toContain('Unplug it first.');
  });

  it('tests the connection of the OAuth2 inbox with its tokens', async () => {
    const checks = createConnectionChecks({ timeoutMs: 5000, logins: logins() });
    const result = await testInboxConnection({ ...fx.stores, secrets, logger: testLogger, checks }, admin, inboxId.toHexString());
    expect(result.imap).toMatchObject({ ok: true, code: 'OK', messages: 1 });
    expect(result.smtp).toMatchObject({ ok: true, code: 'OK' });
  });

  it('refreshes a token that expires during IDLE, rotating the refresh token, and keeps polling', async () => {
    await poller!.stop();
    servers.idp.setAccessTokenTtl(5);
    await connect(); // a token that lives 5 s
    const before = await grant();
    const firstToken = openOAuthSecret(secrets, inboxId, 'access-token', before.accessTokenSealed!);
    const firstRefresh = openOAuthSecret(secrets, inboxId, 'refresh-token', before.refreshTokenSealed!);
    await startPoller();
    await expect.poll(async () => (await status())?.state, { timeout: 10_000 }).toBe('idle');
    // The token dies under the idle session; the server then ends the session, as Microsoft 365 does.
    await expect.poll(async () => (await servers.idp.introspect(firstToken)).active, { timeout: 10_000, interval: 250 }).toBe(false);
    await servers.kick(ADDRESS);
    await servers.dovecot.append(ADDRESS, rawMail({ messageId: 'e2e-2@customer.test', subject: 'Sent after the token expired', from: 'bob@customer.test', to: ADDRESS }));
    await expect.poll(settled, { timeout: 15_000 }).toBe(2);
    const after = await grant();
    expect(after.version).toBeGreaterThan(before.version);
    // Rotation: a new refresh token was stored in place of the spent one, which the provider no longer takes.
    const nextRefresh = openOAuthSecret(secrets, inboxId, 'refresh-token', after.refreshTokenSealed!);
    expect(nextRefresh).not.toBe(firstRefresh);
    expect((await servers.idp.introspect(nextRefresh)).active).toBe(true);
    expect((await servers.idp.introspect(firstRefresh)).active).toBe(false);
    expect(servers.imapLogins(ADDRESS).refused).toBe(0);
    servers.idp.setAccessTokenTtl(3600);
  });

  it('turns revoked consent into "reconnect needed", tells the admins once, and logs in no more', async () => {
    await connect(); // a long-lived token again
    await startPoller();
    await expect.poll(async () => (await status())?.state, { timeout: 10_000 }).toBe('idle');
    const refusedBefore = servers.imapLogins(ADDRESS).refused;
    await servers.idp.revokeConsent();
    await servers.kick(ADDRESS);
    await expect.poll(async () => (await status())?.lastError?.code, { timeout: 10_000 }).toBe('MAIL_RECONNECT_NEEDED');
    expect((await grant()).state).toBe('reconnect-needed');
    const logins = servers.imapLogins(ADDRESS);
    const tokenCalls = servers.idp.hits('/token');
    await sleep(3000); // ten reconnect checks of the poller
    expect(servers.imapLogins(ADDRESS)).toEqual(logins);
    expect(logins.refused - refusedBefore).toBe(1);
    expect(servers.idp.hits('/token')).toBe(tokenCalls);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.error.code).toMatch(/invalid_grant|auth_failed/);
  });

  it('refuses a consent that leaves out the mail permission, with a clear error', async () => {
    servers.idp.setConsent((requested) => requested.filter((s) => s !== MAIL_SCOPES.imap));
    const err = await appErrorFrom(connect());
    servers.idp.setConsent((requested) => requested);
    expect(err.code).toBe('OAUTH_FAILED');
    expect(err.message).toContain(MAIL_SCOPES.imap);
  });
});
