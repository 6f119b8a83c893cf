import type { Types } from 'mongoose';
import type { TeamLevel } from '../../domain/teams.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketReadStore } from '../../store/ticket-read-store.js';
import { isUnread, newsOf, type TicketNewsFields } from '../../domain/unread.js';
import type { Actor } from '../access.js';
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

/** What the unread state of a list's rows reads: the reader's own marks on them, at once. */
export type UnreadDeps = { ticketReads: Pick<TicketReadStore, 'listForTickets'> };

/** A ticket in a list, as its reader sees it: bold while it has news they have not seen (domain/unread.ts). */
export type TicketListItemView = TicketSummaryView & { unread: boolean };

/**
 * The ids (hex) of these tickets that are unread for the actor: their own marks on the page's rows are
 * read in one query (never per row), and nobody else's. The operator CLI, not a user, reads nothing unread.
 */
export async function unreadTicketIds(deps: UnreadDeps, actor: Actor, tickets: readonly (TicketNewsFields & { _id: Types.ObjectId })[]): Promise<Set<string>> {
  const userId = actor.userId;
  if (!userId || tickets.length === 0) return new Set();
  const marks = new Map((await deps.ticketReads.listForTickets(userId, tickets.map((t) => t._id))).map((m) => [m.ticketId.toHexString(), m]));
  const reader = userId.toHexString();
  return new Set(tickets.flatMap((t) => (isUnread(newsOf(t), marks.get(t._id.toHexString()), reader) ? [t._id.toHexString()] : [])));
}

/** Tickets in their list shape with their team's level and whether the actor has read them: teams and marks read once each, at once. */
export async function toTicketListItems(deps: TeamLevelDeps & UnreadDeps, actor: Actor, tickets: readonly TicketSummarySource[]): Promise<TicketListItemView[]> {
  const [summaries, unread] = await Promise.all([toTicketSummaries(deps, tickets), unreadTicketIds(deps, actor, tickets)]);
  return summaries.map((s) => ({ ...s, unread: unread.has(s.id) }));
}
