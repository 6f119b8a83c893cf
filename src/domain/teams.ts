/**
 * Support levels (ITIL style): L1 first contact (simple, common requests), L2 deeper technical work,
 * L3 experts, L4 an outside partner. A team works at one level.
 */
export const TEAM_LEVELS = ['L1', 'L2', 'L3', 'L4'] as const;
export type TeamLevel = (typeof TEAM_LEVELS)[number];

/**
 * The access keys of a ticket: who may see it is decided by these alone. A ticket is seen by the
 * members of its inbox (`inbox:<id>`), of its team (`team:<id>`) and of the teams it was escalated
 * from (`team:<id>` too: they keep seeing it, read-only, see services/access.ts canWorkTicket).
 * Stored on the ticket (`access`) so that one indexed `$in` scopes a list, never an `$or` across fields.
 */
export function ticketAccessKeys(
  inboxId: { toString(): string },
  teamId: { toString(): string } | null | undefined,
  escalatedFromTeamIds: ReadonlyArray<{ toString(): string }> | null | undefined = [],
): string[] {
  const keys = [`inbox:${String(inboxId)}`, ...(teamId ? [`team:${String(teamId)}`] : [])];
  for (const id of escalatedFromTeamIds ?? []) if (!keys.includes(`team:${String(id)}`)) keys.push(`team:${String(id)}`);
  return keys;
}

/** The access keys an agent holds: one per inbox they are a member of, one per team. */
export function actorAccessKeys(inboxIds: ReadonlyArray<{ toString(): string }>, teamIds: ReadonlyArray<{ toString(): string }>): string[] {
  return [...inboxIds.map((id) => `inbox:${String(id)}`), ...teamIds.map((id) => `team:${String(id)}`)];
}
