import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionChecks } from '../../../../src/mail/connection-check.js';
import type { Actor } from '../../../../src/services/access.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import { testInboxConnection, type TestConnectionDeps } from '../../../../src/services/inboxes/test-inbox-connection.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';
import { rawMail } from '../../../helpers/mail.js';
import { providerLogins, startOAuthMailServers, type OAuthMailServers } from '../../../helpers/oauth-mail-servers.js';

const ADDRESS = 'check@oauth-connect.test';
let db: Awaited<ReturnType<typeof openTestDb>>;
let servers: OAuthMailServers;
let inboxId: Types.ObjectId;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

beforeAll(async () => {
  servers = await startOAuthMailServers({ users: [ADDRESS] });
  await servers.dovecot.append(ADDRESS, rawMail({ subject: 'Already there', messageId: '<there@oauth-connect.test>' }));
  db = await openTestDb('inbox_connection_oauth2');
  // Both stored passwords are wrong: only the tokens can log in.
  const input = newInboxInput(ADDRESS, {
    imap: { host: '127.0.0.1', port: servers.dovecot.port, secure: false, user: ADDRESS, password: 'not the password' },
    smtp: { host: '127.0.0.1', port: servers.smtp.port, secure: false, user: ADDRESS, password: 'not the password' },
  });
  inboxId = new Types.ObjectId((await createInbox({ ...db.stores, secrets, logger: testLogger }, admin, input)).id);
});
afterAll(async () => {
  await db?.drop();
  await servers?.stop();
});

const deps = (logins?: ReturnType<typeof providerLogins>): TestConnectionDeps => ({
  ...db.stores,
  secrets,
  logger: testLogger,
  checks: createConnectionChecks({ timeoutMs: 5000, ...(logins ? { logins: logins.source } : {}) }),
});

describe('testing the connection of an OAuth2 inbox', () => {
  it('logs in to IMAP and SMTP with the access token, and shows no token', async () => {
    const logins = providerLogins(servers.idp);
    const tokens = await logins.connect(inboxId, ADDRESS);
    const result = await testInboxConnection(deps(logins), admin, inboxId.toHexString());
    expect(result.imap).toMatchObject({ ok: true, code: 'OK', messages: 1 });
    expect(result.smtp).toMatchObject({ ok: true, code: 'OK' });
    expect(servers.smtp.logins.at(-1)).toEqual({ user: ADDRESS, ok: true });
    expect(JSON.stringify(result)).not.toContain(tokens.accessToken);
    // Without the login source the same inbox is tried with its (wrong) passwords, as before.
    const withPasswords = await testInboxConnection(deps(), admin, inboxId.toHexString());
    expect(withPasswords.imap).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED' });
  });

  it('says a token without the mail scopes is refused, on each account', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inboxId, ADDRESS, 'openid offline_access');
    const result = await testInboxConnection(deps(logins), admin, inboxId.toHexString());
    expect(result.imap).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED' });
    expect(result.smtp).toMatchObject({ ok: false, code: 'SMTP_AUTH_FAILED' });
    expect(servers.log()).toMatch(/not valid for scope/);
  });

  it('says the inbox must be connected again once its grant is gone, without logging in', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inboxId, ADDRESS);
    await servers.idp.revokeConsent();
    await logins.source.afterAuthFailure(inboxId, 'imap', 'refused').catch(() => undefined);
    const smtpLogins = servers.smtp.logins.length;
    const imapLogins = servers.imapLogins(ADDRESS);
    const result = await testInboxConnection(deps(logins), admin, inboxId.toHexString());
    expect(result.imap).toMatchObject({ ok: false, code: 'MAIL_RECONNECT_NEEDED' });
    expect(result.smtp).toMatchObject({ ok: false, code: 'MAIL_RECONNECT_NEEDED' });
    expect(result.imap.message).toMatch(/connected again/);
    expect(servers.smtp.logins.length).toBe(smtpLogins);
    expect(servers.imapLogins(ADDRESS)).toEqual(imapLogins);
  });

  it('does not send the token to a host typed in the form: changed settings are tested as typed', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inboxId, ADDRESS);
    const before = logins.calls.loginFor;
    const result = await testInboxConnection(deps(logins), admin, inboxId.toHexString(), { imap: { host: 'localhost', password: 'typed password' }, smtp: { host: 'localhost', password: 'typed' } });
    expect(logins.calls.loginFor).toBe(before);
    expect(result.imap).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED' });
  });
});
