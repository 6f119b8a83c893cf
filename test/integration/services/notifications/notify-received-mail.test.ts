import { Types } from 'mongoose';
import type { NotificationKind } from '../../../../src/domain/notifications.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followUpIngest } from '../../../../src/services/ingest/ingest-follow-up.js';
import { ingestEmail, type IngestResult } from '../../../../src/services/ingest/ingest-email.js';
import { createUser } from '../../../helpers/api.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

// The notifications of received mail (issue 15), through real ingest and its follow-up work: a new
// ticket tells its team, a customer's reply tells the ticket's assignee; once each, however often
// the mail is fetched.
let fx: Awaited<ReturnType<typeof ingestFixture>>;
const ids: Record<string, Types.ObjectId> = {};
const desk = new Types.ObjectId();
const crowd = new Types.ObjectId();
const ingest = async (raw: Buffer) => {
  const r: IngestResult = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
  if (!('ticketId' in r)) throw new Error(JSON.stringify(r));
  return r.ticketId;
};
const notifications = (ticketId: Types.ObjectId, kind: NotificationKind) => fx.models.Notification.find({ ticketId, kind }).sort({ userId: 1 }).lean();
const date = (d: Date) => d.toUTCString();

beforeAll(async () => {
  fx = await ingestFixture('notify_received_mail');
  const followDeps = {
    ...fx.stores,
    scheduler: noJobs,
    compose,
    sign: fx.deps.sign,
    now: fx.deps.now,
    logger: testLogger,
    render: async () => ({ subject: '', html: '', text: '' }),
    ticketUrlBase: null,
  };
  fx.deps.followUp = (tickets) => followUpIngest(followDeps, tickets);
  for (const name of ['gina', 'lea', 'max']) {
    ids[name] = (await createUser(fx.models, { email: `${name}@example.test`, password: `${name} password 123`, inboxIds: [fx.inbox._id], name: name[0]!.toUpperCase() + name.slice(1) }))._id;
  }
  ids.bob = (await createUser(fx.models, { email: 'bob@example.test', password: 'bob password 123', inboxIds: [], name: 'Bob' }))._id;
  const many = await Promise.all([1, 2, 3, 4, 5].map((i) => createUser(fx.models, { email: `crowd${i}@example.test`, password: `crowd password ${i}23`, inboxIds: [] })));
  await fx.models.Team.create([
    { _id: desk, name: 'Desk', level: 'L1', inboxIds: [fx.inbox._id], memberIds: [ids.gina!, ids.lea!] },
    { _id: crowd, name: 'Crowd', level: 'L1', inboxIds: [fx.inbox._id], memberIds: [ids.max!, ...many.map((u) => u._id)] },
  ]);
  await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { defaultTeamId: desk } });
});
afterAll(() => fx.db.drop());

describe('a new ticket in a team', () => {
  it('tells each member of the inbox’s default team once, with the customer and the start of the mail', async () => {
    const raw = rawMail({ messageId: 'new-1@customer.test', subject: 'Printer on fire', from: 'Paul Martin <paul@customer.test>', body: 'The printer on floor 2 is smoking.', date: date(fx.clock.now) });
    const ticketId = await ingest(raw);
    await ingest(raw);
    const stored = await notifications(ticketId, 'team_new_ticket');
    expect(stored.map((n) => n.userId.toHexString()).sort()).toEqual([ids.gina!, ids.lea!].map(String).sort());
    for (const n of stored) {
      expect(n).toMatchObject({ ticketSubject: 'Printer on fire', mail: 'pending', data: { customer: 'Paul Martin', teamName: 'Desk', excerpt: 'The printer on floor 2 is smoking.' } });
    }
  });

  it('is listed but not mailed by default to the members of a team of more than five', async () => {
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { defaultTeamId: crowd } });
    try {
      const ticketId = await ingest(rawMail({ messageId: 'new-crowd@customer.test', subject: 'Scanner', date: date(fx.clock.now) }));
      const stored = await notifications(ticketId, 'team_new_ticket');
      expect(stored).toHaveLength(6);
      expect(new Set(stored.map((n) => n.mail))).toEqual(new Set(['skipped']));
    } finally {
      await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { defaultTeamId: desk } });
    }
  });

  it('tells no one of a mail from a backlog import (written days before it is ingested)', async () => {
    const old = new Date(fx.clock.now.getTime() - 3 * 86400_000);
    const ticketId = await ingest(rawMail({ messageId: 'old-1@customer.test', subject: 'Old problem', date: date(old) }));
    expect(await fx.models.Notification.countDocuments({ ticketId })).toBe(0);
  });
});

describe('a customer’s reply', () => {
  it('tells the ticket’s assignee once, with the reply’s own words; nobody else', async () => {
    const ticketId = await ingest(rawMail({ messageId: 'q-2@customer.test', subject: 'VPN drops', date: date(fx.clock.now) }));
    await fx.models.Ticket.updateOne({ _id: ticketId }, { $set: { assigneeId: ids.max } });
    const reply = rawMail({
      messageId: 'r-2@customer.test', subject: 'Re: VPN drops', inReplyTo: 'q-2@customer.test', from: 'Paul Martin <paul@customer.test>', date: date(fx.clock.now),
      body: 'It dropped again at 10:02.\r\n\r\nOn Mon, 3 Mar 2026 at 10:00, Support <support@example.test> wrote:\r\n> Does it still drop?',
    });
    expect(await ingest(reply)).toEqual(ticketId);
    await ingest(reply);
    const stored = await notifications(ticketId, 'customer_replied');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ userId: ids.max, mail: 'pending', data: { by: { name: 'Paul Martin', email: 'paul@customer.test' }, excerpt: 'It dropped again at 10:02.' } });
  });

  it('tells no one for an automated mail, or on a ticket nobody is assigned to', async () => {
    const ticketId = await ingest(rawMail({ messageId: 'q-3@customer.test', subject: 'Login', date: date(fx.clock.now) }));
    await ingest(rawMail({ messageId: 'r-3a@customer.test', subject: 'Re: Login', inReplyTo: 'q-3@customer.test', date: date(fx.clock.now) }));
    await fx.models.Ticket.updateOne({ _id: ticketId }, { $set: { assigneeId: ids.max } });
    await ingest(rawMail({ messageId: 'r-3b@customer.test', subject: 'Re: Login', inReplyTo: 'q-3@customer.test', date: date(fx.clock.now), headers: ['Auto-Submitted: auto-generated'] }));
    expect(await notifications(ticketId, 'customer_replied')).toEqual([]);
  });
});
