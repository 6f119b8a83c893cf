import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_JOB, notify, type NotificationEvent } from '../../../../src/services/notifications/notify.js';
import type { JobScheduler } from '../../../../src/services/ports.js';
import { createUser } from '../../../helpers/api.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const scheduled: Array<{ name: string; key?: string; at?: Date }> = [];
const scheduler: JobScheduler = {
  schedule: async (name, opts) => void scheduled.push({ name, key: opts.key, at: opts.at }),
  cancel: async () => {},
  cancelMatching: async () => {},
  replaceMatching: async () => {},
  scheduleRecurring: async () => {},
};
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const team = new Types.ObjectId();
const ids: Record<string, Types.ObjectId> = {};
const now = new Date();
const deps = () => ({ ...db.stores, scheduler, now: () => now });
const ticket = { _id: new Types.ObjectId(), number: 42, subject: 'Printer on fire', inboxId: inboxA, teamId: team };
const event = (over: Partial<NotificationEvent> = {}): NotificationEvent => ({
  kind: 'assigned', key: `assigned:${ticket._id.toHexString()}:1`, ticket, at: now, data: { by: { name: 'Ada' } }, userIds: [], ...over,
});

beforeAll(async () => {
  db = await openTestDb('notify');
  ids.ada = (await createUser(db.models, { email: 'ada@example.test', password: 'ada password 123', inboxIds: [inboxA], name: 'Ada' }))._id;
  ids.gina = (await createUser(db.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxA], name: 'Gina' }))._id;
  ids.quiet = (await createUser(db.models, { email: 'quiet@example.test', password: 'quiet password 123', inboxIds: [inboxA], name: 'Quiet' }))._id;
  ids.bob = (await createUser(db.models, { email: 'bob@example.test', password: 'bob password 123', inboxIds: [inboxB], name: 'Bob' }))._id;
  ids.lea = (await createUser(db.models, { email: 'lea@example.test', password: 'lea password 123', inboxIds: [], name: 'Léa' }))._id;
  ids.gone = (await createUser(db.models, { email: 'gone@example.test', password: 'gone password 123', inboxIds: [inboxA], name: 'Gone' }))._id;
  await db.models.User.updateOne({ _id: ids.gone }, { $set: { disabled: true } });
  await db.models.User.updateOne({ _id: ids.quiet }, { $set: { notify: { assigned: false } } });
  await db.models.Team.create({ _id: team, name: 'Network', level: 'L2', inboxIds: [inboxA], memberIds: [ids.lea] });
});
afterAll(() => db.drop());

describe('notify', () => {
  it('tells each person it concerns once, never the actor, a disabled user or someone who may not see the ticket', async () => {
    scheduled.length = 0;
    const all = [ids.ada!, ids.gina!, ids.quiet!, ids.bob!, ids.lea!, ids.gone!];
    await notify(deps(), [event({ userIds: all, actorId: ids.ada })]);
    await notify(deps(), [event({ userIds: all, actorId: ids.ada })]);
    const stored = await db.models.Notification.find({ ticketId: ticket._id }).lean();
    const byUser = new Map(stored.map((n) => [n.userId.toHexString(), n]));
    // Léa sees the ticket through its team; Bob is in another inbox; Gone is disabled; Ada did it.
    expect([...byUser.keys()].sort()).toEqual([ids.gina!, ids.quiet!, ids.lea!].map(String).sort());
    expect(stored).toHaveLength(3);
    expect(byUser.get(String(ids.gina))).toMatchObject({ kind: 'assigned', ticketNumber: 42, ticketSubject: 'Printer on fire', mail: 'pending', readAt: null, data: { by: { name: 'Ada' } } });
    // Quiet switched this kind off: listed in the app, not mailed, and no mail job for them.
    expect(byUser.get(String(ids.quiet))!.mail).toBe('skipped');
    const keys = new Set(scheduled.map((s) => `${s.name}:${s.key}`));
    const due = now.getTime() + 10_000;
    expect(keys).toEqual(new Set([`${NOTIFY_JOB}:${String(ids.gina)}:${due}`, `${NOTIFY_JOB}:${String(ids.lea)}:${due}`]));
    // The job waits for others of the same run (collect delay).
    for (const s of scheduled) expect(s.at!.getTime()).toBe(now.getTime() + 10_000);
  });

  it('follows the team size for new team tickets: off by default for a team of more than five', async () => {
    await notify(deps(), [event({ kind: 'team_new_ticket', key: 'team-new:1', userIds: [ids.lea!], context: { teamSize: 6 } })]);
    await notify(deps(), [event({ kind: 'team_new_ticket', key: 'team-new:2', userIds: [ids.lea!], context: { teamSize: 3 } })]);
    const mails = (await db.models.Notification.find({ userId: ids.lea, kind: 'team_new_ticket' }).sort({ key: 1 }).lean()).map((n) => n.mail);
    expect(mails).toEqual(['skipped', 'pending']);
  });
});
