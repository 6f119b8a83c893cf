import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY, type SlaPolicy, type SlaTargets } from '../../../../src/domain/sla.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../../../../src/domain/ticket-status.js';
import type { Actor } from '../../../../src/services/access.js';
import { refreshSla, runSlaTimer, type SlaDeps } from '../../../../src/services/sla/refresh-sla.js';
import { addNote } from '../../../../src/services/tickets/add-note.js';
import { escalateTicket, escalationOptions, type EscalateTicketDeps } from '../../../../src/services/tickets/escalate-ticket.js';
import { getTicket } from '../../../../src/services/tickets/get-ticket.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { updateTicket, type UpdateTicketDeps } from '../../../../src/services/tickets/update-ticket.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { clockNearRealTime } from '../../../helpers/clock.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';
import type { Stores } from '../../../../src/store/stores.js';

const H = 3600;
const same = (t: SlaTargets) => Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, t])) as Record<TicketPriority, SlaTargets>;
/** Priority targets 1 h / 8 h; L2 answers within 15 min and solves within 2 h. The ladder moves a breached ticket to L3 a minute after the breach. */
const policy: SlaPolicy = {
  ...DEFAULT_SLA_POLICY,
  targets: same({ firstResponseSeconds: H, nextResponseSeconds: 2 * H, resolutionSeconds: 8 * H }),
  levelTargets: { L2: same({ firstResponseSeconds: 15 * 60, nextResponseSeconds: 30 * 60, resolutionSeconds: 2 * H }) },
  ladder: [{ level: 1, name: 'Experts on call', userIds: [], afterSeconds: 60, escalateTo: 'L3' }],
};

let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: Stores & EscalateTicketDeps & UpdateTicketDeps & SlaDeps;
const start = clockNearRealTime();
let now = start;
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
const inboxId = new Types.ObjectId();
const [desk, network, servers, experts] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
const lea = new Types.ObjectId();
const max = new Types.ObjectId();
/** Léa works the Desk (L1) team only: she sees the inbox's tickets through it, not as an inbox member. */
const leaActor: Actor = { userId: lea, role: 'agent', inboxIds: [], teamIds: [desk] };
/** Max is in Network (L2), also through his team only. */
const maxActor: Actor = { userId: max, role: 'agent', inboxIds: [], teamIds: [network] };

beforeAll(async () => {
  db = await openTestDb('escalate_ticket');
  deps = {
    ...db.stores, scheduler: noJobs, compose, sign: () => '', now: () => now, render: async () => ({ subject: '', html: '', text: '' }), logger: testLogger, ticketUrlBase: null,
    refreshSla: (id) => refreshSla(deps, id),
  };
  await db.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@escalate.test', imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 }, sla: policy });
  await db.models.User.create([
    { _id: lea, email: 'lea@escalate.test', role: 'agent', inboxIds: [], passwordHash: 'x' },
    { _id: max, email: 'max@escalate.test', role: 'agent', inboxIds: [], passwordHash: 'x' },
  ]);
  await db.models.Team.create([
    { _id: desk, name: 'Desk', level: 'L1', memberIds: [lea], inboxIds: [inboxId] },
    { _id: network, name: 'Network', level: 'L2', memberIds: [max], inboxIds: [inboxId] },
    { _id: servers, name: 'Servers', level: 'L2', memberIds: [], inboxIds: [inboxId] },
    { _id: experts, name: 'Experts', level: 'L3', memberIds: [max], inboxIds: [inboxId] },
  ]);
});
afterAll(() => db.drop());

/** Fails unless `promise` rejects with this code (and, given, this catalog key or these invalid fields). */
async function expectAppError(promise: Promise<unknown>, code: string, want: { path?: string; key?: string } = {}) {
  const err = await appErrorFrom(promise);
  expect(err.code).toBe(code);
  if (want.key) expect(err.key).toBe(want.key);
  if (want.path) expect(((err.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path)).toEqual([want.path]);
}

let number = 0;
async function newTicket(fields: { teamId?: Types.ObjectId | null; assigneeId?: Types.ObjectId | null } = {}): Promise<string> {
  number += 1;
  const ticket = await db.models.Ticket.create({
    number, inboxId, teamId: fields.teamId === undefined ? desk : fields.teamId, assigneeId: fields.assigneeId ?? null, subject: `Case ${number}`, status: 'open', priority: 'urgent',
    requester: { email: 'c@customer.test' }, lastActivityAt: start, createdAt: start,
  });
  await refreshSla(deps, ticket._id);
  return ticket._id.toHexString();
}
const read = async (id: string) => (await db.models.Ticket.findById(id).lean())!;
const trail = async (id: string) => db.models.TicketEvent.find({ ticketId: new Types.ObjectId(id) }).sort({ _id: 1 }).lean();

describe('escalating a ticket to the next level', () => {
  it('requires a note, and a choice when several teams work the inbox at the next level', async () => {
    now = start;
    const id = await newTicket();
    await expectAppError(escalateTicket(deps, leaActor, id, { note: '  ', teamId: network.toHexString() }), 'VALIDATION_FAILED', { path: 'note' });
    await expectAppError(escalateTicket(deps, leaActor, id, { note: 'Router is down' }), 'VALIDATION_FAILED', { path: 'teamId' });
    await expectAppError(escalateTicket(deps, leaActor, id, { note: 'Router is down', teamId: experts.toHexString() }), 'VALIDATION_FAILED', { path: 'teamId' });
    expect((await read(id)).teamId?.equals(desk)).toBe(true);
    expect(await escalationOptions(deps, leaActor, id)).toEqual({ level: 'L2', teams: [{ id: network.toHexString(), name: 'Network', level: 'L2' }, { id: servers.toHexString(), name: 'Servers', level: 'L2' }] });
  });

  it('moves it to the chosen team, keeps it visible to the old one, clears an assignee who is not in the new team, and records the note and the move', async () => {
    now = start;
    const id = await newTicket({ assigneeId: lea });
    now = at(H / 2);
    const state = await escalateTicket(deps, leaActor, id, { note: 'Router is down, needs the network people', teamId: network.toHexString() });
    expect(state).toMatchObject({ teamId: network.toHexString(), level: 'L2', assigneeId: null });
    const ticket = await read(id);
    expect(ticket.access.sort()).toEqual([`inbox:${inboxId.toHexString()}`, `team:${desk.toHexString()}`, `team:${network.toHexString()}`].sort());
    expect(ticket.escalatedFromTeamIds?.map(String)).toEqual([desk.toHexString()]);
    const note = await db.models.Message.findOne({ ticketId: ticket._id, direction: 'note' }).lean();
    expect(note).toMatchObject({ text: 'Router is down, needs the network people', authorId: lea });
    const events = await trail(id);
    const escalated = events.find((e) => e.type === 'level_escalated')!;
    expect(escalated.actor).toMatchObject({ kind: 'user', id: lea });
    expect(escalated.data).toMatchObject({ from: { name: 'Desk', level: 'L1' }, to: { name: 'Network', level: 'L2' }, reason: 'agent' });
    expect(events.find((e) => e.type === 'assigned')?.data).toMatchObject({ to: null });
    expect(events.find((e) => e.type === 'sla_level_applied')?.data).toMatchObject({ level: 'L2' });
  });

  it('recomputes the SLA due times from the escalation with the new level’s targets', async () => {
    now = start;
    const id = await newTicket();
    expect((await read(id)).sla).toMatchObject({ firstResponseDueAt: at(H), resolutionDueAt: at(8 * H) });
    now = at(40 * 60);
    await escalateTicket(deps, leaActor, id, { note: 'Over to L2', teamId: servers.toHexString() });
    expect((await read(id)).sla).toMatchObject({ firstResponseDueAt: at(55 * 60), resolutionDueAt: at(40 * 60 + 2 * H), levelSince: at(40 * 60), escalationLevel: 0, breachedAt: null });
  });

  it('keeps an assignee who is a member of the new team, and skips a level when asked', async () => {
    now = start;
    const id = await newTicket({ teamId: null, assigneeId: max });
    const state = await escalateTicket(deps, { userId: null, role: 'admin', inboxIds: [] }, id, { note: 'Straight to the experts', level: 'L3' });
    expect(state).toMatchObject({ teamId: experts.toHexString(), level: 'L3', assigneeId: max.toHexString() });
    // A ticket without a team left no team behind.
    expect((await read(id)).escalatedFromTeamIds).toEqual([]);
  });
});

describe('the team it was escalated from', () => {
  it('still lists and reads it, may add notes, but may not change it or escalate it', async () => {
    now = start;
    const id = await newTicket();
    await escalateTicket(deps, leaActor, id, { note: 'Over to Network', teamId: network.toHexString() });
    const listed = await listTickets(deps, leaActor, {});
    expect(listed.items.map((t) => t.id)).toContain(id);
    expect((await getTicket(deps, leaActor, id)).id).toBe(id);
    await expectAppError(updateTicket(deps, leaActor, id, { status: 'pending' }), 'FORBIDDEN', { key: 'forbidden.escalatedReadOnly' });
    await expectAppError(escalateTicket(deps, leaActor, id, { note: 'Again', teamId: experts.toHexString() }), 'FORBIDDEN');
    const note = await addNote(deps, leaActor, id, { text: 'FYI: the customer called' });
    expect(note.text).toBe('FYI: the customer called');
    // The new team works it; handed back to Léa in person, she may change it again.
    await updateTicket(deps, maxActor, id, { assigneeId: null, status: 'pending' });
    await db.models.Ticket.updateOne({ _id: id }, { $set: { assigneeId: lea } });
    expect((await updateTicket(deps, leaActor, id, { status: 'open' })).status).toBe('open');
  });

  it('gets it back, writable, when it is moved back to its team (the team it left then no longer sees it)', async () => {
    now = start;
    const id = await newTicket();
    await escalateTicket(deps, leaActor, id, { note: 'Over to Network', teamId: network.toHexString() });
    await updateTicket(deps, maxActor, id, { teamId: desk.toHexString() });
    // A plain change of team is no escalation: Network does not keep it.
    expect((await read(id)).access.sort()).toEqual([`inbox:${inboxId.toHexString()}`, `team:${desk.toHexString()}`].sort());
    expect((await updateTicket(deps, leaActor, id, { status: 'pending' })).status).toBe('pending');
  });
});

describe('deleting a team', () => {
  it('takes the key of a team the ticket was escalated from off it, and leaves the rest', async () => {
    now = start;
    const id = await newTicket();
    await escalateTicket(deps, leaActor, id, { note: 'Over to Network', teamId: network.toHexString() });
    const gone = new Types.ObjectId();
    await db.models.Ticket.updateOne({ _id: id }, { $push: { escalatedFromTeamIds: gone, access: `team:${gone.toHexString()}` } });
    await db.stores.tickets.detachTeam(gone);
    const ticket = await read(id);
    expect(ticket.teamId?.equals(network)).toBe(true);
    expect(ticket.escalatedFromTeamIds?.map(String)).toEqual([desk.toHexString()]);
    expect(ticket.access.sort()).toEqual([`inbox:${inboxId.toHexString()}`, `team:${desk.toHexString()}`, `team:${network.toHexString()}`].sort());
    // Its current team deleted, it has none, and the team it was escalated from still sees it.
    expect(await db.stores.tickets.detachTeam(network)).toBeGreaterThanOrEqual(1);
    const detached = await read(id);
    expect(detached.teamId).toBeNull();
    expect(detached.access.sort()).toEqual([`inbox:${inboxId.toHexString()}`, `team:${desk.toHexString()}`].sort());
  });
});

describe('the SLA ladder', () => {
  it('escalates a breached ticket to the level its step names, as the system, and its clocks start over', async () => {
    now = start;
    const id = await newTicket();
    now = at(5 * 60);
    await escalateTicket(deps, leaActor, id, { note: 'Over to Network', teamId: network.toHexString() });
    // L2's first response (15 min) breaches at 20 min; the ladder's step fires a minute later.
    now = at(20 * 60);
    expect(await runSlaTimer(deps, new Types.ObjectId(id))).toBe('breach');
    now = at(21 * 60);
    expect(await runSlaTimer(deps, new Types.ObjectId(id))).toBe('escalate');
    const ticket = await read(id);
    expect(ticket.teamId?.equals(experts)).toBe(true);
    expect(ticket.escalatedFromTeamIds?.map(String).sort()).toEqual([desk.toHexString(), network.toHexString()].sort());
    // L3 has no targets of its own: the priority's (1 h, 8 h) from the ladder's escalation.
    expect(ticket.sla).toMatchObject({ levelSince: at(21 * 60), firstResponseDueAt: at(81 * 60), resolutionDueAt: at(21 * 60 + 8 * H), breachedAt: null });
    const moved = (await trail(id)).filter((e) => e.type === 'level_escalated').at(-1)!;
    expect(moved.actor).toMatchObject({ kind: 'system', label: 'sla' });
    expect(moved.data).toMatchObject({ reason: 'sla', ladderName: 'Experts on call', clock: 'firstResponse', from: { name: 'Network', level: 'L2' }, to: { name: 'Experts', level: 'L3' } });
  });
});
