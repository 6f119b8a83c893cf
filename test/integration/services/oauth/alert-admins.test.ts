import { Types } from 'mongoose';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectUri } from '../../../../src/domain/oauth.js';
import { createI18n } from '../../../../src/i18n/catalog.js';
import type { Actor } from '../../../../src/services/access.js';
import { alertAdminsByMail } from '../../../../src/services/oauth/alert-admins.js';
import { createMailLoginSource } from '../../../../src/services/oauth/mail-login-source.js';
import { finishOAuthConnect } from '../../../../src/services/oauth/finish-connect.js';
import { createOAuthEndpoint } from '../../../../src/services/oauth/oauth-endpoint.js';
import { startOAuthConnect } from '../../../../src/services/oauth/start-connect.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { createUser } from '../../../helpers/api.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';
import { createImapInbox, TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { startTestProvider, TEST_MAIL_SCOPES, type TestProvider } from '../../../helpers/oauth-provider.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

const PUBLIC_URL = 'https://help.example.test';
let db: Awaited<ReturnType<typeof openTestDb>>;
let provider: TestProvider;
const secrets = createSecretBox(TEST_SECRET_KEY);
const i18n = createI18n();
let clock = new Date();

beforeAll(async () => {
  db = await openTestDb('oauth_alerts');
  provider = await startTestProvider({ redirectUri: redirectUri(PUBLIC_URL) });
});
afterAll(async () => {
  await provider.close();
  await db.drop();
});

describe('admins are told once when an inbox needs reconnecting', () => {
  it('mails each active admin in their language through another inbox, once however many processes run into it', async () => {
    const sender = await createImapInbox(db.models, { address: 'help@example.test', port: 143, password: 'pw' });
    const broken = await createImapInbox(db.models, { address: 'sales@example.test', port: 143, password: 'pw' });
    const ada = await createUser(db.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
    const bea = await createUser(db.models, { email: 'bea@example.test', password: 'bea password 123', role: 'admin', name: 'Béa' });
    await db.models.User.updateOne({ _id: bea._id }, { $set: { locale: 'fr' } });
    await createUser(db.models, { email: 'old@example.test', password: 'old password 123', role: 'admin', disabled: true });
    await createUser(db.models, { email: 'gina@example.test', password: 'gina password 123', role: 'agent' });

    const alertDeps = { ...db.stores, scheduler: noJobs, compose, sign: () => 'sig', now: () => clock, i18n, publicUrl: PUBLIC_URL };
    const deps = { ...db.stores, secrets, oauth: createOAuthEndpoint(), publicUrl: PUBLIC_URL, now: () => clock, alertAdmins: async (alert: Parameters<typeof alertAdminsByMail>[1]) => void (await alertAdminsByMail(alertDeps, alert)) };
    const admin: Actor = { userId: ada._id, role: 'admin', inboxIds: [] };
    const { url } = await startOAuthConnect(deps, admin, broken._id.toHexString(), { provider: 'generic', clientId: provider.clientId, clientSecret: provider.clientSecret, issuer: provider.issuer, scopes: `offline_access ${TEST_MAIL_SCOPES.join(' ')}` }, 's1');
    await finishOAuthConnect(deps, admin, 's1', (await provider.consent(url)).searchParams);
    await provider.revokeAll();
    clock = new Date(clock.getTime() + 2 * 3600_000);

    // Three processes (three login sources) find the grant gone at once, then keep trying.
    const sources = [1, 2, 3].map(() => createMailLoginSource(deps));
    const errors = await Promise.all(sources.map((s) => appErrorFrom(s.loginFor(broken._id, 'imap'))));
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['MAIL_RECONNECT_NEEDED']));
    await appErrorFrom(sources[0]!.afterAuthFailure(broken._id, 'smtp', '535 refused'));

    const mails = await db.models.Outbox.find({ kind: 'inbox-alert' }).lean();
    expect(mails.flatMap((m) => m.envelope.to).sort()).toEqual(['ada@example.test', 'bea@example.test']);
    expect(new Set(mails.map((m) => String(m.inboxId)))).toEqual(new Set([sender._id.toHexString()]));
    const byTo = async (address: string) => simpleParser(Buffer.from(mails.find((m) => m.envelope.to.includes(address))!.raw.buffer));
    const english = await byTo('ada@example.test');
    expect(english.subject).toBe('Reconnect the inbox sales@example.test: its sign-in no longer works');
    expect(english.text).toContain('The consent was withdrawn, expired or the password changed (invalid_grant).');
    expect(english.text).toContain(`${PUBLIC_URL}/settings/inboxes/${broken._id.toHexString()}/oauth`);
    expect(english.headers.get('auto-submitted')).toBe('auto-generated');
    const french = await byTo('bea@example.test');
    expect(french.subject).toBe('Reconnectez la boîte sales@example.test\u00a0: sa connexion ne fonctionne plus');
    expect(french.text).toContain('Le consentement a été retiré');
  });

  it('queues nothing when no other inbox can send', async () => {
    const lonely = new Types.ObjectId();
    const alertDeps = { ...db.stores, inboxes: { ...db.stores.inboxes, listAll: async () => [] }, scheduler: noJobs, compose, sign: () => 'sig', now: () => clock, i18n, publicUrl: null };
    await db.models.Inbox.create({ _id: lonely, name: 'Lonely', address: 'lonely@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} });
    expect(await alertAdminsByMail(alertDeps, { inboxId: lonely, error: { code: 'invalid_grant', description: null }, at: clock })).toBe(0);
  });
});
