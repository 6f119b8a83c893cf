import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import type { Actor } from '../../../../src/services/access.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { queueMail } from '../../../../src/services/outbound/queue-mail.js';
import type { InboxDoc } from '../../../../src/store/models/inbox.js';
import { createSecretBox, createSigner } from '../../../../src/store/secret-box.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';
import { providerLogins, startOAuthMailServers, type OAuthMailServers } from '../../../helpers/oauth-mail-servers.js';
import { MAIL_SCOPES } from '../../../helpers/oauth-provider.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

const ADDRESS = 'help@oauth-deliver.test';
let db: Awaited<ReturnType<typeof openTestDb>>;
let servers: OAuthMailServers;
let inbox: InboxDoc;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const sender = createMailSender({ connectionTimeoutMs: 3000 });
const settings = { maxAttempts: 5, backoff: { baseMs: 60_000, maxMs: 600_000 } };
let number = 0;

beforeAll(async () => {
  servers = await startOAuthMailServers({ users: [ADDRESS] });
  db = await openTestDb('deliver_oauth2');
  // The stored SMTP password is wrong on purpose: the server takes XOAUTH2 only.
  const input = newInboxInput(ADDRESS, { smtp: { host: '127.0.0.1', port: servers.smtp.port, secure: false, user: ADDRESS, password: 'not used' } });
  const view = await createInbox({ ...db.stores, secrets, logger: testLogger }, admin, input);
  inbox = (await db.stores.inboxes.findById(new Types.ObjectId(view.id)))!;
});
afterAll(async () => {
  sender.close();
  await db?.drop();
  await servers?.stop();
});

const deps = (logins: ReturnType<typeof providerLogins>): DeliverDeps => ({ ...db.stores, sender, secrets, now: () => new Date(), logger: testLogger, settings, logins: logins.source });

async function queued() {
  number += 1;
  const t = await db.models.Ticket.create({ number, inboxId: inbox._id, subject: 'Printer', requester: { email: 'ann@customer.test' } });
  return queueMail(
    { ...db.stores, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), now: () => new Date() },
    { kind: 'agent-reply', inbox, ticket: { _id: t._id, number }, dedupeKey: `agent-reply:${t.id}`, to: [{ address: 'ann@customer.test', name: null }], subject: 'Re: Printer', text: `Reply ${number}`, envelopeFrom: ADDRESS, storeAsMessage: true },
  );
}
const outbox = async (id: Types.ObjectId) => (await db.models.Outbox.findById(id).lean())!;

describe('delivery through an OAuth2 SMTP account', () => {
  it('sends a reply with SASL XOAUTH2, the token checked at the provider', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, ADDRESS);
    const item = await queued();
    expect(await deliverOutboxItem(deps(logins), item._id, 60_000)).toBe('sent');
    expect(servers.smtp.logins.at(-1)).toEqual({ user: ADDRESS, ok: true });
    expect(servers.smtp.received.at(-1)!.raw.toString()).toContain(`Reply ${number}`);
    expect(await outbox(item._id)).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('gets a fresh token once when the server refuses the token, and sends with it', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, ADDRESS);
    logins.spoil(inbox._id);
    const before = servers.smtp.logins.length;
    const item = await queued();
    expect(await deliverOutboxItem(deps(logins), item._id, 60_000)).toBe('sent');
    expect(servers.smtp.logins.slice(before).map((l) => l.ok)).toEqual([false, true]);
    expect(logins.calls.afterAuthFailure).toBe(1);
    expect(logins.calls.serverTexts[0]).toMatch(/refused the OAuth2 access token/);
  });

  it('refuses a grant without the send scope: one fresh token, then the mail waits for the inbox to be reconnected', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, ADDRESS, `openid offline_access ${MAIL_SCOPES.imap}`);
    const before = servers.smtp.logins.length;
    const item = await queued();
    const err = await appErrorFrom(deliverOutboxItem(deps(logins), item._id, 60_000));
    expect(err.code).toBe('DELIVERY_DEFERRED');
    expect(servers.smtp.logins.slice(before)).toEqual([
      { user: ADDRESS, ok: false, why: 'token without the send scope' },
      { user: ADDRESS, ok: false, why: 'token without the send scope' },
    ]);
    expect(logins.calls.afterAuthFailure).toBe(2);
    expect(await outbox(item._id)).toMatchObject({ state: 'pending', attempts: 0, lastError: { code: 'MAIL_RECONNECT_NEEDED', message: expect.stringMatching(/refused the OAuth2 access token/) } });
  });

  it('holds the mail once consent is revoked (reconnect needed), without counting an attempt, and sends it after reconnecting', async () => {
    const logins = providerLogins(servers.idp);
    await logins.connect(inbox._id, ADDRESS);
    await servers.idp.revokeConsent();
    const before = servers.smtp.logins.length;
    const item = await queued();
    const err = await appErrorFrom(deliverOutboxItem(deps(logins), item._id, 60_000));
    expect(err.code).toBe('DELIVERY_DEFERRED');
    expect(await outbox(item._id)).toMatchObject({ state: 'pending', attempts: 0, lastError: { code: 'MAIL_RECONNECT_NEEDED' } });
    // The next run asks the source only: no login at the server while the grant is gone.
    await appErrorFrom(deliverOutboxItem(deps(logins), item._id, 60_000));
    expect(servers.smtp.logins.length - before).toBe(1);
    expect(logins.calls.afterAuthFailure).toBe(1);
    await logins.connect(inbox._id, ADDRESS);
    expect(await deliverOutboxItem(deps(logins), item._id, 60_000)).toBe('sent');
  });
});
