import { TEAM_LEVELS, type TeamLevel } from './teams.js';

/** The level a ticket without a team works at: first contact. */
export const START_LEVEL: TeamLevel = 'L1';

/** The level above `level` (a ticket without a team counts as L1, so it goes to L2); null above L4. */
export function nextLevel(level: TeamLevel | null): TeamLevel | null {
  return TEAM_LEVELS[TEAM_LEVELS.indexOf(level ?? START_LEVEL) + 1] ?? null;
}

/** Whether `target` lies above `level` (a ticket without a team counts as L1). */
export function isAbove(target: TeamLevel, level: TeamLevel | null): boolean {
  return TEAM_LEVELS.indexOf(target) > TEAM_LEVELS.indexOf(level ?? START_LEVEL);
}

/** A team as escalation weighs it (any id with `equals`, so the domain stays free of the driver). */
export interface EscalationTeam<Id extends { equals(other: unknown): boolean } = { equals(other: unknown): boolean }> {
  _id: Id;
  level: TeamLevel;
  inboxIds: readonly Id[];
}

/**
 * The teams a ticket may be escalated to: those at `target` (by default the level above the ticket's)
 * that work its inbox, never its own team. Empty when the target is not above the current level, or
 * when nothing lies above (L4).
 */
export function escalationCandidates<Id extends { equals(other: unknown): boolean }, T extends EscalationTeam<Id>>(
  teams: readonly T[],
  ticket: { inboxId: Id; teamId?: Id | null; level: TeamLevel | null },
  target?: TeamLevel,
): T[] {
  const level = target ?? nextLevel(ticket.level);
  if (!level || !isAbove(level, ticket.level)) return [];
  return teams.filter((t) => t.level === level && t.inboxIds.some((i) => i.equals(ticket.inboxId)) && !(ticket.teamId && t._id.equals(ticket.teamId)));
}

/** Why no team could be picked: none at the level, or several and none (or a wrong one) chosen. */
export type EscalationChoice<T> = { ok: true; team: T } | { ok: false; reason: 'none' | 'choose' | 'not-candidate' };

/**
 * Picks the team among the candidates: the one asked for (it must be a candidate), else the only one.
 * Several candidates and none asked for: the agent must choose.
 */
export function chooseEscalationTeam<T extends { _id: { equals(other: unknown): boolean } }>(candidates: readonly T[], wanted: { equals(other: unknown): boolean } | null): EscalationChoice<T> {
  if (candidates.length === 0) return { ok: false, reason: 'none' };
  if (wanted) {
    const team = candidates.find((t) => t._id.equals(wanted));
    return team ? { ok: true, team } : { ok: false, reason: 'not-candidate' };
  }
  return candidates.length === 1 ? { ok: true, team: candidates[0]! } : { ok: false, reason: 'choose' };
}

/**
 * The teams the ticket stays visible to (read-only) after moving from `from` to `to`: the earlier
 * ones plus `from`, without `to` (a ticket escalated back to a team is that team's again).
 */
export function escalatedFromAfter<Id extends { equals(other: unknown): boolean }>(earlier: readonly Id[], from: Id | null, to: Id): Id[] {
  const out = earlier.filter((id) => !id.equals(to));
  if (from && !from.equals(to) && !out.some((id) => id.equals(from))) out.push(from);
  return out;
}
