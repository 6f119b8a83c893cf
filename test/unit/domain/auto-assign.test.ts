import { describe, expect, it } from 'vitest';
import { canTakeTicket, chooseAssignee, openSpread, type AssignmentCandidate, type AssignmentSettings } from '../../../src/domain/auto-assign.js';

const member = (id: string, open = 0, extra: Partial<AssignmentCandidate> = {}): AssignmentCandidate => ({ id, open, away: false, disabled: false, ...extra });
const rr = (cap: number | null = null): AssignmentSettings => ({ mode: 'round_robin', cap });
const least = (cap: number | null = null): AssignmentSettings => ({ mode: 'least_open', cap });

/** Runs `n` assignments, each adding an open ticket to the chosen member; returns who got them, in order. */
function run(settings: AssignmentSettings, members: AssignmentCandidate[], n: number, pointer = 0): { order: string[]; pointer: number } {
  const order: string[] = [];
  for (let i = 0; i < n; i++) {
    const choice = chooseAssignee({ settings, pointer, members });
    if (choice.kind !== 'assign') break;
    order.push(choice.id);
    members[choice.index]!.open++;
    pointer = choice.nextPointer;
  }
  return { order, pointer };
}

describe('round robin', () => {
  it('takes turns in member order, from where the pointer stopped', () => {
    expect(run(rr(), [member('a'), member('b'), member('c')], 7).order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    expect(run(rr(), [member('a'), member('b'), member('c')], 4, 2).order).toEqual(['c', 'a', 'b', 'c']);
    // A pointer past the end (members left the team) wraps around.
    expect(run(rr(), [member('a'), member('b')], 2, 7).order).toEqual(['b', 'a']);
  });

  it('passes over members who are away or disabled, and gives them no turn until they are back', () => {
    const members = [member('a'), member('b', 0, { away: true }), member('c'), member('d', 0, { disabled: true })];
    expect(run(rr(), members, 4).order).toEqual(['a', 'c', 'a', 'c']);
  });

  it('passes over a member at the cap', () => {
    const members = [member('a', 2), member('b', 1), member('c', 1)];
    const { order } = run(rr(2), members, 3);
    expect(order).toEqual(['b', 'c']);
    expect(members.map((m) => m.open)).toEqual([2, 2, 2]);
  });

  it('lets the others catch up with a member ahead of them (a ticket solved unevenly)', () => {
    // c's ticket was solved: c is one behind, so c gets the next ticket whoever's turn it is.
    const members = [member('a', 3), member('b', 3), member('c', 2)];
    expect(chooseAssignee({ settings: rr(), pointer: 0, members })).toMatchObject({ kind: 'assign', id: 'c', nextPointer: 3 });
  });

  it('keeps max − min open ≤ 1 however unevenly tickets are solved', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const members = Array.from({ length: 8 }, (_, i) => member(`m${i}`));
    let pointer = 0;
    for (let step = 0; step < 5000; step++) {
      // Someone solves one of their tickets about as often as tickets come, at random.
      const solvers = members.filter((m) => m.open > 0);
      if (random() < 0.9 && solvers.length > 0) solvers[Math.floor(random() * solvers.length)]!.open--;
      const choice = chooseAssignee({ settings: rr(), pointer, members });
      expect(choice.kind).toBe('assign');
      if (choice.kind === 'assign') {
        members[choice.index]!.open++;
        pointer = choice.nextPointer;
      }
      expect(openSpread(members)).toBeLessThanOrEqual(1);
    }
  });

  it('gives a member back from away the next tickets until they caught up, then turns rotate again', () => {
    const members = [member('a', 5), member('b', 5), member('c', 2)];
    const { order } = run(rr(), members, 9);
    expect(order).toEqual(['c', 'c', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    expect(openSpread(members)).toBe(0);
  });
});

describe('least open', () => {
  it('gives the ticket to whoever has the fewest open, a tie to the first in member order', () => {
    expect(chooseAssignee({ settings: least(), pointer: 5, members: [member('a', 4), member('b', 2), member('c', 2)] })).toMatchObject({ kind: 'assign', id: 'b', nextPointer: 5 });
    expect(run(least(), [member('a'), member('b'), member('c')], 4).order).toEqual(['a', 'b', 'c', 'a']);
  });

  it('passes over members away or at the cap even when they have the fewest', () => {
    const members = [member('a', 0, { away: true }), member('b', 3), member('c', 1)];
    expect(chooseAssignee({ settings: least(3), pointer: 0, members })).toMatchObject({ id: 'c' });
  });
});

describe('nobody available', () => {
  it('when every member is away, disabled or at the cap', () => {
    const members = [member('a', 0, { away: true }), member('b', 5), member('c', 0, { disabled: true })];
    expect(chooseAssignee({ settings: rr(5), pointer: 0, members })).toEqual({ kind: 'none', reason: 'all_unavailable' });
    expect(chooseAssignee({ settings: least(5), pointer: 0, members })).toEqual({ kind: 'none', reason: 'all_unavailable' });
  });

  it('when the team has no members or no mode', () => {
    expect(chooseAssignee({ settings: rr(), pointer: 0, members: [] })).toEqual({ kind: 'none', reason: 'no_members' });
    expect(chooseAssignee({ settings: { mode: 'none', cap: null }, pointer: 0, members: [member('a')] })).toEqual({ kind: 'none', reason: 'mode_none' });
  });

  it('a cap of 0 lets nobody take a ticket', () => {
    expect(canTakeTicket(member('a'), 0)).toBe(false);
    expect(canTakeTicket(member('a', 9), null)).toBe(true);
  });
});
