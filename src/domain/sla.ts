import { addBusinessSeconds, businessSecondsBetween, validateBusinessHours } from './business-hours.js';
import type { BusinessHours, ValidationIssue, ValidationResult } from './business-hours.js';
import { TEAM_LEVELS, type TeamLevel } from './teams.js';
import { TICKET_PRIORITIES } from './ticket-status.js';
import type { TicketPriority, TicketStatus } from './ticket-status.js';

/** Targets of one priority, in business seconds; `null` means no target for that clock. */
export interface SlaTargets {
  firstResponseSeconds: number | null;
  nextResponseSeconds: number | null;
  resolutionSeconds: number | null;
}

/** One rung of the escalation ladder; level 1 fires `afterSeconds` after the breach, level n after level n − 1. */
export interface EscalationLevel {
  level: number;
  name: string;
  userIds: string[];
  afterSeconds: number;
  /**
   * The step also moves the ticket to a team of this level (services/tickets/escalate-ticket.ts
   * escalateTicketAsSystem), besides telling `userIds`; absent or null: it only tells people.
   */
  escalateTo?: TeamLevel | null;
}

/** The SLA of an inbox: targets per priority, counted in `businessHours` (null = 24/7). */
export interface SlaPolicy {
  targets: Record<TicketPriority, SlaTargets>;
  businessHours: BusinessHours | null;
  /**
   * The calendar typed while business hours are off, kept so switching them on again restores it;
   * never used to compute due times. Absent in policies stored before it existed (read as null).
   */
  keptBusinessHours?: BusinessHours | null;
  /**
   * Support levels with targets of their own: a full table per priority that replaces `targets` for
   * tickets whose team works at that level. A level left out (and a ticket without a team) uses
   * `targets`. Absent in policies stored before it existed (read as {}).
   */
  levelTargets?: Partial<Record<TeamLevel, Record<TicketPriority, SlaTargets>>>;
  /** The reminder goes out when this fraction of a target has elapsed; 0 < x < 1. */
  reminderAtFraction: number;
  ladder: EscalationLevel[];
  /**
   * Whether the clocks stop while the ticket waits on an outside partner (`with_partner`), as they do
   * while it waits on the customer. Absent in policies stored before it existed (read as true).
   */
  pauseWithPartner?: boolean;
}

/** Whether a ticket in this status has its SLA clocks stopped under this policy: pending, or with a partner when the policy pauses for that. */
export function slaPausedIn(status: TicketStatus, policy: Pick<SlaPolicy, 'pauseWithPartner'>): boolean {
  return status === 'pending' || (status === 'with_partner' && policy.pauseWithPartner !== false);
}

const HOUR = 3600;
const targets = (first: number, next: number, resolution: number): SlaTargets => ({
  firstResponseSeconds: first * HOUR,
  nextResponseSeconds: next * HOUR,
  resolutionSeconds: resolution * HOUR,
});

/** The policy of an inbox that has not configured one: 24/7, reminders at 75%, no escalation. */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  targets: { urgent: targets(1, 2, 8), high: targets(4, 8, 24), normal: targets(8, 24, 72), low: targets(24, 48, 120) },
  businessHours: null,
  keptBusinessHours: null,
  levelTargets: {},
  reminderAtFraction: 0.75,
  ladder: [],
};

/** The targets of a ticket: its team level's own table when the policy has one, else the priority's. */
export function targetsFor(policy: SlaPolicy, priority: TicketPriority, level: TeamLevel | null): SlaTargets {
  return (level !== null ? policy.levelTargets?.[level]?.[priority] : undefined) ?? policy.targets[priority];
}

/** The three clocks an SLA runs. */
export type SlaClock = 'firstResponse' | 'nextResponse' | 'resolution';
const CLOCKS: readonly SlaClock[] = ['firstResponse', 'nextResponse', 'resolution'];
const TARGET_KEYS = ['firstResponseSeconds', 'nextResponseSeconds', 'resolutionSeconds'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWholeSeconds = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** A table of targets per priority (`targets`, or one level's in `levelTargets`), its issues named under `at`. */
function checkTargetsTable(t: unknown, at: string, issue: (path: string, message: string) => void, unknownKeys: (obj: Record<string, unknown>, known: readonly string[], at: string) => void): void {
  if (t === undefined) return void issue(at, 'is required');
  if (!isRecord(t)) return void issue(at, 'must be an object with one entry per priority');
  unknownKeys(t, TICKET_PRIORITIES, at);
  for (const priority of TICKET_PRIORITIES) {
    const entry = t[priority];
    if (!isRecord(entry)) {
      issue(`${at}.${priority}`, entry === undefined ? 'is required' : 'must be an object');
      continue;
    }
    unknownKeys(entry, TARGET_KEYS, `${at}.${priority}`);
    for (const key of TARGET_KEYS) {
      const v = entry[key];
      if (v === undefined) issue(`${at}.${priority}.${key}`, 'is required (null for no target)');
      else if (v !== null && !isWholeSeconds(v, 1)) issue(`${at}.${priority}.${key}`, 'must be a whole number of seconds ≥ 1, or null');
    }
  }
}

/** A checked table of targets, copied. */
const copyTargets = (t: Record<TicketPriority, SlaTargets>): Record<TicketPriority, SlaTargets> =>
  Object.fromEntries(
    TICKET_PRIORITIES.map((p) => [p, { firstResponseSeconds: t[p].firstResponseSeconds, nextResponseSeconds: t[p].nextResponseSeconds, resolutionSeconds: t[p].resolutionSeconds }]),
  ) as Record<TicketPriority, SlaTargets>;

/**
 * Checks untrusted input against {@link SlaPolicy}; `businessHours`, `keptBusinessHours`,
 * `levelTargets`, `reminderAtFraction` and `ladder` default to null, null, {}, 0.75 and [].
 */
export function validateSlaPolicy(input: unknown): ValidationResult<SlaPolicy> {
  if (!isRecord(input)) return { ok: false, issues: [{ path: '', message: 'must be an object' }] };
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  const unknownKeys = (obj: Record<string, unknown>, known: readonly string[], at: string) => {
    for (const key of Object.keys(obj)) if (!known.includes(key)) issue(at ? `${at}.${key}` : key, 'is not a known field');
  };
  unknownKeys(input, ['targets', 'businessHours', 'keptBusinessHours', 'levelTargets', 'reminderAtFraction', 'ladder', 'pauseWithPartner'], '');

  const { targets: t, businessHours, keptBusinessHours, levelTargets, reminderAtFraction, ladder, pauseWithPartner } = input;
  if (pauseWithPartner !== undefined && typeof pauseWithPartner !== 'boolean') issue('pauseWithPartner', 'must be true or false');
  checkTargetsTable(t, 'targets', issue, unknownKeys);
  if (levelTargets !== undefined && levelTargets !== null && !isRecord(levelTargets)) issue('levelTargets', 'must be an object with one entry per support level');
  else if (isRecord(levelTargets)) {
    unknownKeys(levelTargets, TEAM_LEVELS, 'levelTargets');
    for (const level of TEAM_LEVELS) if (levelTargets[level] !== undefined) checkTargetsTable(levelTargets[level], `levelTargets.${level}`, issue, unknownKeys);
  }

  const hours = businessHours === undefined || businessHours === null ? null : validateBusinessHours(businessHours);
  if (hours && !hours.ok) for (const i of hours.issues) issue(i.path ? `businessHours.${i.path}` : 'businessHours', i.message);
  const kept = keptBusinessHours === undefined || keptBusinessHours === null ? null : validateBusinessHours(keptBusinessHours);
  if (kept && !kept.ok) for (const i of kept.issues) issue(i.path ? `keptBusinessHours.${i.path}` : 'keptBusinessHours', i.message);

  if (reminderAtFraction !== undefined && !(typeof reminderAtFraction === 'number' && reminderAtFraction > 0 && reminderAtFraction < 1)) {
    issue('reminderAtFraction', 'must be a number between 0 and 1 (exclusive)');
  }

  if (ladder !== undefined && !Array.isArray(ladder)) issue('ladder', 'must be an array');
  else if (Array.isArray(ladder)) {
    ladder.forEach((rung: unknown, i) => {
      const at = `ladder.${i}`;
      if (!isRecord(rung)) return void issue(at, 'must be an object');
      unknownKeys(rung, ['level', 'name', 'userIds', 'afterSeconds', 'escalateTo'], at);
      if (rung.escalateTo !== undefined && rung.escalateTo !== null && !(TEAM_LEVELS as readonly unknown[]).includes(rung.escalateTo)) issue(`${at}.escalateTo`, 'must be a support level (L1–L4) or null');
      if (rung.level !== i + 1) issue(`${at}.level`, `must be ${i + 1}: levels count up from 1 without gaps`);
      if (typeof rung.name !== 'string' || rung.name.trim() === '') issue(`${at}.name`, 'must be a non-empty string');
      if (!Array.isArray(rung.userIds)) issue(`${at}.userIds`, 'must be an array of user ids');
      else {
        rung.userIds.forEach((id: unknown, j) => {
          if (typeof id !== 'string' || id === '') issue(`${at}.userIds.${j}`, 'must be a non-empty string');
        });
      }
      if (!isWholeSeconds(rung.afterSeconds, 0)) issue(`${at}.afterSeconds`, 'must be a whole number of seconds ≥ 0');
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  const policy = input as unknown as Partial<SlaPolicy> & Pick<SlaPolicy, 'targets'>;
  const levels = policy.levelTargets ?? {};
  return {
    ok: true,
    value: {
      targets: copyTargets(policy.targets),
      businessHours: hours?.ok ? hours.value : null,
      keptBusinessHours: kept?.ok ? kept.value : null,
      levelTargets: Object.fromEntries(TEAM_LEVELS.flatMap((l) => (levels[l] ? [[l, copyTargets(levels[l])]] : []))),
      reminderAtFraction: policy.reminderAtFraction ?? 0.75,
      // Pausing with a partner is the default: only the choice not to pause is stored.
      ...(policy.pauseWithPartner === false ? { pauseWithPartner: false } : {}),
      ladder: (policy.ladder ?? []).map(({ level, name, userIds, afterSeconds, escalateTo }) => ({ level, name, userIds: [...userIds], afterSeconds, ...(escalateTo ? { escalateTo } : {}) })),
    },
  };
}

/** What the SLA clocks of one ticket depend on. */
export interface SlaClockInput {
  policy: SlaPolicy;
  priority: TicketPriority;
  /** The support level of the ticket's team (null: no team); picks the level's own targets, see {@link targetsFor}. */
  level: TeamLevel | null;
  status: TicketStatus;
  createdAt: Date;
  firstRespondedAt: Date | null;
  /** The oldest customer message not yet answered by an agent, null when all answered. */
  awaitingSince: Date | null;
  /** Business seconds already spent paused ('pending') — accumulated by the caller. */
  pausedBusinessSeconds: number;
  /** When the current pause began if status is 'pending'. */
  pausedAt: Date | null;
  /**
   * When the ticket reached its current level by escalation (services/tickets/escalate-ticket.ts);
   * null or absent: never escalated. The clocks then start over from it with the level's targets.
   */
  levelSince?: Date | null;
  now: Date;
}

/** One running clock: when it started, its target, when it breaches and when its reminder is due (null when none fits before the breach). */
export interface SlaClockState {
  clock: SlaClock;
  startedAt: Date;
  targetSeconds: number;
  dueAt: Date;
  reminderAt: Date | null;
}

/**
 * The clocks running for a ticket. First response runs from creation until the first agent reply; next
 * response runs from the oldest unanswered customer message once a first reply was given; resolution runs
 * from creation, shifted by the business time spent pending. While 'pending' every clock is stopped, and
 * a solved, closed or spam ticket has none. The reminder falls at the fraction of the target rounded to whole seconds.
 */
export function slaClocks(input: SlaClockInput): SlaClockState[] {
  if (slaPausedIn(input.status, input.policy) || input.status === 'solved' || input.status === 'closed' || input.status === 'spam') return [];
  const { policy } = input;
  const t = targetsFor(policy, input.priority, input.level);
  const clocks: SlaClockState[] = [];
  const run = (clock: SlaClock, startedAt: Date, targetSeconds: number, shiftSeconds: number) => {
    const dueAt = addBusinessSeconds(startedAt, targetSeconds + shiftSeconds, policy.businessHours);
    const remindAfter = Math.round(targetSeconds * policy.reminderAtFraction);
    const reminderAt = remindAfter > 0 && remindAfter < targetSeconds ? addBusinessSeconds(startedAt, remindAfter + shiftSeconds, policy.businessHours) : null;
    clocks.push({ clock, startedAt, targetSeconds, dueAt, reminderAt });
  };
  // After an escalation every clock counts from it (the pause total was reset then too).
  const since = input.levelSince ?? null;
  const from = (at: Date) => (since && since > at ? since : at);
  if (t.firstResponseSeconds !== null && input.firstRespondedAt === null) run('firstResponse', from(input.createdAt), t.firstResponseSeconds, 0);
  if (t.nextResponseSeconds !== null && input.firstRespondedAt !== null && input.awaitingSince !== null) {
    run('nextResponse', from(input.awaitingSince), t.nextResponseSeconds, 0);
  }
  if (t.resolutionSeconds !== null) run('resolution', from(input.createdAt), t.resolutionSeconds, input.pausedBusinessSeconds);
  return clocks;
}

/** The due times to store on the ticket (see {@link slaClocks} for when each clock runs). */
export function slaDueTimes(input: SlaClockInput): { firstResponseDueAt: Date | null; nextResponseDueAt: Date | null; resolutionDueAt: Date | null } {
  const clocks = slaClocks(input);
  const dueOf = (clock: SlaClock) => clocks.find((c) => c.clock === clock)?.dueAt ?? null;
  return { firstResponseDueAt: dueOf('firstResponse'), nextResponseDueAt: dueOf('nextResponse'), resolutionDueAt: dueOf('resolution') };
}

/** What the job layer already did for a ticket, next to its clock input. */
export interface SlaEventInput extends SlaClockInput {
  /** Escalation levels the ticket already reached, 0 = none; the caller resets it for a fresh ladder. */
  escalationLevel: number;
  /** Keys of reminders already sent. */
  remindedFor: string[];
  /** Keys of breaches already recorded. */
  breachedFor: string[];
}

/** A timer to schedule. `key` is unique per (clock, due instant, kind, level), so a moved due time gets new keys. */
export interface SlaEvent {
  kind: 'reminder' | 'breach' | 'escalate';
  clock: SlaClock;
  at: Date;
  key: string;
  level?: number;
}

const KIND_ORDER: Record<SlaEvent['kind'], number> = { reminder: 0, breach: 1, escalate: 2 };

/**
 * The earliest timer still to fire (its `at` may lie in the past: fire it now), or null. Per clock: the
 * reminder unless sent or the breach already passed, then the breach unless recorded, then — once the
 * breach is recorded — the next escalation level, at breach + the `afterSeconds` of levels 1..n in business
 * time. Ties go reminder → breach → escalate, then firstResponse → nextResponse → resolution.
 */
export function nextSlaEvent(input: SlaEventInput): SlaEvent | null {
  const { policy, now } = input;
  const ladder = [...policy.ladder].sort((a, b) => a.level - b.level);
  const events: SlaEvent[] = [];
  for (const c of slaClocks(input)) {
    const base = `${c.clock}:${c.dueAt.toISOString()}`;
    const breachKey = `${base}:breach`;
    const breached = input.breachedFor.includes(breachKey);
    const reminderKey = `${base}:reminder`;
    if (c.reminderAt && !breached && c.dueAt > now && !input.remindedFor.includes(reminderKey)) {
      events.push({ kind: 'reminder', clock: c.clock, at: c.reminderAt, key: reminderKey });
    }
    if (!breached) events.push({ kind: 'breach', clock: c.clock, at: c.dueAt, key: breachKey });
    const level = input.escalationLevel + 1;
    if (breached && level <= ladder.length) {
      const after = ladder.slice(0, level).reduce((sum, rung) => sum + rung.afterSeconds, 0);
      events.push({ kind: 'escalate', clock: c.clock, at: addBusinessSeconds(c.dueAt, after, policy.businessHours), key: `${base}:escalate:${level}`, level });
    }
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime() || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || CLOCKS.indexOf(a.clock) - CLOCKS.indexOf(b.clock));
  return events[0] ?? null;
}

/** The part of a ticket that tracks time spent waiting on the customer. */
export interface SlaPauseState {
  pausedBusinessSeconds: number;
  pausedAt: Date | null;
}

/** Starts a pause at `now` (the ticket entered 'pending'); an already running pause is kept. */
export function pauseSla(state: SlaPauseState, now: Date): SlaPauseState {
  return state.pausedAt ? { ...state } : { pausedBusinessSeconds: state.pausedBusinessSeconds, pausedAt: now };
}

/** Ends the pause at `now` (the ticket left 'pending'), adding its business time; without a pause nothing changes. */
export function resumeSla(state: SlaPauseState, now: Date, hours: BusinessHours | null): SlaPauseState {
  if (!state.pausedAt) return { ...state };
  return { pausedBusinessSeconds: state.pausedBusinessSeconds + businessSecondsBetween(state.pausedAt, now, hours), pausedAt: null };
}

/** Applies a status change to the pause state: entering 'pending' pauses, leaving it resumes. */
export function slaPauseForStatusChange(state: SlaPauseState, from: TicketStatus, to: TicketStatus, now: Date, hours: BusinessHours | null): SlaPauseState {
  if (to === 'pending' && from !== 'pending') return pauseSla(state, now);
  if (from === 'pending' && to !== 'pending') return resumeSla(state, now, hours);
  return { ...state };
}

/** The state of one due time for list views: due-soon from the reminder on, breached from the due time on. */
export function slaBadge(dueAt: Date | null, now: Date, reminderAt: Date | null): 'none' | 'ok' | 'due-soon' | 'breached' {
  if (dueAt === null) return 'none';
  if (now.getTime() >= dueAt.getTime()) return 'breached';
  if (reminderAt !== null && now.getTime() >= reminderAt.getTime()) return 'due-soon';
  return 'ok';
}
