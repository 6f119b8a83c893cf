import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY, type SlaPolicy, type SlaTargets } from '../../../../src/domain/sla.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../../../../src/domain/ticket-status.js';
import type { Actor } from '../../../../src/services/access.js';
import { refreshSla, refreshSlaMany, type SlaDeps } from '../../../../src/services/sla/refresh-sla.js';
import { deleteTeam, updateTeam } from '../../../../src/services/teams/teams.js';
import { updateTicket, type UpdateTicketDeps } from '../../../../src/services/tickets/update-ticket.js';
import type { JobScheduler } from '../../../../src/services/ports.js';
import { clockNearRealTime } from '../../../helpers/clock.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

const H = 3600;
const same = (t: SlaTargets) => Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, t])) as Record<TicketPriority, SlaTargets>;
/** L2 answers an urgent ticket within 15 minutes and solves it within 2 hours; the priority targets say 1 h and 8 h. */
const policy: SlaPolicy = {
  ...DEFAULT_SLA_POLICY,
  levelTargets: { L2: { ...same({ firstResponseSeconds: 4 * H, nextResponseSeconds: 4 * H, resolutionSeconds: 48 * H }), urgent: { firstResponseSeconds: 15 * 60, nextResponseSeconds: 30 * 60, resolutionSeconds: 2 * H } } },
};

let db: Awaited<ReturnType<typeof openTestDb>>;
let slaDeps: SlaDeps;
let ticketDeps: UpdateTicketDeps;
let inboxId: Types.ObjectId;
let network: Types.ObjectId;
let desk: Types.ObjectId;
const now = clockNearRealTime();
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
/** Each ticket's pending SLA timer, as the scheduler holds it. */
const timers = new Map<string, Date>();
/** Tickets whose clocks were re-planned, in order. */
const replanned: string[] = [];

beforeAll(async () => {
  db = await openTestDb('sla_level_targets');
  const scheduler: JobScheduler = {
    ...noJobs,
    schedule: async (_name, opts) => void timers.set(String(opts.data?.ticketId), opts.at!),
    cancelMatching: async (_name, data) => void timers.delete(String(data.ticketId)),
    replaceMatching: async (_name, _field, values, wanted) => {
      for (const id of values) timers.delete(id);
      for (const w of wanted) timers.set(w.data.ticketId!, w.at);
    },
  };
  slaDeps = { ...db.stores, scheduler, compose, sign: () => '', now: () => now, render: async () => ({ subject: '', html: '', text: '' }), logger: testLogger, ticketUrlBase: null };
  const replan = async (id: Types.ObjectId) => {
    replanned.push(id.toHexString());
    await refreshSla(slaDeps, id);
  };
  ticketDeps = { ...db.stores, scheduler, now: () => now, refreshSla: replan };
  inboxId = (await db.models.Inbox.create({ name: 'Support', address: 'support@levels.test', imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 }, sla: policy }))._id;
  network = (await db.stores.teams.create({ name: 'Network', level: 'L2', memberIds: [], inboxIds: [inboxId] }))._id;
  desk = (await db.stores.teams.create({ name: 'Desk', level: 'L1', memberIds: [], inboxIds: [inboxId] }))._id;
});
afterAll(() => db.drop());

let number = 0;
async function newTicket(fields: { status?: string; teamId?: Types.ObjectId } = {}): Promise<string> {
  number += 1;
  const teamId = fields.teamId ?? null;
  const { insertedId } = await db.models.Ticket.collection.insertOne({
    number, inboxId, teamId, subject: `Case ${number}`, baseSubject: `case ${number}`, status: fields.status ?? 'open', priority: 'urgent', requester: { email: 'c@customer.test' },
    participants: [], tags: [], messageCount: 1, lastActivityAt: now, linkedTicketIds: [], flags: { autoSubmitted: false }, sla: { pausedSeconds: 0, escalationLevel: 0, done: [] },
    access: teamId ? [`inbox:${inboxId.toHexString()}`, `team:${teamId.toHexString()}`] : [`inbox:${inboxId.toHexString()}`], mergedIntoId: null, createdAt: now, updatedAt: now,
  });
  return insertedId.toHexString();
}
const dueTimes = async (id: string) => {
  const sla = (await db.models.Ticket.findById(id).lean())!.sla;
  return { first: sla?.firstResponseDueAt ?? null, resolution: sla?.resolutionDueAt ?? null };
};
/** The priority targets of an urgent ticket (1 h, 8 h) and the L2 ones (15 min, 2 h). */
const PRIORITY_DUE = { first: at(H), resolution: at(8 * H) };
const L2_DUE = { first: at(15 * 60), resolution: at(2 * H) };

describe('SLA targets per support level', () => {
  it('a ticket moved to an L2 team gets the L2 due times and timer; moved back to no team, the priority targets', async () => {
    const id = await newTicket();
    await refreshSla(slaDeps, new Types.ObjectId(id));
    expect(await dueTimes(id)).toEqual(PRIORITY_DUE);

    await updateTicket(ticketDeps, admin, id, { teamId: network.toHexString() });
    expect(await dueTimes(id)).toEqual(L2_DUE);
    // The timer waits for the reminder at 75% of the L2 first-response target.
    expect(timers.get(id)).toEqual(at(0.75 * 15 * 60));

    await updateTicket(ticketDeps, admin, id, { teamId: null });
    expect(await dueTimes(id)).toEqual(PRIORITY_DUE);
    expect(timers.get(id)).toEqual(at(0.75 * H));
  });

  it('a team of a level without its own targets uses the priority targets', async () => {
    const id = await newTicket();
    await updateTicket(ticketDeps, admin, id, { teamId: desk.toHexString() });
    expect(await dueTimes(id)).toEqual(PRIORITY_DUE);
  });

  it("a team's level change re-plans its active tickets at once, and only those", async () => {
    const team = (await db.stores.teams.create({ name: 'Field', level: 'L1', memberIds: [], inboxIds: [inboxId] }))._id;
    const active = await newTicket({ teamId: team });
    const pending = await newTicket({ teamId: team, status: 'pending' });
    const solved = await newTicket({ teamId: team, status: 'solved' });
    const elsewhere = await newTicket({ teamId: desk });
    await refreshSlaMany(slaDeps, [active, pending, solved, elsewhere].map((id) => new Types.ObjectId(id)));
    expect(await dueTimes(active)).toEqual(PRIORITY_DUE);

    replanned.length = 0;
    await updateTeam({ ...db.stores, refreshSla: ticketDeps.refreshSla }, admin, team.toHexString(), { level: 'L2' });
    expect(await dueTimes(active)).toEqual(L2_DUE);
    expect(timers.get(active)).toEqual(at(0.75 * 15 * 60));
    expect([...replanned].sort()).toEqual([active, pending].sort());
    expect(await dueTimes(elsewhere)).toEqual(PRIORITY_DUE);

    // A rename keeps the level: nothing to re-plan.
    replanned.length = 0;
    await updateTeam({ ...db.stores, refreshSla: ticketDeps.refreshSla }, admin, team.toHexString(), { name: 'Field L2', level: 'L2' });
    expect(replanned).toEqual([]);

    // A removed team leaves its tickets without a level: back on the priority targets.
    await deleteTeam({ ...db.stores, refreshSla: ticketDeps.refreshSla }, admin, team.toHexString());
    expect(await dueTimes(active)).toEqual(PRIORITY_DUE);
  });

  it('plans a batch of tickets of different levels on their own targets', async () => {
    const ids = [await newTicket({ teamId: network }), await newTicket(), await newTicket({ teamId: network })];
    await refreshSlaMany(slaDeps, ids.map((id) => new Types.ObjectId(id)));
    expect(await Promise.all(ids.map(dueTimes))).toEqual([L2_DUE, PRIORITY_DUE, L2_DUE]);
    expect(ids.map((id) => timers.get(id))).toEqual([at(0.75 * 15 * 60), at(0.75 * H), at(0.75 * 15 * 60)]);
  });
});
