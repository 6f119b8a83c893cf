import { describe, expect, it } from 'vitest';
import type { BusinessHours, Weekday } from '../../../src/domain/business-hours.js';
import { agentStartedOrigin, onAgentReply, transition } from '../../../src/domain/ticket.js';
import {
  backlogAgeSeconds,
  durationSeconds,
  isReopen,
  metricChanges,
  metricsCalendarOf,
  percentile,
  slaAttainment,
  slaCalendarOf,
  type MetricsTicketState,
} from '../../../src/domain/ticket-metrics.js';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';

const d = (iso: string) => new Date(iso);
// Monday to Friday, 09:00–17:00 UTC. 2026-11-20 is a Friday.
const weekdays: BusinessHours = { timeZone: 'UTC', weekly: ([1, 2, 3, 4, 5] as Weekday[]).map((day) => ({ day, open: '09:00', close: '17:00' })), holidays: [] };
const created = d('2026-11-20T16:00:00Z');
const ticket = (over: Partial<MetricsTicketState> = {}): MetricsTicketState => ({ status: 'open', createdAt: created, ...over });

describe('first response', () => {
  it('runs from the first customer message to the first agent reply, in calendar and business time across a weekend', () => {
    const at = d('2026-11-23T10:00:00Z');
    const { changes } = onAgentReply({ status: 'open' }, at);
    const m = metricChanges(ticket(), changes, at, weekdays);
    // Friday 16:00 → Monday 10:00: 66 hours of calendar time, 1 + 1 business hours.
    expect(m).toMatchObject({ firstResponseAt: at, firstResponseSeconds: 66 * 3600, firstResponseBusinessSeconds: 7200 });
  });

  it('counts business time equal to calendar time without business hours', () => {
    expect(durationSeconds(created, d('2026-11-23T10:00:00Z'), null)).toEqual({ seconds: 66 * 3600, businessSeconds: 66 * 3600 });
    expect(slaCalendarOf(null)).toBeNull();
    expect(slaCalendarOf({ ...DEFAULT_SLA_POLICY, businessHours: weekdays })).toEqual(weekdays);
  });

  it('is recorded once: a later reply changes nothing', () => {
    const at = d('2026-11-23T10:00:00Z');
    const first = metricChanges(ticket(), { sla: { firstRespondedAt: at } }, at, null)!;
    expect(metricChanges(ticket({ metrics: first }), { sla: { firstRespondedAt: d('2026-11-24T10:00:00Z') } }, at, null)).toBeNull();
  });

  it('has none for a conversation an agent started', () => {
    const at = d('2026-11-20T16:00:01Z');
    const started = ticket({ originKey: agentStartedOrigin('65a000000000000000000001', 'r1') });
    expect(metricChanges(started, onAgentReply({ status: 'new' }, at).changes, at, null)).toBeNull();
  });

  it('is not given by an auto-reply: only the agent reply rule records a first reply', () => {
    // An auto-reply writes no status and no first reply to the ticket: nothing to measure.
    expect(metricChanges(ticket({ status: 'new' }), { sla: { firstRespondedAt: null } }, d('2026-11-20T16:00:05Z'), null)).toBeNull();
  });

  it('is met in time, breached when late or when a breach was recorded, and null without a target', () => {
    const due = d('2026-11-21T16:00:00Z');
    expect(slaAttainment('firstResponse', d('2026-11-21T15:00:00Z'), due, [])).toBe('met');
    expect(slaAttainment('firstResponse', d('2026-11-21T17:00:00Z'), due, [])).toBe('breached');
    expect(slaAttainment('firstResponse', d('2026-11-21T15:00:00Z'), null, [`firstResponse:${due.toISOString()}:breach`])).toBe('breached');
    expect(slaAttainment('firstResponse', d('2026-11-21T15:00:00Z'), null, [])).toBeNull();
    const m = metricChanges(ticket({ sla: { firstResponseDueAt: due } }), { sla: { firstRespondedAt: d('2026-11-21T17:00:00Z') } }, d('2026-11-21T17:00:00Z'), null);
    expect(m?.sla).toEqual({ firstResponse: 'breached' });
  });
});

describe('resolution and reopens', () => {
  it('runs to the transition to solved, with the resolution target judged then', () => {
    const at = d('2026-11-24T09:00:00Z');
    const change = transition({ status: 'open' }, 'solved', at)!;
    const m = metricChanges(ticket({ sla: { resolutionDueAt: d('2026-11-25T00:00:00Z') } }), change, at, weekdays);
    // Friday 16:00 → Tuesday 09:00: 89 calendar hours; 1 + 8 business hours.
    expect(m).toMatchObject({ lastSolvedAt: at, resolutionSeconds: 89 * 3600, resolutionBusinessSeconds: 9 * 3600, sla: { resolution: 'met', nextResponse: null } });
  });

  it('judges a ticket solved while pending by its resolution target, the pause not charged (regression: attainment was null)', () => {
    // Pending since Monday 10:00; the stopped clocks store no due time. It ran Friday 16:00→17:00 and
    // Monday 09:00→10:00 (2 business hours), then was paused Monday 10:00→17:00 and Tuesday 09:00→11:00 (9).
    const paused = ticket({ status: 'pending', sla: { resolutionDueAt: null, pausedAt: d('2026-11-23T10:00:00Z'), pausedSeconds: 0 } });
    const at = d('2026-11-24T11:00:00Z');
    const change = transition({ status: 'pending' }, 'solved', at)!;
    // Target 3 h: due Friday 16:00 + 3 + 9 business hours = Tuesday 12:00, after 11:00 → met.
    expect(metricChanges(paused, change, at, weekdays, 3 * 3600)?.sla?.resolution).toBe('met');
    // Target 1 h: due Friday 16:00 + 1 + 9 business hours = Tuesday 10:00, before 11:00 → breached.
    expect(metricChanges(paused, change, at, weekdays, 3600)?.sla?.resolution).toBe('breached');
    // No target: not judged.
    expect(metricChanges(paused, change, at, weekdays)?.sla?.resolution).toBeNull();
  });

  it('takes the resolution target of the team level when the policy has level targets', () => {
    const policy = { ...DEFAULT_SLA_POLICY, levelTargets: { L2: { ...DEFAULT_SLA_POLICY.targets, high: { firstResponseSeconds: 60, nextResponseSeconds: 60, resolutionSeconds: 120 } } } };
    expect(metricsCalendarOf(policy, 'high', 'L2')).toEqual({ hours: null, resolutionTargetSeconds: 120 });
    expect(metricsCalendarOf(policy, 'high', null).resolutionTargetSeconds).toBe(24 * 3600);
    // No stored policy, or one that no longer validates: the default one, 24/7.
    expect(metricsCalendarOf(null, 'urgent', null)).toEqual({ hours: null, resolutionTargetSeconds: 8 * 3600 });
    expect(metricsCalendarOf({ targets: 'broken' }, 'low', null)).toEqual({ hours: null, resolutionTargetSeconds: 120 * 3600 });
  });

  it('counts a reopen, and a re-solve takes the later solve', () => {
    const firstSolve = d('2026-11-21T16:00:00Z');
    const solved = metricChanges(ticket(), transition({ status: 'open' }, 'solved', firstSolve)!, firstSolve, null)!;
    expect(solved.resolutionSeconds).toBe(86_400);

    const reopenAt = d('2026-11-22T10:00:00Z');
    const reopened = metricChanges(ticket({ status: 'solved', metrics: solved }), transition({ status: 'solved' }, 'open', reopenAt)!, reopenAt, null)!;
    expect(reopened).toEqual({ reopenCount: 1 });

    const again = d('2026-11-23T16:00:00Z');
    const resolved = metricChanges(ticket({ metrics: { ...solved, ...reopened } }), transition({ status: 'open' }, 'solved', again)!, again, null)!;
    expect(resolved).toMatchObject({ lastSolvedAt: again, resolutionSeconds: 3 * 86_400 });

    const closedReopened = metricChanges(ticket({ status: 'closed', metrics: { ...solved, ...reopened, ...resolved } }), { status: 'open' }, again, null);
    expect(closedReopened).toEqual({ reopenCount: 2 });
  });

  it('treats only solved or closed back to active as a reopen (not spam, not closing)', () => {
    expect(isReopen('solved', 'open')).toBe(true);
    expect(isReopen('closed', 'pending')).toBe(true);
    expect(isReopen('spam', 'open')).toBe(false);
    expect(isReopen('solved', 'closed')).toBe(false);
    // Not spam, back to the solved status it had: no new solve.
    expect(metricChanges(ticket({ status: 'spam' }), { status: 'solved', solvedAt: d('2026-11-30T00:00:00Z') }, d('2026-11-30T00:00:00Z'), null)).toBeNull();
    // Closing a solved ticket (auto-close, merge) keeps its resolution: no metric change.
    expect(metricChanges(ticket({ status: 'solved' }), transition({ status: 'solved' }, 'closed', d('2026-11-30T00:00:00Z'))!, d('2026-11-30T00:00:00Z'), null)).toBeNull();
  });
});

describe('backlog and percentiles', () => {
  it('ages an open ticket from its creation to now', () => {
    expect(backlogAgeSeconds(created, d('2026-11-21T16:00:00Z'))).toBe(86_400);
    expect(backlogAgeSeconds(created, d('2026-11-19T16:00:00Z'))).toBe(0);
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9], 90)).toBe(9);
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([], 90)).toBeNull();
  });
});
