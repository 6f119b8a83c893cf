import { describe, expect, it } from 'vitest';
import { chooseEscalationTeam, escalatedFromAfter, escalationCandidates, isAbove, nextLevel } from '../../../src/domain/escalation.js';
import { DEFAULT_SLA_POLICY, nextSlaEvent, slaDueTimes, validateSlaPolicy, type SlaClockInput, type SlaPolicy, type SlaTargets } from '../../../src/domain/sla.js';
import { ticketAccessKeys } from '../../../src/domain/teams.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../../../src/domain/ticket-status.js';

/** An id compared by its text, like an ObjectId's `equals`. */
const id = (hex: string) => ({ hex, equals: (other: unknown) => (other as { hex?: string } | null)?.hex === hex, toString: () => hex });
const inbox = id('inbox');
const elsewhere = id('elsewhere');
const team = (name: string, level: 'L1' | 'L2' | 'L3' | 'L4', inboxes = [inbox]) => ({ _id: id(name), name, level, inboxIds: inboxes });
const desk = team('desk', 'L1');
const network = team('network', 'L2');
const servers = team('servers', 'L2');
const foreign = team('foreign', 'L2', [elsewhere]);
const experts = team('experts', 'L3');
const partner = team('partner', 'L4');
const all = [desk, network, servers, foreign, experts, partner];

describe('the next level', () => {
  it('is the level above; a ticket without a team starts at L1; nothing lies above L4', () => {
    expect([nextLevel('L1'), nextLevel('L2'), nextLevel('L3'), nextLevel('L4'), nextLevel(null)]).toEqual(['L2', 'L3', 'L4', null, 'L2']);
    expect(isAbove('L3', 'L1')).toBe(true);
    expect(isAbove('L2', 'L2')).toBe(false);
    expect(isAbove('L1', null)).toBe(false);
  });

  it('offers the teams of the next level that work the ticket’s inbox, never another inbox’s or its own', () => {
    expect(escalationCandidates(all, { inboxId: inbox, teamId: desk._id, level: 'L1' }).map((t) => t.name)).toEqual(['network', 'servers']);
    expect(escalationCandidates(all, { inboxId: inbox, teamId: null, level: null }).map((t) => t.name)).toEqual(['network', 'servers']);
    expect(escalationCandidates(all, { inboxId: inbox, teamId: network._id, level: 'L2' }).map((t) => t.name)).toEqual(['experts']);
    expect(escalationCandidates(all, { inboxId: elsewhere, teamId: null, level: null }).map((t) => t.name)).toEqual(['foreign']);
    expect(escalationCandidates(all, { inboxId: inbox, teamId: partner._id, level: 'L4' })).toEqual([]);
  });

  it('skips a level when asked for a higher one, but never goes down or sideways', () => {
    expect(escalationCandidates(all, { inboxId: inbox, teamId: desk._id, level: 'L1' }, 'L3').map((t) => t.name)).toEqual(['experts']);
    expect(escalationCandidates(all, { inboxId: inbox, teamId: network._id, level: 'L2' }, 'L2')).toEqual([]);
    expect(escalationCandidates(all, { inboxId: inbox, teamId: experts._id, level: 'L3' }, 'L2')).toEqual([]);
  });
});

describe('choosing the team', () => {
  it('takes the only candidate, asks when there are several, and refuses a team that is not a candidate', () => {
    expect(chooseEscalationTeam([experts], null)).toEqual({ ok: true, team: experts });
    expect(chooseEscalationTeam([network, servers], null)).toEqual({ ok: false, reason: 'choose' });
    expect(chooseEscalationTeam([network, servers], servers._id)).toEqual({ ok: true, team: servers });
    expect(chooseEscalationTeam([network, servers], experts._id)).toEqual({ ok: false, reason: 'not-candidate' });
    expect(chooseEscalationTeam([], null)).toEqual({ ok: false, reason: 'none' });
  });

  it('keeps every team the ticket left, and gives a team it comes back to its ticket again', () => {
    expect(escalatedFromAfter([], desk._id, network._id).map(String)).toEqual(['desk']);
    expect(escalatedFromAfter([desk._id], network._id, experts._id).map(String)).toEqual(['desk', 'network']);
    expect(escalatedFromAfter([desk._id, network._id], experts._id, network._id).map(String)).toEqual(['desk', 'experts']);
    expect(escalatedFromAfter([], null, network._id)).toEqual([]);
  });

  it('gives the teams escalated from an access key each, once', () => {
    expect(ticketAccessKeys('i1', 't2', ['t1', 't2', 't1'])).toEqual(['inbox:i1', 'team:t2', 'team:t1']);
    expect(ticketAccessKeys('i1', null)).toEqual(['inbox:i1']);
  });
});

const H = 3600;
const same = (t: SlaTargets) => Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, t])) as Record<TicketPriority, SlaTargets>;
/** Priority targets 1 h / 4 h / 24 h; L2 has its own 30 min / 2 h / 8 h. */
const policy: SlaPolicy = {
  ...DEFAULT_SLA_POLICY,
  targets: same({ firstResponseSeconds: H, nextResponseSeconds: 4 * H, resolutionSeconds: 24 * H }),
  levelTargets: { L2: same({ firstResponseSeconds: H / 2, nextResponseSeconds: 2 * H, resolutionSeconds: 8 * H }) },
};
const created = new Date('2026-03-02T08:00:00.000Z');
const later = (seconds: number) => new Date(created.getTime() + seconds * 1000);
const input = (over: Partial<SlaClockInput>): SlaClockInput => ({
  policy, priority: 'normal', level: null, status: 'open', createdAt: created, firstRespondedAt: null, awaitingSince: null, pausedBusinessSeconds: 0, pausedAt: null, now: later(3 * H), ...over,
});

describe('SLA targets per level after an escalation', () => {
  it('counts every clock from the escalation with the new level’s targets', () => {
    const escalated = later(3 * H);
    expect(slaDueTimes(input({ level: 'L1' }))).toEqual({ firstResponseDueAt: later(H), nextResponseDueAt: null, resolutionDueAt: later(24 * H) });
    expect(slaDueTimes(input({ level: 'L2', levelSince: escalated }))).toEqual({ firstResponseDueAt: later(3.5 * H), nextResponseDueAt: null, resolutionDueAt: later(11 * H) });
    // Answered before: next response counts from the later of the customer's message and the escalation.
    const answered = input({ level: 'L2', levelSince: escalated, firstRespondedAt: later(H), awaitingSince: later(2 * H) });
    expect(slaDueTimes(answered).nextResponseDueAt).toEqual(later(5 * H));
    expect(slaDueTimes({ ...answered, awaitingSince: later(4 * H) }).nextResponseDueAt).toEqual(later(6 * H));
  });

  it('uses the priority targets for a level without its own, and counts pauses after the escalation on top', () => {
    const escalated = later(3 * H);
    expect(slaDueTimes(input({ level: 'L3', levelSince: escalated, pausedBusinessSeconds: H })).resolutionDueAt).toEqual(later(28 * H));
  });

  it('plans a fresh breach for the new due time, whatever breached before', () => {
    const escalated = later(3 * H);
    const event = nextSlaEvent({ ...input({ level: 'L2', levelSince: escalated, now: later(3 * H) }), escalationLevel: 0, remindedFor: [], breachedFor: [`firstResponse:${later(H).toISOString()}:breach`] });
    expect(event).toMatchObject({ kind: 'reminder', clock: 'firstResponse' });
    expect(event!.at.getTime()).toBeGreaterThan(escalated.getTime());
  });

  it('accepts a ladder step that escalates to a level, and refuses one that names no level', () => {
    const rung = { level: 1, name: 'Team lead', userIds: [], afterSeconds: 0 };
    const ok = validateSlaPolicy({ ...policy, ladder: [{ ...rung, escalateTo: 'L2' }] });
    expect(ok.ok && ok.value.ladder[0]).toEqual({ ...rung, escalateTo: 'L2' });
    const plain = validateSlaPolicy({ ...policy, ladder: [{ ...rung, escalateTo: null }] });
    expect(plain.ok && plain.value.ladder[0]).toEqual(rung);
    expect(validateSlaPolicy({ ...policy, ladder: [{ ...rung, escalateTo: 'L9' }] })).toEqual({ ok: false, issues: [{ path: 'ladder.0.escalateTo', message: 'must be a support level (L1–L4) or null' }] });
  });
});
