import type { Types } from 'mongoose';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { refillTeamAssignments, type AutoAssignDeps } from './auto-assign-ticket.js';

/** What refilling needs: auto-assignment's own, and the reads that decide whether there is anything to do. */
export type RefillDeps = AutoAssignDeps & {
  teams: AutoAssignDeps['teams'] & Pick<TeamStore, 'listIdsAssigningToMember'>;
  tickets: AutoAssignDeps['tickets'] & Pick<TicketStore, 'hasWaitingOfTeam'>;
};

/**
 * Assigns the team's waiting tickets if it hands out tickets and any wait (one indexed read when none
 * do, so it is cheap to call after every change). Returns how many were assigned.
 */
export async function refillTeamIfWaiting(deps: RefillDeps, teamId: Types.ObjectId, opts: { now: Date; by?: string }): Promise<number> {
  if (!(await deps.tickets.hasWaitingOfTeam(teamId))) return 0;
  return refillTeamAssignments(deps, teamId, opts);
}

/**
 * After an agent's change to a ticket (solved, closed, reassigned, merged…): a place may have freed in
 * its team, so the team's waiting tickets are assigned, oldest first. Idempotent.
 */
export async function refillAfterTicketChange(deps: RefillDeps, ticketId: Types.ObjectId, opts: { now: Date }): Promise<number> {
  const ticket = await deps.tickets.findAssignable(ticketId);
  if (!ticket?.teamId) return 0;
  return refillTeamIfWaiting(deps, ticket.teamId, { ...opts, by: 'ticket-change' });
}

/** A member came back from away (or was enabled): the waiting tickets of their teams that hand out tickets. */
export async function refillTeamsOfMember(deps: RefillDeps, userId: Types.ObjectId, opts: { now: Date }): Promise<number> {
  let assigned = 0;
  for (const teamId of await deps.teams.listIdsAssigningToMember(userId)) assigned += await refillTeamIfWaiting(deps, teamId, { ...opts, by: 'member-back' });
  return assigned;
}

/** The follow-ups as the use cases that free capacity take them, bound by the composition root. */
export interface AssignmentFollowUps {
  /** A team's settings changed (mode, cap, members). */
  refillTeam: (teamId: Types.ObjectId) => Promise<void>;
  /** A member came back from away. */
  refillTeamsOfMember: (userId: Types.ObjectId) => Promise<void>;
}

/** Binds the follow-ups to their dependencies and the clock. */
export function assignmentFollowUps(deps: RefillDeps, now: () => Date): AssignmentFollowUps {
  return {
    refillTeam: async (teamId) => void (await refillTeamIfWaiting(deps, teamId, { now: now(), by: 'team-settings' })),
    refillTeamsOfMember: async (userId) => void (await refillTeamsOfMember(deps, userId, { now: now() })),
  };
}
