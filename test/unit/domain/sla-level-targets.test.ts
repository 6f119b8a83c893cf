import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY, slaDueTimes, targetsFor, validateSlaPolicy, type SlaClockInput, type SlaPolicy, type SlaTargets } from '../../../src/domain/sla.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../../../src/domain/ticket-status.js';

const H = 3600;
const t0 = new Date('2026-11-21T10:00:00.000Z');
const plus = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const same = (t: SlaTargets): Record<TicketPriority, SlaTargets> => Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, t])) as Record<TicketPriority, SlaTargets>;
const l2Table = { ...same({ firstResponseSeconds: 2 * H, nextResponseSeconds: 3 * H, resolutionSeconds: 40 * H }), urgent: { firstResponseSeconds: 30 * 60, nextResponseSeconds: null, resolutionSeconds: 4 * H } };
const policy: SlaPolicy = { ...DEFAULT_SLA_POLICY, levelTargets: { L2: l2Table } };
const clock = (over: Partial<SlaClockInput> = {}): SlaClockInput => ({
  policy,
  priority: 'urgent',
  level: null,
  status: 'open',
  createdAt: t0,
  firstRespondedAt: null,
  awaitingSince: null,
  pausedBusinessSeconds: 0,
  pausedAt: null,
  now: t0,
  ...over,
});

describe('targetsFor', () => {
  it("takes the level's own table when the policy has one for the ticket's level", () => {
    expect(targetsFor(policy, 'urgent', 'L2')).toEqual({ firstResponseSeconds: 30 * 60, nextResponseSeconds: null, resolutionSeconds: 4 * H });
    expect(targetsFor(policy, 'low', 'L2')).toEqual({ firstResponseSeconds: 2 * H, nextResponseSeconds: 3 * H, resolutionSeconds: 40 * H });
  });

  it('falls back to the priority targets for a level without its own table, and for a ticket without a team', () => {
    expect(targetsFor(policy, 'urgent', 'L1')).toBe(policy.targets.urgent);
    expect(targetsFor(policy, 'normal', null)).toBe(policy.targets.normal);
    // A policy stored before level targets existed has no field at all.
    const { levelTargets: _dropped, ...old } = policy;
    expect(targetsFor(old, 'urgent', 'L2')).toBe(policy.targets.urgent);
  });
});

describe('slaDueTimes with level targets', () => {
  it("plans an L2 ticket on the L2 table and the same ticket without a team on the priority's", () => {
    expect(slaDueTimes(clock({ level: 'L2' }))).toEqual({ firstResponseDueAt: plus(30 * 60), nextResponseDueAt: null, resolutionDueAt: plus(4 * H) });
    expect(slaDueTimes(clock({ level: null }))).toEqual({ firstResponseDueAt: plus(H), nextResponseDueAt: null, resolutionDueAt: plus(8 * H) });
    expect(slaDueTimes(clock({ level: 'L3' }))).toEqual(slaDueTimes(clock({ level: null })));
  });

  it("skips a clock the level's table leaves without a target even when the priority targets set one", () => {
    const answered = clock({ level: 'L2', firstRespondedAt: plus(60), awaitingSince: plus(120) });
    expect(slaDueTimes(answered).nextResponseDueAt).toBeNull();
    expect(slaDueTimes({ ...answered, level: null }).nextResponseDueAt).toEqual(plus(120 + 2 * H));
  });
});

describe('validateSlaPolicy levelTargets', () => {
  const issuesOf = (input: unknown) => {
    const result = validateSlaPolicy(input);
    return result.ok ? [] : result.issues;
  };
  const withLevels = (levelTargets: unknown) => ({ targets: DEFAULT_SLA_POLICY.targets, levelTargets });

  it('keeps the level tables in level order, copied, and reads an absent or null field as none', () => {
    const l4 = same({ firstResponseSeconds: 48 * H, nextResponseSeconds: null, resolutionSeconds: null });
    const result = validateSlaPolicy(withLevels({ L4: l4, L2: l2Table }));
    expect(result.ok && result.value.levelTargets).toEqual({ L2: l2Table, L4: l4 });
    expect(result.ok && Object.keys(result.value.levelTargets ?? {})).toEqual(['L2', 'L4']);
    expect(result.ok && result.value.levelTargets?.L2).not.toBe(l2Table);
    expect(result.ok && result.value.levelTargets?.L2?.urgent).not.toBe(l2Table.urgent);
    for (const absent of [{ targets: DEFAULT_SLA_POLICY.targets }, withLevels(null), withLevels({})]) {
      const checked = validateSlaPolicy(absent);
      expect(checked.ok && checked.value.levelTargets).toEqual({});
    }
  });

  it.each([
    ['an unknown level', withLevels({ L5: l2Table }), 'levelTargets.L5', 'is not a known field'],
    ['a level name in lower case', withLevels({ l2: l2Table }), 'levelTargets.l2', 'is not a known field'],
    ['levels that are not an object', withLevels([l2Table]), 'levelTargets', 'one entry per support level'],
    ['a level table that is not an object', withLevels({ L1: 'fast' }), 'levelTargets.L1', 'one entry per priority'],
    ['a missing priority', withLevels({ L3: { low: l2Table.low, normal: l2Table.normal, high: l2Table.high } }), 'levelTargets.L3.urgent', 'is required'],
    ['an unknown priority', withLevels({ L2: { ...l2Table, critical: l2Table.low } }), 'levelTargets.L2.critical', 'is not a known field'],
    ['a zero target', withLevels({ L2: { ...l2Table, urgent: { ...l2Table.urgent, firstResponseSeconds: 0 } } }), 'levelTargets.L2.urgent.firstResponseSeconds', 'whole number'],
    ['a missing target', withLevels({ L4: { ...l2Table, high: { firstResponseSeconds: 60, nextResponseSeconds: 60 } } }), 'levelTargets.L4.high.resolutionSeconds', 'null for no target'],
    ['an unknown target field', withLevels({ L1: { ...l2Table, low: { ...l2Table.low, pauseSeconds: 5 } } }), 'levelTargets.L1.low.pauseSeconds', 'is not a known field'],
  ])('names the path for %s', (_name, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(message);
  });
});
