import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { TICKET_AGE_BUCKETS, type TicketAgeBucket } from '../../domain/ticket-age.js';
import type { TeamLevel } from '../../domain/teams.js';
import { NO_ASSIGNMENT, type AssignmentSettings } from '../../domain/auto-assign.js';
import type { TicketPriority } from '../../domain/ticket-status.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TeamDoc } from '../../store/models/team.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketLoadRow, TicketStore } from '../../store/ticket-store.js';
import type { UserAvailabilityRecord, UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';

/** The priorities a load row is split by, most pressing first (the columns' order). */
export const LOAD_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const satisfies readonly TicketPriority[];

/** How many active tickets a row holds, in all, per priority and per age bucket. */
export interface LoadCounts {
  total: number;
  priority: Record<TicketPriority, number>;
  age: Record<TicketAgeBucket, number>;
}

/** One assignee's row in a team (or among the tickets without a team). */
export interface AgentLoad {
  id: string;
  name: string | null;
  email: string;
  /** Marked themself away (account page, `PATCH /me`), and since when. */
  away: boolean;
  awaySince: Date | null;
  disabled: boolean;
  /** A member of the team (members show even with no tickets); false for anyone else assigned its tickets. */
  member: boolean;
  counts: LoadCounts;
}

/** A team's load: its members and other assignees, the unassigned tickets, and the team's whole. */
export interface TeamLoadSection {
  agents: AgentLoad[];
  unassigned: LoadCounts;
  total: LoadCounts;
}

/** What `/team-load` and `GET /teams/load` show. */
export interface TeamLoadView {
  /** The moment the ages are counted from. */
  at: Date;
  teams: Array<TeamLoadSection & { id: string; name: string; level: TeamLevel; assignment: AssignmentSettings }>;
  /** The active tickets without a team (or whose team was deleted). */
  noTeam: TeamLoadSection;
}

/** What {@link teamLoad} reads: the open backlog's counts, the teams, the users named, the inboxes (admins), the clock. */
export interface TeamLoadDeps {
  tickets: Pick<TicketStore, 'loadByAssigneeAndTeam'>;
  teams: Pick<TeamStore, 'listAll'>;
  users: Pick<UserStore, 'listAvailabilityByIds'>;
  inboxes: Pick<InboxStore, 'listIds'>;
  now: () => Date;
}

const zero = (): LoadCounts => ({
  total: 0,
  priority: { urgent: 0, high: 0, normal: 0, low: 0 },
  age: Object.fromEntries(TICKET_AGE_BUCKETS.map((b) => [b, 0])) as Record<TicketAgeBucket, number>,
});

function add(counts: LoadCounts, row: TicketLoadRow): void {
  counts.total += row.count;
  counts.priority[row.priority] += row.count;
  counts.age[row.age] += row.count;
}

/** The rows of one section, by assignee (null: unassigned), with the section's total. */
function section(rows: TicketLoadRow[]) {
  const byAssignee = new Map<string | null, LoadCounts>();
  const total = zero();
  for (const row of rows) {
    const key = row.assigneeId ? row.assigneeId.toHexString() : null;
    const counts = byAssignee.get(key) ?? zero();
    add(counts, row);
    add(total, row);
    byAssignee.set(key, counts);
  }
  return { byAssignee, total };
}

const byName = (a: AgentLoad, b: AgentLoad) => (a.name ?? a.email).localeCompare(b.name ?? b.email) || a.id.localeCompare(b.id);

/**
 * The team load (admins: every inbox and team; managers: the tickets of the inboxes they manage,
 * and the teams that work those inboxes or hold those tickets): the active, unmerged tickets per
 * team and, in each team, per member, with the unassigned ones apart, each split by priority and by
 * age; then the tickets without a team, per assignee. Members show even with no tickets (who is
 * free), with whether they are away. One aggregation over the open backlog, one read of the teams,
 * one of the users named; agents are refused (FORBIDDEN), like the settings.
 */
export async function teamLoad(deps: TeamLoadDeps, actor: Actor): Promise<TeamLoadView> {
  if (actor.role === 'agent') throw new AppError('FORBIDDEN', 'Team load is for managers and admins', { key: 'forbidden.teamLoadForManagers' });
  const at = deps.now();
  const admin = actor.role === 'admin';
  const [inboxIds, allTeams] = await Promise.all([admin ? deps.inboxes.listIds() : Promise.resolve(actor.inboxIds), deps.teams.listAll()]);
  const rows = await deps.tickets.loadByAssigneeAndTeam({ inboxIds }, at);

  const teamsById = new Map(allTeams.map((t) => [t._id.toHexString(), t]));
  const rowsByTeam = new Map<string | null, TicketLoadRow[]>();
  for (const row of rows) {
    const teamKey = row.teamId && teamsById.has(row.teamId.toHexString()) ? row.teamId.toHexString() : null;
    rowsByTeam.set(teamKey, [...(rowsByTeam.get(teamKey) ?? []), row]);
  }
  const managed = new Set(inboxIds.map(String));
  const shown = allTeams.filter((t) => admin || rowsByTeam.has(t._id.toHexString()) || (t.inboxIds ?? []).some((id) => managed.has(String(id))));

  // Everyone a row names: every member of a shown team, and every assignee of a counted ticket.
  const userIds = new Map<string, Types.ObjectId>();
  for (const team of shown) for (const id of team.memberIds ?? []) userIds.set(id.toHexString(), id);
  for (const row of rows) if (row.assigneeId) userIds.set(row.assigneeId.toHexString(), row.assigneeId);
  const users = new Map<string, UserAvailabilityRecord>(
    (userIds.size ? await deps.users.listAvailabilityByIds([...userIds.values()]) : []).map((u) => [u._id.toHexString(), u]),
  );

  const agentRow = (id: string, member: boolean, counts: LoadCounts): AgentLoad => {
    const user = users.get(id);
    return { id, name: user?.name ?? null, email: user?.email ?? '', away: user?.away === true, awaySince: user?.awaySince ?? null, disabled: user?.disabled ?? false, member, counts };
  };
  const build = (team: TeamDoc | null): TeamLoadSection => {
    const { byAssignee, total } = section(rowsByTeam.get(team ? team._id.toHexString() : null) ?? []);
    const memberIds = new Set((team?.memberIds ?? []).map((id) => id.toHexString()));
    // Members with nothing open still show (who is free), unless their account is disabled.
    const members = [...memberIds].filter((id) => byAssignee.has(id) || (users.has(id) && !users.get(id)?.disabled));
    const others = [...byAssignee.keys()].filter((id): id is string => id !== null && !memberIds.has(id));
    return {
      agents: [...members.map((id) => agentRow(id, true, byAssignee.get(id) ?? zero())).sort(byName), ...others.map((id) => agentRow(id, false, byAssignee.get(id)!)).sort(byName)],
      unassigned: byAssignee.get(null) ?? zero(),
      total,
    };
  };

  return {
    at,
    teams: shown.map((team) => ({ id: team._id.toHexString(), name: team.name, level: team.level, assignment: team.assignment ? { mode: team.assignment.mode, cap: team.assignment.cap ?? null } : NO_ASSIGNMENT, ...build(team) })),
    noTeam: build(null),
  };
}
