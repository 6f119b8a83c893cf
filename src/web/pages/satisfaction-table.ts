import type { Actor } from '../../services/access.js';
import { ratingTable, type ListRatingsDeps } from '../../services/satisfaction/list-ratings.js';
import type { Stores } from '../../store/stores.js';

/** One row of a satisfaction table: who, the counts, and the score as a percentage (null: no rating). */
export interface SatisfactionRow {
  label: string;
  good: number;
  okay: number;
  bad: number;
  total: number;
  percent: number | null;
}

/**
 * The satisfaction tables of the team load page: the last 30 days' ratings per team and per agent
 * (counts and score: the share of good), over the inboxes the viewer sees. Rows without any rating
 * are left out; the unassigned and the team-less rows say so.
 */
export async function satisfactionTables(stores: Pick<Stores, 'satisfaction' | 'users' | 'teams'>, actor: Actor, now: () => Date, labels: { none: string }): Promise<{ teams: SatisfactionRow[]; agents: SatisfactionRow[] }> {
  const deps: Pick<ListRatingsDeps, 'satisfaction' | 'now'> = { satisfaction: stores.satisfaction, now };
  const scope = actor.role === 'admin' ? {} : { inboxIds: actor.inboxIds };
  const [byTeam, byAgent] = await Promise.all([ratingTable(deps, 'teamId', scope), ratingTable(deps, 'assigneeId', scope)]);
  const agentIds = [...byAgent.keys()].filter((k) => k !== 'none');
  const [users, teams] = await Promise.all([agentIds.length ? stores.users.listLabelsByIds(agentIds) : [], stores.teams.listAll()]);
  const userNames = new Map(users.map((u) => [u._id.toHexString(), u.name || u.email]));
  const teamNames = new Map(teams.map((t) => [t._id.toHexString(), t.name]));
  const rowsOf = (table: Map<string, { good: number; okay: number; bad: number; total: number; score: number | null }>, names: Map<string, string>) =>
    [...table.entries()]
      .map(([id, s]) => ({ label: id === 'none' ? labels.none : (names.get(id) ?? id), good: s.good, okay: s.okay, bad: s.bad, total: s.total, percent: s.score === null ? null : Math.round(s.score * 100) }))
      .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  return { teams: rowsOf(byTeam, teamNames), agents: rowsOf(byAgent, userNames) };
}
