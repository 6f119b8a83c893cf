import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TICKET_AGE_BUCKETS, ticketAgeBucket } from '../../../../src/domain/ticket-age.js';
import type { Actor } from '../../../../src/services/access.js';
import { teamLoad, type TeamLoadDeps } from '../../../../src/services/teams/team-load.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

const DAY = 86_400_000;
let db: Awaited<ReturnType<typeof openTestDb>>;
let number = 0;
const inbox = new Types.ObjectId();
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

beforeAll(async () => {
  db = await openTestDb('team_load');
  await db.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@team-load.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
});
afterAll(() => db.drop());

const ticket = (fields: Record<string, unknown>) =>
  db.models.Ticket.create({ number: ++number, inboxId: inbox, subject: `T${number}`, requester: { email: `c${number}@team-load.test` }, status: 'open', ...fields });

/** The use case on the real stores, at a fixed `now`, with spies on the reads whose count matters. */
function deps(now: Date) {
  const load = vi.fn(db.stores.tickets.loadByAssigneeAndTeam);
  const users = vi.fn(db.stores.users.listAvailabilityByIds);
  const d: TeamLoadDeps = { tickets: { loadByAssigneeAndTeam: load }, users: { listAvailabilityByIds: users }, teams: db.stores.teams, inboxes: db.stores.inboxes, now: () => now };
  return { d, load, users };
}

describe('teamLoad', () => {
  it('puts a ticket in the age bucket of the ticket list’s age filter, also exactly on a bound', async () => {
    const now = new Date(Date.now() - 12 * 3_600_000);
    const team = await db.models.Team.create({ name: 'Ages', level: 'L3', inboxIds: [inbox] });
    // Exactly 1, 3 and 7 days old belong to the older bucket; a creation in the future counts as new.
    const ages = [-60_000, 0, DAY - 1, DAY, 2 * DAY, 3 * DAY, 7 * DAY - 1, 7 * DAY, 30 * DAY];
    for (const age of ages) await ticket({ teamId: team._id, createdAt: new Date(now.getTime() - age) });
    const { d } = deps(now);
    const section = (await teamLoad(d, admin)).teams.find((t) => t.name === 'Ages')!;
    const expected = Object.fromEntries(TICKET_AGE_BUCKETS.map((b) => [b, 0]));
    for (const age of ages) expected[ticketAgeBucket(new Date(now.getTime() - age), now)]! += 1;
    expect(expected).toEqual({ 'under-1d': 3, '1-3d': 2, '3-7d': 2, 'over-7d': 2 });
    expect(section.unassigned.age).toEqual(expected);
    expect(section.total.total).toBe(ages.length);
    await db.models.Ticket.deleteMany({ teamId: team._id });
    await db.models.Team.deleteOne({ _id: team._id });
  });

  it('reads the backlog once and the users once, however many agents there are', async () => {
    const members = await db.models.User.insertMany(
      Array.from({ length: 12 }, (_, i) => ({ email: `m${i}@team-load.test`, name: `Member ${String(i).padStart(2, '0')}`, role: 'agent', passwordHash: 'x', inboxIds: [inbox] })),
    );
    const team = await db.models.Team.create({ name: 'Many', level: 'L1', inboxIds: [inbox], memberIds: members.map((m) => m._id) });
    for (const [i, m] of members.entries()) await ticket({ teamId: team._id, assigneeId: m._id, priority: i % 2 ? 'high' : 'low', createdAt: new Date() });
    const { d, load, users } = deps(new Date());
    const view = await teamLoad(d, admin);
    expect(load).toHaveBeenCalledTimes(1);
    expect(users).toHaveBeenCalledTimes(1);
    const many = view.teams.find((t) => t.name === 'Many')!;
    expect(many.agents.map((a) => a.name)).toEqual(members.map((m) => m.name));
    expect(many.total.priority).toEqual({ urgent: 0, high: 6, normal: 0, low: 6 });
    expect(many.agents.every((a) => a.member && a.counts.total === 1)).toBe(true);
    await db.models.Ticket.deleteMany({ teamId: team._id });
    await db.models.Team.deleteOne({ _id: team._id });
  });

  it('counts the tickets of a deleted team with those without a team; a manager without inboxes sees nothing; agents are refused', async () => {
    const gone = new Types.ObjectId();
    await ticket({ teamId: gone, priority: 'urgent', createdAt: new Date() });
    const { d } = deps(new Date());
    const view = await teamLoad(d, admin);
    expect(view.teams.map((t) => t.id)).not.toContain(gone.toHexString());
    expect(view.noTeam.unassigned.priority.urgent).toBe(1);

    const lonely = await teamLoad(d, { userId: new Types.ObjectId(), role: 'manager', inboxIds: [] });
    expect(lonely.teams).toEqual([]);
    expect(lonely.noTeam).toMatchObject({ agents: [], total: { total: 0 } });

    const refused = await appErrorFrom(teamLoad(d, { userId: new Types.ObjectId(), role: 'agent', inboxIds: [inbox] }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', key: 'forbidden.teamLoadForManagers' });
  });
});
