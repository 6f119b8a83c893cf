import { addBusinessSeconds, businessSecondsBetween, type BusinessHours } from './business-hours.js';
import { DEFAULT_SLA_POLICY, targetsFor, validateSlaPolicy } from './sla.js';
import type { TeamLevel } from './teams.js';
import { isAgentStarted } from './ticket.js';
import { ACTIVE_TICKET_STATUSES, type TicketPriority, type TicketStatus } from './ticket-status.js';

/**
 * The metric definitions every view uses (the digest today, the reports next). README "Metric
 * definitions" says the same in words.
 *
 * - **Start**: a ticket's first customer message. A ticket opened by a customer's mail is created
 *   when that mail is stored, so its `createdAt` is that moment.
 * - **First response**: from the start to the first agent reply. Auto-replies are not agent replies
 *   (they never reach the rules of an agent's reply). A conversation an agent started has none.
 * - **Resolution**: from the start to the LAST transition to solved: a ticket reopened and solved
 *   again counts from its later solve. A ticket solved and then closed keeps its resolution.
 * - Both in calendar seconds and in business seconds of the ticket's SLA calendar (the business hours
 *   of its inbox's SLA policy). An inbox without business hours (24/7, or no policy: the default one)
 *   counts business seconds equal to calendar seconds, never null.
 * - **SLA attainment** per target, judged when the clock stops: `met` when it stopped by its due time
 *   and no breach was recorded, `breached` when it stopped after its due time or a breach was
 *   recorded for that clock, null when the target did not run (no target, or unknown).
 * - **Reopens**: each move from solved or closed back to an active status counts one.
 * - **Backlog age**: from creation to now for an active ticket (computed when asked: it depends on now).
 * - **Volume**: new = tickets created in the period; solved = transitions to solved in the period
 *   (trail `status_changed` to solved), whoever made them; reopened = reopens in the period (trail
 *   `reopened`, by a customer's mail, or `status_changed` from solved or closed back to active).
 *
 * Metrics are stored on the ticket (`metrics`) by the write that makes the event happen; see
 * {@link metricChanges}.
 */
export type SlaAttainment = 'met' | 'breached' | null;

/** The metrics stored on a ticket; absent or null fields: the event has not happened (or does not apply). */
export interface TicketMetrics {
  /** When the first agent reply was given (null for an agent-started conversation). */
  firstResponseAt?: Date | null;
  firstResponseSeconds?: number | null;
  firstResponseBusinessSeconds?: number | null;
  /** When the ticket last became solved; kept when it is closed, and when it is reopened (until solved again). */
  lastSolvedAt?: Date | null;
  resolutionSeconds?: number | null;
  resolutionBusinessSeconds?: number | null;
  /** How many times it went from solved or closed back to an active status. */
  reopenCount?: number;
  sla?: { firstResponse?: SlaAttainment; nextResponse?: SlaAttainment; resolution?: SlaAttainment };
}

/** What the metric rules read of a ticket before a write. */
export interface MetricsTicketState {
  status: TicketStatus;
  createdAt: Date;
  originKey?: string | null;
  metrics?: TicketMetrics | null;
  sla?: {
    firstResponseDueAt?: Date | null;
    nextResponseDueAt?: Date | null;
    resolutionDueAt?: Date | null;
    done?: string[] | null;
    /** The pause bookkeeping of `pending` (domain/sla.ts): business seconds paused so far, and since when it is paused now. */
    pausedSeconds?: number | null;
    pausedAt?: Date | null;
    /** When the ticket reached its level by escalation: its clocks count from then. */
    levelSince?: Date | null;
  } | null;
}

/** The SLA calendar of a ticket and its resolution target in business seconds (null: none), for {@link metricChanges}. */
export interface MetricsCalendar {
  hours: BusinessHours | null;
  resolutionTargetSeconds: number | null;
}

/** What a write asks of a ticket, as far as the metrics care. */
export interface MetricsWriteChanges {
  status?: TicketStatus;
  solvedAt?: Date | null;
  sla?: { firstRespondedAt?: Date | null } | null;
}

/**
 * The SLA calendar of a ticket from its inbox's stored policy: the policy's business hours; null
 * (24/7) for no policy (the default one is 24/7) and for a stored policy that no longer validates.
 */
export function slaCalendarOf(storedPolicy: unknown): BusinessHours | null {
  if (storedPolicy == null) return null;
  const checked = validateSlaPolicy(storedPolicy);
  return checked.ok ? checked.value.businessHours : null;
}

/**
 * The calendar and resolution target of a ticket from its inbox's stored policy (the default policy
 * for none or one that no longer validates, as the SLA clocks do), its priority and team level.
 */
export function metricsCalendarOf(storedPolicy: unknown, priority: TicketPriority, level: TeamLevel | null): MetricsCalendar {
  const checked = storedPolicy == null ? null : validateSlaPolicy(storedPolicy);
  const policy = checked?.ok ? checked.value : DEFAULT_SLA_POLICY;
  return { hours: checked?.ok ? checked.value.businessHours : null, resolutionTargetSeconds: targetsFor(policy, priority, level).resolutionSeconds };
}

/**
 * The resolution due time of a ticket solved at `at` while its clocks were stopped (pending, or with
 * a partner): the stored due time is null then, so it is worked out as the resolution clock would
 * have it running: from creation (or the escalation), shifted by all the time paused up to `at`.
 */
function resolutionDueAt(ticket: MetricsTicketState, at: Date, hours: BusinessHours | null, targetSeconds: number | null): Date | null {
  if (ticket.sla?.resolutionDueAt) return ticket.sla.resolutionDueAt;
  return ticket.sla?.pausedAt ? resolutionDueByTarget(ticket, at, hours, targetSeconds) : null;
}

/**
 * When the resolution clock of a ticket would fall due, from its target: from creation (or its
 * escalation), shifted by the business time paused (`sla.pausedSeconds`, plus a pause still running
 * at `at`). Null without a target.
 */
export function resolutionDueByTarget(ticket: Pick<MetricsTicketState, 'createdAt' | 'sla'>, at: Date, hours: BusinessHours | null, targetSeconds: number | null): Date | null {
  if (targetSeconds === null) return null;
  const sla = ticket.sla;
  const paused = (sla?.pausedSeconds ?? 0) + (sla?.pausedAt ? businessSecondsBetween(sla.pausedAt, at, hours) : 0);
  const since = sla?.levelSince && sla.levelSince > ticket.createdAt ? sla.levelSince : ticket.createdAt;
  return addBusinessSeconds(since, targetSeconds + paused, hours);
}

/** Calendar and business seconds between two instants (0 when `to` is not after `from`), whole seconds. */
export function durationSeconds(from: Date, to: Date, hours: BusinessHours | null): { seconds: number; businessSeconds: number } {
  const seconds = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return { seconds, businessSeconds: Math.round(businessSecondsBetween(from, to, hours)) };
}

/** Whether an SLA clock breached, from the breaches the SLA job recorded (`<clock>:<due>:breach` keys). */
function breachRecorded(done: readonly string[] | null | undefined, clock: string): boolean {
  return (done ?? []).some((key) => key.startsWith(`${clock}:`) && key.endsWith(':breach'));
}

/**
 * The attainment of one SLA clock stopped at `at`: breached when a breach was recorded or `at` is past
 * its due time, met when it had a due time and stopped in time, null when it had neither.
 */
export function slaAttainment(clock: 'firstResponse' | 'nextResponse' | 'resolution', at: Date, dueAt: Date | null | undefined, done: readonly string[] | null | undefined): SlaAttainment {
  if (breachRecorded(done, clock) || (dueAt && at > dueAt)) return 'breached';
  return dueAt ? 'met' : null;
}

/** The first-response metrics of an agent reply at `at`; null when already recorded, or for an agent-started conversation. */
export function firstResponseMetrics(ticket: MetricsTicketState, at: Date, hours: BusinessHours | null): TicketMetrics | null {
  if (ticket.metrics?.firstResponseAt || isAgentStarted(ticket)) return null;
  const d = durationSeconds(ticket.createdAt, at, hours);
  return {
    firstResponseAt: at,
    firstResponseSeconds: d.seconds,
    firstResponseBusinessSeconds: d.businessSeconds,
    sla: { firstResponse: slaAttainment('firstResponse', at, ticket.sla?.firstResponseDueAt, ticket.sla?.done) },
  };
}

/**
 * The resolution metrics of a transition to solved at `at`: always the latest solve.
 * `resolutionTargetSeconds` judges a ticket solved while its clocks were stopped (see {@link metricsCalendarOf}).
 */
export function resolutionMetrics(ticket: MetricsTicketState, at: Date, hours: BusinessHours | null, resolutionTargetSeconds: number | null = null): TicketMetrics {
  const d = durationSeconds(ticket.createdAt, at, hours);
  const done = ticket.sla?.done;
  const nextResponse: SlaAttainment = breachRecorded(done, 'nextResponse') ? 'breached' : (ticket.metrics?.sla?.nextResponse ?? (ticket.sla?.nextResponseDueAt ? slaAttainment('nextResponse', at, ticket.sla.nextResponseDueAt, done) : null));
  return {
    lastSolvedAt: at,
    resolutionSeconds: d.seconds,
    resolutionBusinessSeconds: d.businessSeconds,
    sla: { resolution: slaAttainment('resolution', at, resolutionDueAt(ticket, at, hours, resolutionTargetSeconds), done), nextResponse },
  };
}

const isActive = (s: TicketStatus) => (ACTIVE_TICKET_STATUSES as readonly TicketStatus[]).includes(s);

/** Whether a status change reopens a ticket: from solved or closed back to an active status. */
export function isReopen(from: TicketStatus, to: TicketStatus): boolean {
  return (from === 'solved' || from === 'closed') && isActive(to);
}

/**
 * The metric changes of one write to a ticket (null: none): a first response when the write records
 * the first agent reply (`sla.firstRespondedAt`), the resolution when it moves the ticket to solved
 * (not when it returns from Spam to the solved status it had),
 * one more reopen when it moves a solved or closed ticket back to an active status. `hours`: the
 * ticket's SLA calendar (null: 24/7). The ticket store applies them in the same update as the write.
 */
export function metricChanges(ticket: MetricsTicketState, changes: MetricsWriteChanges, now: Date, hours: BusinessHours | null, resolutionTargetSeconds: number | null = null): TicketMetrics | null {
  let out: TicketMetrics = {};
  const firstAt = changes.sla?.firstRespondedAt;
  if (firstAt) {
    const first = firstResponseMetrics(ticket, firstAt, hours);
    if (first) out = { ...out, ...first, sla: { ...out.sla, ...first.sla } };
  }
  const to = changes.status;
  if (to && to !== ticket.status) {
    // Back from Spam to the solved status it had is no new solve.
    if (to === 'solved' && ticket.status !== 'spam') {
      const resolved = resolutionMetrics(ticket, changes.solvedAt ?? now, hours, resolutionTargetSeconds);
      out = { ...out, ...resolved, sla: { ...out.sla, ...resolved.sla } };
    }
    if (isReopen(ticket.status, to)) out.reopenCount = (ticket.metrics?.reopenCount ?? 0) + 1;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** An active ticket's backlog age in seconds at `now` (0 for one created later). */
export function backlogAgeSeconds(createdAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - createdAt.getTime()) / 1000));
}

/** The p-th percentile (0 < p ≤ 100) by the nearest-rank method, or null for none: p90 of 1..10 is 9. */
export function percentile(values: readonly number[], p: number): number | null {
  return percentiles(values, [p])[0] ?? null;
}

/** Several percentiles of the same values (as {@link percentile}), sorting them once. */
export function percentiles(values: readonly number[], ps: readonly number[]): Array<number | null> {
  if (values.length === 0) return ps.map(() => null);
  // A typed array sorts numerically, with no comparator call per pair.
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!);
}

/** A trail entry as the volume counts read it. */
export interface VolumeEvent {
  type: string;
  data?: { from?: unknown; to?: unknown } | null;
  actor: { kind: string; id?: { toHexString(): string } | null };
}

/** Whether a trail entry is a transition to solved: the one definition of "solved" in volumes. */
export function isSolveEvent(e: Pick<VolumeEvent, 'type' | 'data'>): boolean {
  return e.type === 'status_changed' && e.data?.to === 'solved';
}

/** Whether a trail entry reopens a ticket: a customer's mail (`reopened`) or a status change from solved or closed back to active. */
export function isReopenEvent(e: Pick<VolumeEvent, 'type' | 'data'>): boolean {
  if (e.type === 'reopened') return true;
  const from = e.data?.from;
  const to = e.data?.to;
  return e.type === 'status_changed' && typeof from === 'string' && typeof to === 'string' && isReopen(from as TicketStatus, to as TicketStatus);
}

/**
 * A ticket's stored metrics as the API, pages and reports show them, every field present: null where
 * the event has not happened (no agent reply yet, never solved) or does not apply (an agent-started
 * conversation has no first response; an SLA target that did not run).
 */
export interface TicketMetricsView {
  firstResponseAt: Date | null;
  firstResponseSeconds: number | null;
  firstResponseBusinessSeconds: number | null;
  lastSolvedAt: Date | null;
  resolutionSeconds: number | null;
  resolutionBusinessSeconds: number | null;
  reopenCount: number;
  sla: { firstResponse: SlaAttainment; nextResponse: SlaAttainment; resolution: SlaAttainment };
}

/** The stored metrics as they are shown (tickets stored before metrics read as none yet). */
export function toTicketMetrics(m: TicketMetrics | null | undefined): TicketMetricsView {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const at = (v: unknown) => (v instanceof Date ? v : null);
  const att = (v: unknown): SlaAttainment => (v === 'met' || v === 'breached' ? v : null);
  return {
    firstResponseAt: at(m?.firstResponseAt),
    firstResponseSeconds: num(m?.firstResponseSeconds),
    firstResponseBusinessSeconds: num(m?.firstResponseBusinessSeconds),
    lastSolvedAt: at(m?.lastSolvedAt),
    resolutionSeconds: num(m?.resolutionSeconds),
    resolutionBusinessSeconds: num(m?.resolutionBusinessSeconds),
    reopenCount: num(m?.reopenCount) ?? 0,
    sla: { firstResponse: att(m?.sla?.firstResponse), nextResponse: att(m?.sla?.nextResponse), resolution: att(m?.sla?.resolution) },
  };
}
