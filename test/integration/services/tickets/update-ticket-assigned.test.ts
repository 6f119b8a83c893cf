import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { NOTIFY_JOB } from '../../../../src/services/notifications/notify.js';
import type { JobScheduler } from '../../../../src/services/ports.js';
import { updateTicket, type UpdateTicketDeps } from '../../../../src/services/tickets/update-ticket.js';
import { createUser } from '../../../helpers/api.js';
import { openTestDb } from '../../../helpers/db.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

// The `assigned` notification (issue 15): the new assignee hears of it, once, unless they took the ticket themselves.
let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: UpdateTicketDeps;
const scheduled: string[] = [];
const scheduler: JobScheduler = { ...noJobs, schedule: async (name, opts) => void scheduled.push(`${name}:${opts.key}`) };
const inboxId = new Types.ObjectId();
let now = new Date('2026-11-21T09:00:00Z');
const users: Record<string, { _id: Types.ObjectId; inboxIds: Types.ObjectId[] }> = {};
let number = 0;
const actor = (name: string): Actor => ({ userId: users[name]!._id, role: 'agent', inboxIds: [inboxId] });
const newTicket = async () => (await db.models.Ticket.create({ number: ++number, inboxId, subject: `Ticket ${number}`, requester: { email: 'paul@customer.test', name: 'Paul' }, status: 'open', lastActivityAt: now }))._id;
const notificationsOf = (ticketId: Types.ObjectId) => db.models.Notification.find({ ticketId, kind: 'assigned' }).lean();

beforeAll(async () => {
  db = await openTestDb('update_ticket_assigned');
  deps = { ...db.stores, scheduler, now: () => now, refreshSla: async () => {} };
  await db.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@assigned.test', imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  for (const name of ['ada', 'gina', 'quiet']) {
    users[name] = await createUser(db.models, { email: `${name}@assigned.test`, password: `${name} password 123`, inboxIds: [inboxId], name: name[0]!.toUpperCase() + name.slice(1) });
  }
  await db.models.User.updateOne({ _id: users.quiet!._id }, { $set: { notify: { assigned: false } } });
});
afterAll(() => db.drop());

describe('updateTicket: the assigned notification', () => {
  it('tells the new assignee who assigned them, and schedules their mail', async () => {
    const ticketId = await newTicket();
    scheduled.length = 0;
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.gina!._id.toHexString() });
    const [n, ...more] = await notificationsOf(ticketId);
    expect(more).toEqual([]);
    expect(n).toMatchObject({ userId: users.gina!._id, kind: 'assigned', ticketNumber: number, ticketSubject: `Ticket ${number}`, inboxId, mail: 'pending', readAt: null, data: { by: { id: users.ada!._id.toHexString(), name: 'Ada' } } });
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.startsWith(`${NOTIFY_JOB}:${users.gina!._id.toHexString()}`)).toBe(true);
  });

  it('records nothing more when the same change is sent again, and nothing when someone takes the ticket themselves', async () => {
    const ticketId = await newTicket();
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.gina!._id.toHexString() });
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.gina!._id.toHexString(), tags: ['vpn'] });
    expect(await notificationsOf(ticketId)).toHaveLength(1);

    const mine = await newTicket();
    await updateTicket(deps, actor('gina'), mine.toHexString(), { assigneeId: users.gina!._id.toHexString() });
    expect(await notificationsOf(mine)).toEqual([]);
    // Unassigning tells no one.
    await updateTicket(deps, actor('ada'), mine.toHexString(), { assigneeId: null });
    expect(await db.models.Notification.countDocuments({ ticketId: mine })).toBe(0);
  });

  it('tells them again when the ticket comes back to them later, as a new event', async () => {
    const ticketId = await newTicket();
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.gina!._id.toHexString() });
    now = new Date(now.getTime() + 60_000);
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.ada!._id.toHexString() });
    now = new Date(now.getTime() + 60_000);
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.gina!._id.toHexString() });
    const stored = await notificationsOf(ticketId);
    expect(stored.map((n) => n.userId.toHexString())).toEqual([users.gina!._id.toHexString(), users.gina!._id.toHexString()]);
  });

  it('lists the assignment for someone who switched the kind off, without mailing it', async () => {
    const ticketId = await newTicket();
    scheduled.length = 0;
    await updateTicket(deps, actor('ada'), ticketId.toHexString(), { assigneeId: users.quiet!._id.toHexString() });
    expect((await notificationsOf(ticketId)).map((n) => n.mail)).toEqual(['skipped']);
    expect(scheduled).toEqual([]);
  });
});
