import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE_TICKET_STATUSES } from '../../../../src/domain/ticket-status.js';
import type { Actor } from '../../../../src/services/access.js';
import { refillAfterTicketChange, refillTeamsOfMember, type RefillDeps } from '../../../../src/services/teams/assignment-refill.js';
import { autoAssignTicket } from '../../../../src/services/teams/auto-assign-ticket.js';
import { updateTicket, type UpdateTicketDeps } from '../../../../src/services/tickets/update-ticket.js';
import { connectMongo } from '../../../../src/store/database.js';
import { createModels } from '../../../../src/store/models/index.js';
import { createStores } from '../../../../src/store/stores.js';
import { createUser } from '../../../helpers/api.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let second: Connection;
let deps: RefillDeps;
let otherDeps: RefillDeps;
const inboxId = new Types.ObjectId();
const now = new Date('2026-11-21T09:00:00Z');
let number = 0;
let teamCount = 0;

beforeAll(async () => {
  db = await openTestDb('auto_assign');
  deps = { ...db.stores, scheduler: noJobs, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))) };
  // A second connection of its own: a worker in another process.
  second = await connectMongo(db.uri, { serverSelectionTimeoutMs: 5000, dbName: db.connection.name }, testLogger);
  otherDeps = { ...createStores(createModels(second)), scheduler: noJobs };
  await db.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@auto-assign.test', imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
});
afterAll(async () => {
  await second.close();
  await db.drop();
});

/** A team of `names` (agents of the inbox) handing out tickets in `mode` with `cap`. */
async function team(names: string[], mode: 'round_robin' | 'least_open', cap: number | null = null) {
  const tag = `t${++teamCount}`;
  const members: Array<{ _id: Types.ObjectId }> = [];
  for (const name of names) members.push(await createUser(db.models, { email: `${name}.${tag}@auto-assign.test`, password: 'a password 12345', inboxIds: [inboxId], name }));
  const doc = await db.models.Team.create({ name: `Team ${tag}`, level: 'L1', inboxIds: [inboxId], memberIds: members.map((m) => m._id), assignment: { mode, cap, pointer: 0 } });
  const byName = Object.fromEntries(names.map((n, i) => [n, members[i]!._id])) as Record<string, Types.ObjectId>;
  return { id: doc._id, members: byName, nameOf: (id: Types.ObjectId | null) => names.find((n) => byName[n]!.equals(id ?? '')) ?? null };
}

const newTicket = async (teamId: Types.ObjectId) =>
  (await db.models.Ticket.create({ number: ++number, inboxId, teamId, subject: `Ticket ${number}`, requester: { email: 'paul@customer.test' }, status: 'new', lastActivityAt: now }))._id;

const openCounts = async (teamId: Types.ObjectId) => Object.fromEntries(await db.stores.tickets.countOpenOfTeamByAssignee(teamId));

describe('autoAssignTicket', () => {
  it('hands out tickets in turns, passing over an agent away, with the trail saying so', async () => {
    const t = await team(['ann', 'bob', 'cat'], 'round_robin');
    await db.models.User.updateOne({ _id: t.members.bob }, { $set: { away: true, awaySince: now } });
    const got: Array<string | null> = [];
    for (let i = 0; i < 4; i++) {
      const ticketId = await newTicket(t.id);
      const res = await autoAssignTicket(deps, ticketId, t.id, { now, by: 'test' });
      expect(res.waiting).toBe(false);
      got.push(t.nameOf(res.assigneeId));
      expect((await db.models.Ticket.findById(ticketId).lean())!.assigneeId).toEqual(res.assigneeId);
    }
    expect(got).toEqual(['ann', 'cat', 'ann', 'cat']);
    const last = await db.models.TicketEvent.findOne({ type: 'auto_assigned' }).sort({ _id: -1 }).lean();
    expect(last).toMatchObject({ actor: { kind: 'system' }, data: { to: t.members.cat, teamId: t.id, name: expect.stringMatching(/^Team /), by: 'test' } });
    // The assignee is told, as for an agent's assignment.
    expect(await db.models.Notification.countDocuments({ userId: t.members.ann, kind: 'assigned' })).toBe(2);
    // The pointer is stored on the team: the next turn is ann's.
    expect((await db.models.Team.findById(t.id).lean())!.assignment!.pointer % 3).toBe(0);
  });

  it('gives the fewest open under least_open, and leaves alone a ticket already assigned or in another team', async () => {
    const t = await team(['dan', 'eve'], 'least_open');
    for (let i = 0; i < 2; i++) await db.models.Ticket.create({ number: ++number, inboxId, teamId: t.id, subject: 'old', requester: { email: 'x@customer.test' }, status: 'open', assigneeId: t.members.dan });
    const ticketId = await newTicket(t.id);
    expect(t.nameOf((await autoAssignTicket(deps, ticketId, t.id, { now })).assigneeId)).toBe('eve');
    // Again: already assigned, it keeps its assignee and nothing is recorded twice.
    expect(t.nameOf((await autoAssignTicket(deps, ticketId, t.id, { now })).assigneeId)).toBe('eve');
    expect(await db.models.TicketEvent.countDocuments({ ticketId, type: 'auto_assigned' })).toBe(1);
    const elsewhere = await newTicket(new Types.ObjectId());
    expect(await autoAssignTicket(deps, elsewhere, t.id, { now })).toEqual({ assigneeId: null, waiting: false });
  });

  it('never exceeds the cap when workers of two processes assign at once; the rest wait, oldest first', async () => {
    const t = await team(['fay', 'gus', 'hal'], 'round_robin', 2);
    const ids: Types.ObjectId[] = [];
    for (let i = 0; i < 10; i++) ids.push(await newTicket(t.id));
    const results = await Promise.all(ids.map((id, i) => autoAssignTicket(i % 2 ? otherDeps : deps, id, t.id, { now: new Date(now.getTime() + i) })));
    expect(Object.values(await openCounts(t.id)).sort()).toEqual([2, 2, 2]);
    expect(results.filter((r) => r.assigneeId).length).toBe(6);
    expect(results.filter((r) => r.waiting).length).toBe(4);
    const waiting = await db.stores.tickets.listWaitingOfTeam(t.id, 10);
    expect(waiting).toHaveLength(4);
    expect(await db.models.TicketEvent.countDocuments({ ticketId: { $in: ids }, type: 'assignment_waiting' })).toBe(4);
    // The lease is given back.
    expect((await db.models.Team.findById(t.id).lean())!.assignmentLease).toBeNull();
  });

  it('keeps round-robin fair under concurrency: 12 tickets at once, 4 each', async () => {
    const t = await team(['ian', 'jo', 'kim'], 'round_robin');
    const ids: Types.ObjectId[] = [];
    for (let i = 0; i < 12; i++) ids.push(await newTicket(t.id));
    await Promise.all(ids.map((id, i) => autoAssignTicket(i % 2 ? otherDeps : deps, id, t.id, { now })));
    expect(Object.values(await openCounts(t.id))).toEqual([4, 4, 4]);
  });

  it('assigns a waiting ticket when an agent solves one of theirs, and when an agent comes back from away', async () => {
    const t = await team(['lea', 'max'], 'round_robin', 1);
    const first = await newTicket(t.id);
    const second = await newTicket(t.id);
    const third = await newTicket(t.id);
    const fourth = await newTicket(t.id);
    for (const [i, id] of [first, second, third, fourth].entries()) await autoAssignTicket(deps, id, t.id, { now: new Date(now.getTime() + i * 1000) });
    expect((await db.models.Ticket.findById(third).lean())!.assignment).toMatchObject({ waitingTeamId: t.id });
    expect((await db.models.Ticket.findById(fourth).lean())!.assignment).toMatchObject({ waitingTeamId: t.id });

    // Lea solves her ticket through the ticket page's use case; its follow-up refills the team.
    const lea: Actor = { userId: t.members.lea!, role: 'agent', inboxIds: [inboxId], teamIds: [t.id] };
    const update: UpdateTicketDeps = { ...db.stores, scheduler: noJobs, now: () => now, refreshSla: async () => {}, afterAgentAction: async (id) => void (await refillAfterTicketChange(deps, id, { now })) };
    const leaTicket = (await db.models.Ticket.findOne({ _id: { $in: [first, second] }, assigneeId: t.members.lea }).lean())!;
    await updateTicket(update, lea, leaTicket._id.toHexString(), { status: 'solved' });
    // The oldest waiting one goes first, to Lea, whose place freed.
    const thirdNow = (await db.models.Ticket.findById(third).lean())!;
    expect(thirdNow.assigneeId).toEqual(t.members.lea);
    expect(thirdNow.assignment ?? null).toBeNull();
    expect((await db.models.Ticket.findById(fourth).lean())!.assigneeId ?? null).toBeNull();

    // Refilling again changes nothing (idempotent).
    expect(await refillAfterTicketChange(deps, leaTicket._id, { now })).toBe(0);

    // Max goes away, the cap rises to 2, and Max comes back: the last waiting ticket goes to whoever is free.
    await db.models.User.updateOne({ _id: t.members.max }, { $set: { away: true } });
    await db.models.Team.updateOne({ _id: t.id }, { $set: { 'assignment.cap': 2 } });
    expect(await refillTeamsOfMember(deps, t.members.lea!, { now })).toBe(1);
    expect((await db.models.Ticket.findById(fourth).lean())!.assigneeId).toEqual(t.members.lea);
    expect(await db.models.Ticket.countDocuments({ 'assignment.waitingTeamId': t.id })).toBe(0);
  });

  it('a ticket waiting for a team that all went away is assigned when one comes back', async () => {
    const t = await team(['ned', 'ola'], 'least_open');
    await db.models.User.updateMany({ _id: { $in: Object.values(t.members) } }, { $set: { away: true } });
    const ticketId = await newTicket(t.id);
    expect(await autoAssignTicket(deps, ticketId, t.id, { now })).toEqual({ assigneeId: null, waiting: true });
    await db.models.User.updateOne({ _id: t.members.ola }, { $set: { away: false } });
    expect(await refillTeamsOfMember(deps, t.members.ola!, { now })).toBe(1);
    const ticket = (await db.models.Ticket.findById(ticketId).lean())!;
    expect(ticket.assigneeId).toEqual(t.members.ola);
    expect((ACTIVE_TICKET_STATUSES as readonly string[]).includes(ticket.status)).toBe(true);
  });

  it('takes the waiting mark off a ticket assigned by hand', async () => {
    const t = await team(['pia'], 'round_robin', 0);
    const ticketId = await newTicket(t.id);
    expect((await autoAssignTicket(deps, ticketId, t.id, { now })).waiting).toBe(true);
    await db.stores.tickets.write(ticketId, { changes: { assigneeId: t.members.pia } });
    expect((await db.models.Ticket.findById(ticketId).lean())!.assignment ?? null).toBeNull();
  });
});
