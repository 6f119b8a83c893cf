import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { chooseAssignee, NO_ASSIGNMENT, type AssignmentCandidate } from '../../domain/auto-assign.js';
import { AppError } from '../../domain/errors.js';
import { ACTIVE_TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { TeamDoc } from '../../store/models/team.js';
import type { TeamStore } from '../../store/team-store.js';
import type { AssignableTicketRow, TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { notify, type NotifyDeps } from '../notifications/notify.js';

/** How long one worker may hold a team's assignment lease before another may take it (a worker that died). */
export const ASSIGNMENT_LEASE_MS = 10_000;
/** How long a worker waits for another to give the lease back before giving up (CONFLICT). */
const LEASE_WAIT_MS = 2 * ASSIGNMENT_LEASE_MS;
/** Waiting tickets read at a time. */
const WAITING_BATCH = 50;

/** What auto-assignment reads and writes, and how it tells the new assignee. */
export interface AutoAssignDeps {
  teams: Pick<TeamStore, 'findById' | 'claimAssignment' | 'releaseAssignment'> & NotifyDeps['teams'];
  tickets: Pick<TicketStore, 'findAssignable' | 'countOpenOfTeamByAssignee' | 'listWaitingOfTeam' | 'assignIfUnassigned' | 'markWaiting' | 'clearWaiting'>;
  users: Pick<UserStore, 'listAvailabilityByIds'> & NotifyDeps['users'];
  notifications: NotifyDeps['notifications'];
  scheduler: NotifyDeps['scheduler'];
  /** Re-plans a newly assigned ticket's SLA timers (reminders go to the assignee); none when absent. */
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  /** Waits between attempts at a busy lease (tests and the bench may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

/** What auto-assigning one ticket did: its assignee (null: none), and whether it now waits for a free agent. */
export interface AutoAssignResult {
  assigneeId: Types.ObjectId | null;
  waiting: boolean;
}

interface Assigned {
  ticket: AssignableTicketRow;
  assigneeId: Types.ObjectId;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether auto-assignment may still give this ticket to a member of `teamId`. */
function stillAssignable(t: AssignableTicketRow | null, teamId: Types.ObjectId): boolean {
  return Boolean(t && !t.assigneeId && !t.mergedIntoId && t.teamId?.equals(teamId) && (ACTIVE_TICKET_STATUSES as readonly string[]).includes(t.status));
}

/**
 * Runs `work` holding the team's assignment lease, so that one worker at a time (across processes)
 * reads the members' open tickets and assigns: two workers at once can neither both give the last
 * place under a cap nor both take the same round-robin turn. The lease is one atomic update
 * (findOneAndUpdate) and runs out after {@link ASSIGNMENT_LEASE_MS}, so a worker that died does not block
 * the team; the round-robin pointer is stored in the update that gives it back. Null when the team is gone.
 */
async function withAssignmentLease<T>(deps: AutoAssignDeps, teamId: Types.ObjectId, work: (team: TeamDoc) => Promise<{ value: T; pointer: number | null }>): Promise<T | null> {
  const holder = randomUUID();
  const sleep = deps.sleep ?? defaultSleep;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const now = new Date();
    const team = await deps.teams.claimAssignment(teamId, holder, now, new Date(now.getTime() + ASSIGNMENT_LEASE_MS));
    if (team) {
      let pointer: number | null = null;
      try {
        const out = await work(team);
        pointer = out.pointer;
        return out.value;
      } finally {
        await deps.teams.releaseAssignment(teamId, holder, pointer);
      }
    }
    if (!(await deps.teams.findById(teamId))) return null;
    if (Date.now() - started > LEASE_WAIT_MS) {
      throw new AppError('CONFLICT', 'Another worker is assigning this team’s tickets; try again', { key: 'conflict.assignmentBusy' });
    }
    await sleep(Math.min(5 + attempt * 5, 50) + Math.floor(Math.random() * 10));
  }
}

/**
 * Assigns, holding the lease: first the team's waiting tickets, oldest first, then `ticketId` if given
 * (unless it is among them: it keeps its place), each to the member `chooseAssignee` picks, until
 * nobody can take one more. `ticketId` then waits (marked, with a trail entry). Stale waiting marks
 * (a ticket assigned, solved or moved meanwhile) are taken off on the way.
 */
async function assignQueue(deps: AutoAssignDeps, team: TeamDoc, ticketId: Types.ObjectId | null, opts: { now: Date; by?: string }) {
  const settings = team.assignment ?? NO_ASSIGNMENT;
  const assigned: Assigned[] = [];
  let pointer = team.assignment?.pointer ?? 0;
  let moved = false;
  let result: AutoAssignResult = { assigneeId: null, waiting: false };
  // The reads are independent: one round trip's wait for all four.
  const [fresh, users, open, firstWaiting] = await Promise.all([
    ticketId ? deps.tickets.findAssignable(ticketId) : Promise.resolve(null),
    deps.users.listAvailabilityByIds(team.memberIds),
    settings.mode === 'none' ? Promise.resolve(new Map<string, number>()) : deps.tickets.countOpenOfTeamByAssignee(team._id),
    deps.tickets.listWaitingOfTeam(team._id, WAITING_BATCH),
  ]);
  if (ticketId && !stillAssignable(fresh, team._id)) result = { assigneeId: fresh?.assigneeId ?? null, waiting: false };

  const byId = new Map(users.map((u) => [u._id.toHexString(), u]));
  const members: AssignmentCandidate[] = team.memberIds.map((id) => {
    const user = byId.get(id.toHexString());
    return { id: id.toHexString(), open: open.get(id.toHexString()) ?? 0, away: user?.away === true, disabled: !user || user.disabled };
  });
  const memberIds = new Map(team.memberIds.map((id) => [id.toHexString(), id]));

  /** Gives one ticket to the next member; false when nobody can take it. */
  const assignOne = async (ticket: AssignableTicketRow): Promise<boolean | 'skipped'> => {
    const choice = chooseAssignee({ settings, pointer, members });
    if (choice.kind === 'none') return false;
    const assigneeId = memberIds.get(choice.id)!;
    const ok = await deps.tickets.assignIfUnassigned(ticket._id, team._id, assigneeId, {
      type: 'auto_assigned',
      actor: { kind: 'system', id: null, label: 'auto-assignment' },
      at: opts.now,
      data: { to: assigneeId, teamId: team._id, name: team.name, mode: settings.mode, by: opts.by ?? null },
    });
    if (!ok) return 'skipped';
    members[choice.index]!.open++;
    pointer = choice.nextPointer;
    moved = true;
    assigned.push({ ticket, assigneeId });
    return true;
  };

  let full = settings.mode === 'none';
  let handledOwn = false;
  // A team that no longer hands out tickets has nobody to wait for: its waiting marks go.
  for (let page = full ? await deps.tickets.listWaitingOfTeam(team._id, WAITING_BATCH) : []; page.length > 0; page = await deps.tickets.listWaitingOfTeam(team._id, WAITING_BATCH)) {
    for (const waiting of page) await deps.tickets.clearWaiting(waiting._id);
  }
  // The waiting ones first, oldest first: a ticket that waited is never overtaken by a newer one. Each
  // one read leaves the queue (assigned, or its stale mark taken off) unless nobody can take it.
  for (let first = true; !full; first = false) {
    const page = first ? firstWaiting : await deps.tickets.listWaitingOfTeam(team._id, WAITING_BATCH);
    for (const waiting of page) {
      const own = ticketId?.equals(waiting._id) ?? false;
      const out = stillAssignable(waiting, team._id) ? await assignOne(waiting) : 'skipped';
      if (out === false) {
        full = true;
        break;
      }
      if (out === 'skipped') await deps.tickets.clearWaiting(waiting._id);
      if (own) {
        handledOwn = true;
        if (out === true) result = { assigneeId: assigned.at(-1)!.assigneeId, waiting: false };
      }
    }
    if (page.length < WAITING_BATCH) break;
  }
  if (fresh && !handledOwn && stillAssignable(fresh, team._id)) {
    const out = full ? false : await assignOne(fresh);
    if (out === true) result = { assigneeId: assigned.at(-1)!.assigneeId, waiting: false };
    else if (out === false && settings.mode !== 'none') {
      const waiting = await deps.tickets.markWaiting(fresh._id, team._id, opts.now, {
        type: 'assignment_waiting',
        actor: { kind: 'system', id: null, label: 'auto-assignment' },
        at: opts.now,
        data: { teamId: team._id, name: team.name, by: opts.by ?? null },
      });
      result = { assigneeId: null, waiting };
    }
  }
  return { value: { result, assigned }, pointer: moved ? pointer : null };
}

/** After the lease: each newly assigned ticket's SLA timers follow its assignee, who is told. */
async function followUp(deps: AutoAssignDeps, assigned: readonly Assigned[], at: Date): Promise<void> {
  for (const { ticket } of assigned) await deps.refreshSla?.(ticket._id);
  if (assigned.length === 0) return;
  await notify({ ...deps, now: () => at }, assigned.map(({ ticket, assigneeId }) => ({
    kind: 'assigned' as const,
    key: `assigned:${ticket._id.toHexString()}:${assigneeId.toHexString()}:${at.getTime()}`,
    ticket: { ...ticket, teamId: ticket.teamId ?? null },
    at,
    data: { by: null, auto: true },
    userIds: [assigneeId],
    actorId: null,
  })));
}

/**
 * Gives a ticket of a team to one of its members by the team's auto-assignment (domain/auto-assign.ts:
 * round-robin or least open, passing over members away, disabled or at the cap). Tickets of the team
 * that already wait for a free agent go first, oldest first; when nobody can take one more, this one
 * waits too (`waiting: true`, shown on the list and the ticket page) until capacity frees
 * ({@link refillTeamAssignments}). The trail says "auto-assigned to X by team Y" or that it waits.
 *
 * Nothing changes (null, not waiting) for a ticket that is not in the team, already assigned, merged
 * or no longer active, or when the team's mode is `none`; a ticket already assigned answers its
 * assignee. Safe under concurrency: one worker at a time assigns a team's tickets (a lease), with the
 * members' open tickets read from the tickets themselves and each assignment a conditional update
 * (the ticket still unassigned and in the team). The routing rules' "auto-assign" action calls this.
 */
export async function autoAssignTicket(deps: AutoAssignDeps, ticketId: Types.ObjectId, teamId: Types.ObjectId, opts: { now: Date; by?: string }): Promise<AutoAssignResult> {
  const out = await withAssignmentLease(deps, teamId, (team) => assignQueue(deps, team, ticketId, opts));
  if (!out) return { assigneeId: null, waiting: false };
  await followUp(deps, out.assigned, opts.now);
  return out.result;
}

/**
 * Assigns a team's waiting tickets, oldest first, while members can take them: after a ticket of the
 * team is solved, closed, reassigned or moved, a member comes back from away, or the cap rises.
 * Idempotent (a ticket is assigned by a conditional update, once); returns how many were assigned.
 */
export async function refillTeamAssignments(deps: AutoAssignDeps, teamId: Types.ObjectId, opts: { now: Date; by?: string }): Promise<number> {
  const out = await withAssignmentLease(deps, teamId, (team) => assignQueue(deps, team, null, opts));
  if (!out) return 0;
  await followUp(deps, out.assigned, opts.now);
  return out.assigned.length;
}
