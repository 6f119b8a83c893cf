import type { Types } from 'mongoose';
import type { TeamLevel } from '../../domain/teams.js';
import type { TeamStore } from '../../store/team-store.js';
import { toTicketSummary, type TicketSummarySource, type TicketSummaryView } from './ticket-view.js';

/** What resolving the tickets' levels reads: their teams, at once. */
export type TeamLevelDeps = { teams: Pick<TeamStore, 'listByIds'> };

/**
 * The level of each team these tickets have, by team id (hex): one read of the teams for a whole
 * page (a level is its team's, never stored on the ticket, so moving a team to another level moves
 * its tickets with it). A team that is gone has no level.
 */
export async function teamLevelsOf(deps: TeamLevelDeps, tickets: ReadonlyArray<{ teamId?: Types.ObjectId | null }>): Promise<Map<string, TeamLevel>> {
  const ids = [...new Map(tickets.flatMap((t) => (t.teamId ? [[t.teamId.toHexString(), t.teamId] as const] : []))).values()];
  if (ids.length === 0) return new Map();
  return new Map((await deps.teams.listByIds(ids)).map((team) => [team._id.toHexString(), team.level]));
}

/** Tickets in their list shape, each with its team's level, the teams read once (see {@link teamLevelsOf}). */
export async function toTicketSummaries(deps: TeamLevelDeps, tickets: readonly TicketSummarySource[]): Promise<TicketSummaryView[]> {
  const levels = await teamLevelsOf(deps, tickets);
  return tickets.map((t) => toTicketSummary(t, (t.teamId && levels.get(t.teamId.toHexString())) || null));
}
