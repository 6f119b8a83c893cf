import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import { disableInbox, enableInbox } from '../../../../src/services/inboxes/set-inbox-enabled.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { queueMail } from '../../../../src/services/outbound/queue-mail.js';
import type { MailSender } from '../../../../src/services/ports.js';
import type { InboxDoc } from '../../../../src/store/models/inbox.js';
import { createSecretBox, createSigner } from '../../../../src/store/secret-box.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let inbox: InboxDoc;
let other: InboxDoc;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const now = new Date();

beforeAll(async () => {
  db = await openTestDb('inbox_enabled');
  const deps = { ...db.stores, secrets, logger: testLogger };
  inbox = (await db.stores.inboxes.findById(new Types.ObjectId((await createInbox(deps, admin, newInboxInput('help@enabled.test'))).id)))!;
  other = (await db.stores.inboxes.findById(new Types.ObjectId((await createInbox(deps, admin, newInboxInput('sales@enabled.test'))).id)))!;
});
afterAll(() => db.drop());

const sent: string[][] = [];
const sender: MailSender = {
  async send(_account, envelope) {
    sent.push(envelope.to);
    return { ok: true, response: '250 queued' };
  },
  close() {},
};
const deliverDeps = (): DeliverDeps => ({ ...db.stores, sender, secrets, now: () => now, logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 10_000 } } });
const enabledDeps = () => ({ inboxes: db.stores.inboxes, now: () => now });
const polled = async () => (await db.stores.inboxes.listAll()).map((i) => i.address).sort();

async function queuedReply() {
  const t = await db.models.Ticket.create({ number: 1, inboxId: inbox._id, subject: 'Printer', requester: { email: 'ann@customer.test' } });
  return queueMail(
    { ...db.stores, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), now: () => now },
    { kind: 'agent-reply', inbox, ticket: { _id: t._id, number: 1 }, dedupeKey: `reply:${t.id}`, to: [{ address: 'ann@customer.test', name: null }], subject: 'Re: Printer', text: 'On it.', envelopeFrom: inbox.address, storeAsMessage: true },
  );
}

describe('disabling and enabling an inbox', () => {
  it('leaves a disabled inbox out of the poller scan, holds its mail, and resumes both when enabled again', async () => {
    expect(await polled()).toEqual(['help@enabled.test', 'sales@enabled.test']);
    const item = await queuedReply();

    const view = await disableInbox(enabledDeps(), admin, inbox._id.toHexString());
    expect(view.disabled).toMatchObject({ reason: 'admin', at: now });
    expect(await polled()).toEqual(['sales@enabled.test']);

    // Held, not lost: still pending, the attempt not counted, nothing sent, looked at again later.
    const err = await appErrorFrom(deliverOutboxItem(deliverDeps(), item._id, 60_000));
    expect(err.code).toBe('DELIVERY_DEFERRED');
    const held = (await db.models.Outbox.findById(item._id).lean())!;
    expect(held).toMatchObject({ state: 'pending', attempts: 0, claimedBy: null, lastError: { code: 'INBOX_DISABLED' } });
    expect(held.nextAttemptAt!.getTime()).toBeGreaterThan(now.getTime());
    expect(sent).toEqual([]);

    const enabled = await enableInbox(enabledDeps(), admin, inbox._id.toHexString());
    expect(enabled.disabled).toBeNull();
    expect(await polled()).toEqual(['help@enabled.test', 'sales@enabled.test']);
    expect(await deliverOutboxItem(deliverDeps(), item._id, 60_000)).toBe('sent');
    expect(sent).toEqual([['ann@customer.test']]);
    expect((await db.models.Outbox.findById(item._id).lean())!.attempts).toBe(1);
  });

  it('refuses managers and agents, and answers NOT_FOUND for an unknown inbox', async () => {
    for (const role of ['manager', 'agent'] as const) {
      const actor: Actor = { userId: new Types.ObjectId(), role, inboxIds: [other._id] };
      expect((await appErrorFrom(disableInbox(enabledDeps(), actor, other._id.toHexString()))).code).toBe('FORBIDDEN');
      expect((await appErrorFrom(enableInbox(enabledDeps(), actor, other._id.toHexString()))).code).toBe('FORBIDDEN');
    }
    expect((await db.stores.inboxes.findById(other._id))!.disabled ?? null).toBeNull();
    expect((await appErrorFrom(disableInbox(enabledDeps(), admin, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
  });
});
