import type { Types } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentHashOf } from '../../../src/domain/dedupe.js';
import { PollerSupervisor } from '../../../src/mail/poller-supervisor.js';
import { ingestBatch } from '../../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { testLogger } from '../../helpers/db.js';
import { TEST_SECRET_KEY, createImapInbox } from '../../helpers/inbox.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { providerLogins, startOAuthMailServers, type OAuthMailServers } from '../../helpers/oauth-mail-servers.js';

const USERS = ['oauth@example.test', 'idle@example.test', 'renew@example.test', 'stale@example.test', 'revoked@example.test', 'narrow@example.test'];
let servers: OAuthMailServers;
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let running: PollerSupervisor[] = [];

beforeAll(async () => {
  servers = await startOAuthMailServers({ users: USERS });
  fx = await ingestFixture('poller_oauth2');
  await fx.models.Inbox.deleteMany({});
});
afterEach(async () => {
  for (const s of running) await s.stop();
  running = [];
  await fx.models.Inbox.deleteMany({});
  servers.idp.setAccessTokenTtl(3600);
});
afterAll(async () => {
  await fx?.db.drop();
  await servers?.stop();
});

function supervisor(logins: ReturnType<typeof providerLogins>, settings: { maxOAuthSessionMs?: number; configErrorRetryMs?: number } = {}) {
  const deps = { ...fx.deps, now: () => new Date() };
  const s = new PollerSupervisor({
    ...fx.stores,
    secrets: createSecretBox(TEST_SECRET_KEY),
    logger: testLogger,
    now: () => new Date(),
    owner: 'oauth-test',
    leaseMs: 3000,
    rescanMs: 200,
    ingest: (batch) => ingestBatch(deps, batch),
    quarantine: async (q) => void (await quarantineMail(fx.deps, { ...q, contentHash: contentHashOf(q.raw) })),
    logins: logins.source,
    settings: {
      pollIntervalMs: 120_000,
      maxIdleMs: 120_000,
      fetchBatch: 5,
      connectTimeoutMs: 2000,
      backoff: { baseMs: 100, maxMs: 1000 },
      configErrorRetryMs: settings.configErrorRetryMs ?? 60_000,
      maxIngestAttempts: 3,
      reconnectCheckMs: 300,
      ...(settings.maxOAuthSessionMs ? { maxOAuthSessionMs: settings.maxOAuthSessionMs } : {}),
    },
  });
  running.push(s);
  return s;
}

/** An inbox whose stored password is wrong: only a token can log it in. */
const oauthInbox = (address: string) => createImapInbox(fx.models, { address, port: servers.dovecot.port, password: 'not-the-password' });
const settled = (inboxId: Types.ObjectId) => fx.models.Message.countDocuments({ deliveredTo: inboxId, ingestState: 'complete' });
const status = async (inboxId: Types.ObjectId) => fx.models.InboxStatus.findById(inboxId).lean();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mailbox poller with OAuth2 logins against Dovecot', () => {
  it('logs in with the access token (Dovecot introspects it at the provider) and ingests the mail', async () => {
    const user = 'oauth@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, user);
    await servers.dovecot.append(user, rawMail({ messageId: 'oauth-1@c.test', subject: 'Sent before the poller started' }));
    await supervisor(logins).start();
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await status(inbox._id))?.state, { timeout: 5000 }).toBe('idle');
    await servers.dovecot.append(user, rawMail({ messageId: 'oauth-2@c.test', subject: 'Arrived while idling' }));
    await expect.poll(() => settled(inbox._id), { timeout: 10_000 }).toBe(2);
    expect(servers.imapLogins(user)).toEqual({ ok: 1, refused: 0 });
    // Offered both, imapflow takes OAUTHBEARER (RFC 7628), as it would at Google.
    expect(servers.imapMethods(user)).toEqual(['OAUTHBEARER']);
    expect(logins.calls.afterAuthFailure).toBe(0);
  });

  it('logs in again with a fresh token when the server ends the session as its token expires during IDLE', async () => {
    const user = 'idle@example.test';
    servers.idp.setAccessTokenTtl(5);
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    const first = await logins.connect(inbox._id, user);
    await supervisor(logins).start();
    await expect.poll(async () => (await status(inbox._id))?.state, { timeout: 10_000 }).toBe('idle');
    // The token dies under the idling session; the provider says so, and the server hangs up (as Microsoft 365 does).
    await expect.poll(async () => (await servers.idp.introspect(first.accessToken)).active, { timeout: 10_000, interval: 250 }).toBe(false);
    await servers.kick(user);
    await servers.dovecot.append(user, rawMail({ messageId: 'idle-1@c.test', subject: 'After the token expired' }));
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(1);
    const used = logins.accessToken(inbox._id)!;
    expect(used).not.toBe(first.accessToken);
    expect(servers.imapLogins(user).ok).toBeGreaterThanOrEqual(2);
    expect(servers.imapLogins(user).refused).toBe(0);
  });

  it('renews an idling session with a fresh token before the token runs out', async () => {
    const user = 'renew@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, user);
    await supervisor(logins, { maxOAuthSessionMs: 1000 }).start();
    await expect.poll(() => servers.imapLogins(user).ok, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await servers.dovecot.append(user, rawMail({ messageId: 'renew-1@c.test', subject: 'Between two sessions' }));
    await expect.poll(() => settled(inbox._id), { timeout: 10_000 }).toBe(1);
    expect((await status(inbox._id))!.lastError).toBeNull();
  });

  it('asks for a fresh token once when the server refuses the one it has, then logs in', async () => {
    const user = 'stale@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, user);
    logins.spoil(inbox._id);
    await servers.dovecot.append(user, rawMail({ messageId: 'stale-1@c.test', subject: 'Behind a refused token' }));
    await supervisor(logins).start();
    await expect.poll(() => settled(inbox._id), { timeout: 15_000 }).toBe(1);
    expect(logins.calls.afterAuthFailure).toBe(1);
    expect(logins.calls.serverTexts[0]).toMatch(/\S/);
    expect(servers.imapLogins(user)).toEqual({ ok: 1, refused: 1 });
  });

  it('stops logging in once consent is revoked (reconnect needed), and resumes when the inbox is connected again', async () => {
    const user = 'revoked@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, user);
    await supervisor(logins).start();
    await expect.poll(async () => (await status(inbox._id))?.state, { timeout: 10_000 }).toBe('idle');
    await servers.idp.revokeConsent();
    await servers.kick(user);
    await expect.poll(async () => (await status(inbox._id))?.lastError?.code, { timeout: 10_000 }).toBe('MAIL_RECONNECT_NEEDED');
    const tokenCallsThen = servers.idp.hits('/token');
    // Three seconds is ten reconnect checks: not one more login, refresh or provider call.
    await sleep(3000);
    expect(servers.imapLogins(user)).toEqual({ ok: 1, refused: 1 });
    expect(logins.calls.afterAuthFailure).toBe(1);
    expect(servers.idp.hits('/token')).toBe(tokenCallsThen);
    expect(logins.calls.loginFor).toBeGreaterThan(3);
    expect((await status(inbox._id))!.state).toBe('error');

    await logins.connect(inbox._id, user);
    await servers.dovecot.append(user, rawMail({ messageId: 'revoked-1@c.test', subject: 'After reconnecting' }));
    await expect.poll(() => settled(inbox._id), { timeout: 10_000 }).toBe(1);
    expect(servers.imapLogins(user).ok).toBe(2);
  });

  it('refuses a grant without the IMAP scope: one fresh token, then reconnect needed with the server\'s words, no loop', async () => {
    const user = 'narrow@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, user, 'openid offline_access');
    await supervisor(logins).start();
    await expect.poll(async () => (await status(inbox._id))?.lastError?.code, { timeout: 10_000 }).toBe('MAIL_RECONNECT_NEEDED');
    expect((await status(inbox._id))!.lastError!.message).toMatch(/AUTHENTICATIONFAILED|failed/i);
    await sleep(1500);
    // The first token, then the one fresh token after the refusal; then nothing until reconnected.
    expect(servers.imapLogins(user)).toEqual({ ok: 0, refused: 2 });
    expect(logins.calls.afterAuthFailure).toBe(2);
    expect(logins.calls.refreshes).toBe(1);
    expect(servers.log()).toMatch(/not valid for scope/);
    expect((await status(inbox._id))!.state).toBe('error');
  });

  it('backs off more and more while the login source itself fails (the provider down), without contacting the server', async () => {
    const user = 'oauth@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    let asked = 0;
    const down = { ...logins, source: { ...logins.source, loginFor: async () => (asked++, Promise.reject(new Error('provider unreachable'))) } };
    const imapBefore = servers.imapLogins(user);
    const started = performance.now();
    await supervisor(down).start();
    await expect.poll(async () => (await status(inbox._id))?.state, { timeout: 5000 }).toBe('backoff');
    // Backoff 100 ms doubling to 1 s (±20%): the fourth question comes after at least 80 + 160 + 320 ms,
    // where a wait that did not grow would have asked it within 360 ms. A loaded machine only delays it.
    await expect.poll(() => asked, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(4);
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
    expect(servers.imapLogins(user)).toEqual(imapBefore);
    expect((await status(inbox._id))!.lastError!.message).toMatch(/provider unreachable/);
  });

  it('does not loop either when the login source keeps handing out tokens the server refuses', async () => {
    const user = 'narrow@example.test';
    const inbox = await oauthInbox(user);
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, user, 'openid offline_access');
    // A source that never gives up on the grant: the poller itself stops after one fresh token.
    const stubborn = { ...logins, source: { loginFor: logins.source.loginFor, afterAuthFailure: async (id: Types.ObjectId) => (await logins.connect(id, user, 'openid offline_access'), logins.source.loginFor(id, 'imap')) } };
    const before = servers.imapLogins(user).refused;
    await supervisor(stubborn).start();
    await expect.poll(async () => (await status(inbox._id))?.lastError?.code, { timeout: 10_000 }).toBe('IMAP_AUTH_FAILED');
    await sleep(1500);
    expect(servers.imapLogins(user).refused - before).toBe(2);
  });
});
