/**
 * Auto-assignment within a team: which member gets the next ticket. Pure: the caller reads the
 * members' open tickets, away and disabled flags and the team's round-robin pointer, and stores the
 * pointer this returns.
 */

/** How a team hands out tickets: not at all, in turns, or to whoever has the fewest open. */
export const ASSIGNMENT_MODES = ['none', 'round_robin', 'least_open'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** The highest per-agent cap a team may set. */
export const ASSIGNMENT_CAP_MAX = 10_000;

/** A team's assignment settings: the mode, and the most open tickets per agent (null: no cap). */
export interface AssignmentSettings {
  mode: AssignmentMode;
  cap: number | null;
}

/** The settings of a team stored before auto-assignment: none. */
export const NO_ASSIGNMENT: AssignmentSettings = { mode: 'none', cap: null };

/** One member as the choice weighs them: their open tickets in the team, and whether they can take one. */
export interface AssignmentCandidate {
  id: string;
  open: number;
  away: boolean;
  disabled: boolean;
}

/** The choice: a member (with the pointer to store), or nobody and why. */
export type AssignmentChoice =
  | { kind: 'assign'; id: string; index: number; nextPointer: number }
  | { kind: 'none'; reason: 'mode_none' | 'no_members' | 'all_unavailable' };

/** Whether a member can take one more ticket: not away, not disabled, and under the cap. */
export function canTakeTicket(member: AssignmentCandidate, cap: number | null): boolean {
  return !member.away && !member.disabled && (cap === null || member.open < cap);
}

/**
 * Picks the member who gets the next ticket of a team.
 *
 * - `round_robin`: turns in member order, starting where the last turn stopped (`pointer`, any
 *   non-negative integer; taken modulo the team's size). A member away, disabled or at the cap is
 *   passed over, and so is one with more open tickets than the least loaded member who can take one:
 *   they wait for the others to catch up. So the turns rotate, and the open tickets of the members who
 *   can take one stay within one of each other however unevenly tickets are solved.
 * - `least_open`: the member with the fewest open tickets; a tie goes to the first in member order.
 *   The pointer is kept as it is.
 *
 * Nobody (`all_unavailable`) when every member is away, disabled or at the cap: the ticket waits.
 */
export function chooseAssignee(input: { settings: AssignmentSettings; pointer: number; members: readonly AssignmentCandidate[] }): AssignmentChoice {
  const { settings, members } = input;
  if (settings.mode === 'none') return { kind: 'none', reason: 'mode_none' };
  if (members.length === 0) return { kind: 'none', reason: 'no_members' };
  const able = members.filter((m) => canTakeTicket(m, settings.cap));
  if (able.length === 0) return { kind: 'none', reason: 'all_unavailable' };
  const least = Math.min(...able.map((m) => m.open));
  const n = members.length;
  const pointer = Number.isFinite(input.pointer) && input.pointer > 0 ? Math.floor(input.pointer) : 0;
  const start = settings.mode === 'round_robin' ? pointer % n : 0;
  for (let step = 0; step < n; step++) {
    const index = (start + step) % n;
    const member = members[index]!;
    if (canTakeTicket(member, settings.cap) && member.open === least) {
      return { kind: 'assign', id: member.id, index, nextPointer: settings.mode === 'round_robin' ? index + 1 : pointer };
    }
  }
  // Unreachable: the least loaded able member is among them.
  return { kind: 'none', reason: 'all_unavailable' };
}

/** The gap between the most and the least open tickets among these members (0 for none): the balance figure. */
export function openSpread(members: ReadonlyArray<Pick<AssignmentCandidate, 'open'>>): number {
  if (members.length === 0) return 0;
  const counts = members.map((m) => m.open);
  return Math.max(...counts) - Math.min(...counts);
}
