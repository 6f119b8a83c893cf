import type { TeamLevel } from '../../domain/teams.js';
import type { TeamStore } from '../../store/team-store.js';
import type { Actor } from '../access.js';

/** A team as the ticket list's team filter offers it. */
export interface FilterTeam {
  id: string;
  name: string;
  level: TeamLevel;
}

/**
 * The teams the ticket list offers to filter by, by level then name: every team for admins and
 * managers; for an agent, their own teams and those that work one of their inboxes, plus `include`
 * (the team the list is filtered by, when it exists) so the filter stays chosen. Offering a team
 * shows nothing more: the list stays within the actor's tickets whatever team it names.
 */
export async function listFilterTeams(deps: { teams: Pick<TeamStore, 'listAll'> }, actor: Actor, opts: { include?: string } = {}): Promise<FilterTeam[]> {
  // Teams are few (the store reads them all for the settings page too).
  const all = await deps.teams.listAll();
  const offered = actor.role === 'admin' || actor.role === 'manager'
    ? all
    : all.filter((team) =>
      team._id.toHexString() === opts.include
      || (actor.teamIds ?? []).some((id) => id.equals(team._id))
      || team.inboxIds.some((inboxId) => actor.inboxIds.some((id) => id.equals(inboxId))));
  return offered.map((team) => ({ id: team._id.toHexString(), name: team.name, level: team.level }));
}
