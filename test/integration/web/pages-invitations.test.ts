import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../../src/i18n/locales.js';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { renderEmail, validateTemplateOverride } from '../../../src/mail/render-email.js';
import { issuePasswordLink } from '../../../src/services/users/issue-password-link.js';
import { mailPasswordLink, type PasswordLinkMailDeps } from '../../../src/services/users/mail-password-link.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import type { OutboxDoc } from '../../../src/store/models/outbox.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { memoryJobQueue } from '../../helpers/job-queue.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';
import { Client } from './pages-harness.js';

const PUBLIC_URL = 'https://desk.example.test';
const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };

/** The pages and the API on one database, mailing links through the outbox, the instance's language `locale`. */
async function start(locale: Locale) {
  const db = await openTestDb('invitations');
  const now = () => new Date();
  const queue = memoryJobQueue();
  const invitations: PasswordLinkMailDeps = {
    ...db.stores,
    scheduler: queue.scheduler,
    compose,
    sign: createSigner(TEST_SECRET_KEY),
    now,
    render: renderEmail,
    notifyFrom: 'team@desk.example.test',
    localeDefaults: { locale, timeZone: 'Europe/Paris' },
    publicUrl: PUBLIC_URL,
  };
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const blobs = createBlobStore(db.connection.db!);
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, invitations },
    pages: {
      stores: db.stores,
      passwords: TEST_PASSWORDS,
      now,
      publicUrl: PUBLIC_URL,
      blobs,
      actions: { ...db.stores, now, scheduler: noJobs, compose, sign: (() => '') as never, refreshSla: async () => {} },
      secrets,
      settings: { connectionChecks: createConnectionChecks({ timeoutMs: 5000 }), validateTemplate: validateTemplateOverride, render: renderEmail, scheduler: noJobs },
      localeDefaults: { locale, timeZone: 'Europe/Paris' },
      invitations,
    },
  });
  const server = await serve(app);
  // The older inbox is the one that sends; the newer one is there to show the choice.
  const older = new Types.ObjectId();
  await db.models.Inbox.create({ _id: older, name: 'Support', displayName: 'Acme Support', address: 'support@example.test', ...account });
  await db.models.Inbox.create({ name: 'Billing', address: 'billing@example.test', ...account });
  await createUser(db.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  const admin = await Client.signedIn(server.base, 'ada@example.test', 'ada password 123');
  return {
    db,
    base: server.base,
    admin,
    invitations,
    queue,
    older,
    outboxTo: async (email: string) => (await db.models.Outbox.find({ 'envelope.to': email }).sort({ _id: 1 }).lean<OutboxDoc[]>()),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** The raw mail as text, quoted-printable soft line breaks removed. */
const mailText = (item: OutboxDoc) => Buffer.from(item.raw.buffer ?? item.raw).toString('utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const secretOn = (html: string) => /<code class="secret-value">([^<]+)<\/code>/.exec(html)?.[1] ?? null;
const noticeOn = (html: string) => /<p class="notice" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? null;

/** Adds a user on the "add user" form; returns the answer to the post. */
async function addUser(admin: Client, email: string, extra: Record<string, string> = {}) {
  const form = await admin.get('/settings/users/new');
  return admin.post('/settings/users', { _csrf: Client.csrf(form.text), email, name: 'Lee Wong', role: 'agent', ...extra });
}

describe('invite and password-reset links are emailed (English instance)', () => {
  let t: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    t = await start('en');
  });
  afterAll(async () => t.close());

  it('adding a user without a password mails them the invite, and the page still shows the link', async () => {
    const posted = await addUser(t.admin, 'lee@example.test');
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toMatch(/\?saved=invited-emailed$/);
    const page = await t.admin.get(posted.headers.get('location')!);
    expect(noticeOn(page.text)).toContain('An invitation was emailed to lee@example.test');
    const link = secretOn(page.text);
    expect(link).toMatch(/^https:\/\/desk\.example\.test\/password\/[A-Za-z0-9_-]{43}$/);

    const [item, ...more] = await t.outboxTo('lee@example.test');
    expect(more).toHaveLength(0);
    expect(item!.kind).toBe('password-link');
    expect(item!.inboxId.equals(t.older)).toBe(true);
    expect(item!.ticketId).toBeNull();
    expect(item!.subject).toBe('You are invited to Acme Support');
    expect(item!.envelope.from).toBe('');
    const raw = mailText(item!);
    expect(raw).toContain(link!);
    expect(raw).toMatch(/^From: "?Acme Support"? <team@desk\.example\.test>/m);
    expect(raw).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(raw).toMatch(/^X-Auto-Response-Suppress: All/m);
    expect(t.queue.pending('deliver-outbox').map((j) => j.key)).toContain(item!._id.toHexString());
  });

  it('a second submit of the same form is refused and mails nothing more', async () => {
    const again = await addUser(t.admin, 'lee@example.test');
    expect(again.status).toBe(409);
    expect(await t.outboxTo('lee@example.test')).toHaveLength(1);
  });

  it('the same link is mailed once however often it is sent', async () => {
    const user = await t.db.models.User.findOne({ email: 'lee@example.test' }).lean();
    const actor = { userId: null, role: 'admin' as const, inboxIds: [], teamIds: [] };
    const link = await issuePasswordLink({ ...t.db.stores, now: () => new Date(), logger: testLogger }, actor as never, user!._id.toHexString());
    const url = `${PUBLIC_URL}${link.path}`;
    expect(await mailPasswordLink(t.invitations, user!._id.toHexString(), link, url)).toBe(true);
    // Again with the same link (a retried request): still one mail for it, the invite before it plus this one.
    expect(await mailPasswordLink(t.invitations, user!._id.toHexString(), link, url)).toBe(true);
    const items = await t.outboxTo('lee@example.test');
    expect(items).toHaveLength(2);
    expect(mailText(items[1]!)).toContain(url);
  });

  it('a password-reset link made on the user page is mailed too and still shown', async () => {
    const user = await t.db.models.User.findOne({ email: 'lee@example.test' }).lean();
    const id = user!._id.toHexString();
    const page = await t.admin.get(`/settings/users/${id}`);
    const posted = await t.admin.post(`/settings/users/${id}/password-link`, { _csrf: Client.csrf(page.text) });
    expect(posted.headers.get('location')).toMatch(/\?saved=link-emailed$/);
    const shown = await t.admin.get(posted.headers.get('location')!);
    expect(noticeOn(shown.text)).toContain('emailed to lee@example.test');
    const link = secretOn(shown.text);
    const items = await t.outboxTo('lee@example.test');
    expect(items).toHaveLength(3);
    expect(mailText(items[2]!)).toContain(link!);
  });

  it('the API says whether the invite was mailed', async () => {
    const token = await login(`${t.base}/api/v1`, 'ada@example.test', 'ada password 123');
    const invited = await call(`${t.base}/api/v1`, 'POST', '/users', { token, body: { email: 'kim@example.test', role: 'agent' } });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ email: 'kim@example.test', invitationEmailed: true });
    expect(await t.outboxTo('kim@example.test')).toHaveLength(1);

    const withPassword = await call(`${t.base}/api/v1`, 'POST', '/users', { token, body: { email: 'pat@example.test', role: 'agent', password: 'pat password 1234' } });
    expect(withPassword.body).toMatchObject({ invitationEmailed: false });
    expect(await t.outboxTo('pat@example.test')).toHaveLength(0);

    const reset = await call(`${t.base}/api/v1`, 'POST', `/users/${(invited.body as { id: string }).id}/password-link`, { token });
    expect(reset.status).toBe(201);
    expect(reset.body).toMatchObject({ invitationEmailed: true, purpose: 'invite' });
    const items = await t.outboxTo('kim@example.test');
    expect(items).toHaveLength(2);
    expect(mailText(items[1]!)).toContain((reset.body as { path: string }).path);
  });

  it('without an inbox that can send, the page says so and still shows the link', async () => {
    await t.db.models.Inbox.updateMany({}, { $set: { disabled: { at: new Date(), reason: 'admin' } } });
    try {
      const posted = await addUser(t.admin, 'noa@example.test');
      expect(posted.headers.get('location')).toMatch(/\?saved=invited-not-emailed$/);
      const page = await t.admin.get(posted.headers.get('location')!);
      expect(noticeOn(page.text)).toContain('No inbox can send mail');
      expect(secretOn(page.text)).toMatch(/\/password\/[A-Za-z0-9_-]{43}$/);
      expect(await t.outboxTo('noa@example.test')).toHaveLength(0);

      const token = await login(`${t.base}/api/v1`, 'ada@example.test', 'ada password 123');
      const invited = await call(`${t.base}/api/v1`, 'POST', '/users', { token, body: { email: 'ray@example.test', role: 'agent' } });
      expect(invited.body).toMatchObject({ invitationEmailed: false });
    } finally {
      await t.db.models.Inbox.updateMany({}, { $set: { disabled: null } });
    }
  });
});

describe('invite links on a French instance', () => {
  let t: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    t = await start('fr');
  });
  afterAll(async () => t.close());

  it('are mailed in the default language', async () => {
    const posted = await addUser(t.admin, 'lea@example.test');
    expect(posted.headers.get('location')).toMatch(/\?saved=invited-emailed$/);
    const [item] = await t.outboxTo('lea@example.test');
    expect(item!.subject).toBe('Vous êtes invité sur Acme Support');
    const raw = mailText(item!);
    expect(raw).toContain('Choisissez votre mot de passe');
    expect(raw).toContain('lang="fr"');
  });
});
