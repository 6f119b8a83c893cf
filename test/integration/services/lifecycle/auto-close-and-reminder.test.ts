import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_JOB, planLifecycleBackfill } from '../../../../src/services/lifecycle/plan-lifecycle.js';
import { LIFECYCLE_BACKFILL_COLLECTION } from '../../../../src/store/migrations/0005-ticket-lifecycle.js';
import { runLifecycleStep } from '../../../../src/services/lifecycle/run-lifecycle.js';
import { replyToTicket } from '../../../../src/services/tickets/send-reply.js';
import { updateTicket } from '../../../../src/services/tickets/update-ticket.js';
import { DAY, lifecycleFixture } from './lifecycle-fixture.js';

let fx: Awaited<ReturnType<typeof lifecycleFixture>>;
const T0 = new Date('2026-11-21T09:00:00Z');
let n = 0;

beforeAll(async () => {
  fx = await lifecycleFixture('lifecycle_rules');
});
afterAll(() => fx.db.drop());

/** A new ticket from a customer's mail at T0; returns its id and the mail's Message-ID (to reply to). */
async function newTicket(): Promise<{ id: Types.ObjectId; messageId: string }> {
  n += 1;
  fx.clock.now = T0;
  const messageId = `case-${n}@customer.test`;
  return { id: await fx.mail({ messageId }), messageId };
}

const at = (ms: number) => {
  fx.clock.now = new Date(T0.getTime() + ms);
  return fx.clock.now;
};
const update = (id: Types.ObjectId, patch: Record<string, unknown>) => updateTicket(fx.actions, fx.agent, id.toHexString(), patch);
const run = (id: Types.ObjectId) => runLifecycleStep(fx.deps, id);

describe('auto-close', () => {
  it('closes a solved ticket after the inbox\'s days (4 by default) without a customer reply, once, naming the rule on the trail', async () => {
    const { id } = await newTicket();
    const solvedAt = at(60_000);
    await update(id, { status: 'solved' });
    const [job] = fx.scheduler.forTicket(LIFECYCLE_JOB, id);
    expect(job!.at).toEqual(new Date(solvedAt.getTime() + 4 * DAY));

    at(60_000 + 4 * DAY - 1000);
    expect(await run(id)).toBe('not-due');
    expect((await fx.ticket(id)).status).toBe('solved');

    const closedAt = at(60_000 + 4 * DAY);
    expect(await run(id)).toBe('closed');
    expect(await fx.ticket(id)).toMatchObject({ status: 'closed', solvedAt, closedAt });
    const [entry] = await fx.trail(id, 'auto_closed');
    expect(entry).toMatchObject({ actor: { kind: 'system', label: 'lifecycle' }, data: { rule: 'auto-close', days: 4 } });
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);

    // A retried or late run does nothing more.
    at(60_000 + 5 * DAY);
    expect(await run(id)).toBe('none');
    expect(await fx.trail(id, 'auto_closed')).toHaveLength(1);
  });

  it('does not close a ticket the customer answered: the reply reopens it and its job goes', async () => {
    const { id, messageId } = await newTicket();
    at(60_000);
    await update(id, { status: 'solved' });
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toHaveLength(1);
    at(2 * DAY);
    await fx.mail({ messageId: `reply-${n}@customer.test`, inReplyTo: messageId });
    expect((await fx.ticket(id)).status).toBe('open');
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);
    at(5 * DAY);
    expect(await run(id)).toBe('none');
    expect((await fx.ticket(id)).status).toBe('open');
    expect(await fx.trail(id, 'auto_closed')).toEqual([]);
  });

  it('does not close a ticket someone reopened, and solving it again starts the wait again', async () => {
    const { id } = await newTicket();
    at(60_000);
    await update(id, { status: 'solved' });
    at(DAY);
    await update(id, { status: 'open' });
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);
    at(4 * DAY + 60_000);
    expect(await run(id)).toBe('none');
    expect((await fx.ticket(id)).status).toBe('open');

    const solvedAgain = at(4 * DAY + 120_000);
    await update(id, { status: 'solved' });
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id).map((j) => j.at)).toEqual([new Date(solvedAgain.getTime() + 4 * DAY)]);
    at(6 * DAY);
    expect(await run(id)).toBe('not-due');
    at(8 * DAY + 120_000);
    expect(await run(id)).toBe('closed');
  });

  it('keeps solved a ticket a person wrote on after it was solved, and gives up that period', async () => {
    const { id } = await newTicket();
    at(60_000);
    await update(id, { status: 'solved' });
    // Mail the threading did not take as a reply (so nothing reopened), stored on the ticket.
    const wrote = at(DAY);
    await fx.models.Message.collection.insertOne({ ticketId: id, inboxId: fx.inbox._id, direction: 'inbound', text: 'One more thing', createdAt: wrote, updatedAt: wrote, flags: { autoSubmitted: false, bounce: false } });
    at(4 * DAY + 60_000);
    expect(await run(id)).toBe('kept');
    expect((await fx.ticket(id)).status).toBe('solved');
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);
  });

  it('follows the inbox: 0 never closes, and a longer delay holds back a job planned before', async () => {
    const { id } = await newTicket();
    at(60_000);
    await update(id, { status: 'solved' });
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { autoCloseAfterDays: 7 } });
    at(4 * DAY + 60_000);
    expect(await run(id)).toBe('not-due');
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id).map((j) => j.at)).toEqual([new Date(T0.getTime() + 60_000 + 7 * DAY)]);
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { autoCloseAfterDays: 0 } });
    at(7 * DAY + 60_000);
    expect(await run(id)).toBe('none');
    expect((await fx.ticket(id)).status).toBe('solved');
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $unset: { autoCloseAfterDays: 1 } });
  });
});

describe('pending reminder', () => {
  it('reminds the assignee once after the inbox\'s days (3 by default) pending, with a trail entry', async () => {
    const { id } = await newTicket();
    at(60_000);
    await update(id, { assigneeId: fx.gina._id.toHexString() });
    const pendingAt = at(120_000);
    // An admin's reply leaves the ticket pending (waiting on the customer).
    const admin = { userId: new Types.ObjectId(), role: 'admin' as const, inboxIds: [] };
    await updateTicket(fx.actions, admin, id.toHexString(), { status: 'pending' });
    expect((await fx.ticket(id)).pendingSince).toEqual(pendingAt);
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id).map((j) => j.at)).toEqual([new Date(pendingAt.getTime() + 3 * DAY)]);

    at(120_000 + 3 * DAY);
    expect(await run(id)).toBe('reminded');
    expect(await run(id)).toBe('none');
    const notes = await fx.models.Notification.find({ ticketId: id, kind: 'pending_reminder' }).lean();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.userId).toEqual(fx.gina._id);
    const entries = await fx.trail(id, 'pending_reminder');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.data).toMatchObject({ rule: 'pending-reminder', days: 3, notified: fx.gina._id });
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);
    expect((await fx.ticket(id)).status).toBe('pending');
  });

  it('leaving pending obsoletes the reminder; a new pending period reminds again', async () => {
    const { id, messageId } = await newTicket();
    at(60_000);
    await update(id, { assigneeId: fx.gina._id.toHexString() });
    const admin = { userId: new Types.ObjectId(), role: 'admin' as const, inboxIds: [] };
    await updateTicket(fx.actions, admin, id.toHexString(), { status: 'pending' });
    at(DAY);
    await fx.mail({ messageId: `wake-${n}@customer.test`, inReplyTo: messageId });
    expect((await fx.ticket(id)).status).toBe('open');
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id)).toEqual([]);
    at(3 * DAY + 60_000);
    expect(await run(id)).toBe('none');
    expect(await fx.models.Notification.countDocuments({ ticketId: id, kind: 'pending_reminder' })).toBe(0);

    const again = at(4 * DAY);
    await updateTicket(fx.actions, admin, id.toHexString(), { status: 'pending' });
    at(7 * DAY);
    expect(await run(id)).toBe('reminded');
    const [note] = await fx.models.Notification.find({ ticketId: id, kind: 'pending_reminder' }).lean();
    expect(note!.data).toMatchObject({ days: 3, pendingSince: again });
  });

  it('a pending ticket without an assignee notifies nobody, and says so on the trail once', async () => {
    const { id } = await newTicket();
    at(60_000);
    await update(id, { status: 'pending' });
    at(3 * DAY + 60_000);
    expect(await run(id)).toBe('reminded');
    expect(await run(id)).toBe('none');
    expect(await fx.models.Notification.countDocuments({ ticketId: id })).toBe(0);
    const entries = await fx.trail(id, 'pending_reminder');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.data).toMatchObject({ notified: null });
  });

  it('an agent\'s reply that leaves the ticket pending plans the reminder from the reply', async () => {
    const { id } = await newTicket();
    const repliedAt = at(60_000);
    await replyToTicket(fx.actions, fx.agent, id.toHexString(), { form: { text: 'Could you send a photo?' } });
    expect((await fx.ticket(id)).status).toBe('pending');
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id).map((j) => j.at)).toEqual([new Date(repliedAt.getTime() + 3 * DAY)]);
  });
});

describe('tickets stored before lifecycle automation', () => {
  it('get their jobs planned once from the list the upgrade made, which then empties', async () => {
    const { id } = await newTicket();
    const solvedAt = at(60_000);
    // Solved by an older version: no job was planned.
    await fx.models.Ticket.updateOne({ _id: id }, { $set: { status: 'solved', solvedAt } });
    const queue = fx.db.connection.db!.collection<{ _id: Types.ObjectId }>(LIFECYCLE_BACKFILL_COLLECTION);
    await queue.insertMany([{ _id: id }, { _id: new Types.ObjectId() }]);
    expect(await planLifecycleBackfill(fx.deps, 1)).toBe(2);
    expect(fx.scheduler.forTicket(LIFECYCLE_JOB, id).map((j) => j.at)).toEqual([new Date(solvedAt.getTime() + 4 * DAY)]);
    expect(await queue.countDocuments()).toBe(0);
    expect(await planLifecycleBackfill(fx.deps)).toBe(0);
  });
});
