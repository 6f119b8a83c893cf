import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationReplyAddress } from '../../../../src/domain/notification-reply.js';
import { NOTIFICATION_REPLY_REFUSED } from '../../../../src/services/ingest/file-notification-reply.js';
import { ingestEmail, type IngestResult } from '../../../../src/services/ingest/ingest-email.js';
import { createUser } from '../../../helpers/api.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

// An agent answers a notification mail from their mail client (issue 15): the answer, sent to the
// notification's signed Reply-To, becomes an internal note by them, once; anything else sent to such
// an address is quarantined, and is never a customer's message or a ticket.
let fx: Awaited<ReturnType<typeof ingestFixture>>;
const ids: Record<string, Types.ObjectId> = {};
let ticketId: Types.ObjectId;
const replyTo = (notificationId: Types.ObjectId, sign = fx.deps.sign) => notificationReplyAddress('support@example.test', notificationId.toHexString(), sign);
const ingest = (raw: Buffer): Promise<IngestResult> => ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });

async function notificationFor(user: string, onTicket: Types.ObjectId = ticketId) {
  const n = await fx.models.Notification.create({
    userId: ids[user], kind: 'assigned', key: `${String(ids[user])}:test:${new Types.ObjectId().toHexString()}`, ticketId: onTicket, ticketNumber: 1, ticketSubject: 'VPN drops',
    inboxId: fx.inbox._id, at: fx.clock.now, data: {}, mail: 'sent',
  });
  return n._id;
}

/** What a mail client sends when Gina answers: her words, then the quoted notification. */
const answer = (opts: { from?: string; to: string; messageId: string; body?: string; headers?: string[] }) =>
  rawMail({
    from: opts.from ?? 'Gina <gina@example.test>',
    to: opts.to,
    subject: 'Re: [#1] VPN drops: assigned to you',
    messageId: opts.messageId,
    body: opts.body ?? 'Called Paul, it is their router. @lea can you check the VPN logs?\r\n\r\nOn Sat, 21 Nov 2026 at 09:00, Threadline <support@example.test> wrote:\r\n> Ada assigned ticket #1 to you.\r\n> VPN drops',
    ...(opts.headers ? { headers: opts.headers } : {}),
  });

const counts = async () => ({
  tickets: await fx.models.Ticket.countDocuments(),
  messages: await fx.models.Message.countDocuments(),
  events: await fx.models.TicketEvent.countDocuments(),
  notifications: await fx.models.Notification.countDocuments(),
});

beforeAll(async () => {
  fx = await ingestFixture('notification_reply');
  fx.deps.scheduler = noJobs;
  for (const name of ['gina', 'lea', 'gone']) {
    ids[name] = (await createUser(fx.models, { email: `${name}@example.test`, password: `${name} password 123`, inboxIds: [fx.inbox._id], name: name[0]!.toUpperCase() + name.slice(1) }))._id;
  }
  ids.bob = (await createUser(fx.models, { email: 'bob@example.test', password: 'bob password 123', inboxIds: [], name: 'Bob' }))._id;
  const first = await ingest(rawMail({ messageId: 'vpn-1@customer.test', subject: 'VPN drops', from: 'Paul <paul@customer.test>' }));
  ticketId = (first as { ticketId: Types.ObjectId }).ticketId;
});
afterAll(() => fx.db.drop());

describe('an agent’s answer to a notification', () => {
  it('becomes one internal note by them, without the quoted notification, on the trail, telling whom it mentions', async () => {
    const before = await counts();
    const raw = answer({ to: replyTo(await notificationFor('gina')), messageId: 'gina-answer-1@mail.example.test' });
    const result = await ingest(raw);
    expect(result).toMatchObject({ outcome: 'note', ticketId });
    const note = (await fx.models.Message.findById((result as { messageDocId: Types.ObjectId }).messageDocId).lean())!;
    expect(note).toMatchObject({ ticketId, direction: 'note', authorId: ids.gina, text: 'Called Paul, it is their router. @lea can you check the VPN logs?' });
    const trail = await fx.models.TicketEvent.find({ ticketId, type: 'note_added', 'data.messageId': note._id }).lean();
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ actor: { kind: 'user', id: ids.gina }, data: { via: 'email' } });
    const mentioned = await fx.models.Notification.find({ kind: 'mentioned', ticketId }).lean();
    expect(mentioned.map((n) => n.userId.toHexString())).toEqual([ids.lea!.toHexString()]);
    expect(mentioned[0]!.data).toMatchObject({ by: { id: ids.gina!.toHexString(), name: 'Gina' } });
    // No ticket, no customer message: one note, one trail entry, one notification.
    expect(await counts()).toEqual({ tickets: before.tickets, messages: before.messages + 1, events: before.events + 1, notifications: before.notifications + 2 });

    // The same mail fetched again (a re-sync, a second poller) adds nothing.
    const again = await counts();
    expect(await ingest(raw)).toEqual({ outcome: 'duplicate', ticketId });
    expect(await counts()).toEqual(again);
  });

  it('is recognised by the tag in Delivered-To too', async () => {
    const raw = answer({ to: 'support@example.test', headers: [`Delivered-To: ${replyTo(await notificationFor('gina'))}`], messageId: 'gina-answer-2@mail.example.test', body: 'Done.' });
    expect(await ingest(raw)).toMatchObject({ outcome: 'note', ticketId });
  });

  it('lands on the ticket the notification’s ticket was merged into', async () => {
    const ticketOf = async (messageId: string) => ((await ingest(rawMail({ messageId, subject: messageId, from: 'Paul <paul@customer.test>' }))) as { ticketId: Types.ObjectId }).ticketId;
    const [merged, survivor] = [await ticketOf('merged-1@customer.test'), await ticketOf('survivor-1@customer.test')];
    const notificationId = await notificationFor('gina', merged);
    await fx.stores.tickets.merge({ intoId: survivor, fromId: merged, at: fx.clock.now, reason: 'test' });
    const result = await ingest(answer({ to: replyTo(notificationId), messageId: 'gina-answer-3@mail.example.test', body: 'Merged, fine.' }));
    expect(result).toMatchObject({ outcome: 'note', ticketId: survivor });
  });
});

describe('anything else sent to a notification address', () => {
  const otherKey = (v: string) => createHmac('sha256', 'not-our-key-of-at-least-32-characters').update(v).digest('hex');

  it.each([
    ['a forged signature', async () => answer({ to: replyTo(await notificationFor('gina'), otherKey), messageId: 'forged@mail.example.test' }), /no valid signature/],
    ['another agent writing to Gina’s address', async () => answer({ from: 'Lea <lea@example.test>', to: replyTo(await notificationFor('gina')), messageId: 'lea@mail.example.test' }), /sender lea@example.test is not the recipient/],
    ['the customer writing to the tagged address', async () => answer({ from: 'Paul <paul@customer.test>', to: replyTo(await notificationFor('gina')), messageId: 'paul@customer.test' }), /sender paul@customer.test is not the recipient/],
    ['a disabled agent', async () => {
      const n = await notificationFor('gone');
      await fx.models.User.updateOne({ _id: ids.gone }, { $set: { disabled: true } });
      return answer({ from: 'Gone <gone@example.test>', to: replyTo(n), messageId: 'gone@mail.example.test' });
    }, /disabled or deleted/],
    ['an agent who may no longer see the ticket', async () => {
      const n = await fx.models.Notification.create({ userId: ids.bob, kind: 'mentioned', key: `${String(ids.bob)}:old`, ticketId, ticketNumber: 1, ticketSubject: 'VPN drops', inboxId: fx.inbox._id, at: fx.clock.now, data: {}, mail: 'sent' });
      return answer({ from: 'Bob <bob@example.test>', to: replyTo(n._id), messageId: 'bob@mail.example.test' });
    }, /may no longer see its ticket/],
    ['an unknown notification', async () => answer({ to: replyTo(new Types.ObjectId()), messageId: 'unknown@mail.example.test' }), /is unknown/],
    ['an out-of-office answer', async () => answer({ to: replyTo(await notificationFor('gina')), messageId: 'ooo@mail.example.test', body: 'I am away until Monday.', headers: ['Auto-Submitted: auto-replied'] }), /automatic mail/],
  ] as const)('%s is quarantined with its reason: no note, no ticket', async (_label, make, detail) => {
    const raw = await make();
    const before = await counts();
    expect(await ingest(raw)).toEqual({ outcome: 'quarantined', reason: NOTIFICATION_REPLY_REFUSED });
    expect(await counts()).toEqual(before);
    const kept = await fx.models.Quarantine.find({ reason: NOTIFICATION_REPLY_REFUSED }).sort({ _id: -1 }).limit(1).lean();
    expect(kept[0]!.detail).toMatch(detail);
    // Fetched again: still nothing, and quarantined once.
    const quarantined = await fx.models.Quarantine.countDocuments();
    await ingest(raw);
    expect(await counts()).toEqual(before);
    expect(await fx.models.Quarantine.countDocuments()).toBe(quarantined);
  });
});
