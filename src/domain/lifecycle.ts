import { AppError } from './errors.js';
import type { TicketStatus } from './ticket-status.js';

/*
 * Lifecycle automation: what Threadline does to a ticket on its own as time passes. A solved ticket
 * closes after the inbox's number of days without a customer reply (auto-close); a pending one
 * reminds its assignee after the inbox's number of days (pending reminder); a snoozed one is hidden
 * from the lists until a time or until the customer writes, then comes back marked. Pure rules: the
 * time is passed in.
 */

/** Days a solved ticket waits for the customer before it closes (per inbox; 0: never). */
export const DEFAULT_AUTO_CLOSE_AFTER_DAYS = 4;
/** Days a pending ticket waits before its assignee is reminded (per inbox; 0: never). */
export const DEFAULT_PENDING_REMINDER_AFTER_DAYS = 3;
/** The longest either delay may be. */
export const MAX_LIFECYCLE_DAYS = 365;
/** The furthest ahead a ticket may be snoozed. */
export const MAX_SNOOZE_DAYS = 365;

const DAY_MS = 86_400_000;

/** An inbox's lifecycle settings, whole days; 0 switches a rule off. */
export interface LifecycleSettings {
  autoCloseAfterDays: number;
  pendingReminderAfterDays: number;
}

/** The settings of an inbox; inboxes stored before the settings existed get the defaults. */
export function lifecycleSettingsOf(inbox: { autoCloseAfterDays?: number | null; pendingReminderAfterDays?: number | null }): LifecycleSettings {
  return {
    autoCloseAfterDays: inbox.autoCloseAfterDays ?? DEFAULT_AUTO_CLOSE_AFTER_DAYS,
    pendingReminderAfterDays: inbox.pendingReminderAfterDays ?? DEFAULT_PENDING_REMINDER_AFTER_DAYS,
  };
}

/** The lifecycle rules, as the trail names them. */
export type LifecycleRule = 'auto-close' | 'pending-reminder';

/** A ticket's next lifecycle step: which rule, when, and the period it belongs to (when it was solved, or became pending). */
export interface LifecycleStep {
  rule: LifecycleRule;
  at: Date;
  since: Date;
  days: number;
  /** The rule and its period (`pending-reminder:<since ms>`): once done, the ticket keeps it in `lifecycleDone`. */
  key: string;
}

/** A ticket as the lifecycle rules read it (tickets stored earlier may lack the timestamps). */
export interface LifecycleTicket {
  status: TicketStatus;
  solvedAt?: Date | null;
  pendingSince?: Date | null;
  mergedIntoId?: unknown;
  /** Keys of the steps already done (a reminder sent, an auto-close given up): each happens once per period. */
  lifecycleDone?: readonly string[] | null;
}

/**
 * The step a ticket waits for: a solved ticket closes `autoCloseAfterDays` after it was solved; a
 * pending one reminds `pendingReminderAfterDays` after it became pending. None for a merged ticket, any
 * other status, a rule switched off, a ticket without the time its period started, or a step of this
 * period already done.
 */
export function nextLifecycleStep(ticket: LifecycleTicket, settings: LifecycleSettings): LifecycleStep | null {
  if (ticket.mergedIntoId) return null;
  const step = (rule: LifecycleRule, since: Date | null | undefined, days: number): LifecycleStep | null => {
    if (!since || days <= 0) return null;
    const key = `${rule}:${since.getTime()}`;
    return ticket.lifecycleDone?.includes(key) ? null : { rule, since, days, key, at: new Date(since.getTime() + days * DAY_MS) };
  };
  if (ticket.status === 'solved') return step('auto-close', ticket.solvedAt, settings.autoCloseAfterDays);
  if (ticket.status === 'pending') return step('pending-reminder', ticket.pendingSince, settings.pendingReminderAfterDays);
  return null;
}

/**
 * The key of a step's job: the ticket, the rule and the due time. A new period or a changed setting
 * is a new key, so the job of the old one is replaced rather than moved while it may be running.
 */
export function lifecycleJobKey(ticketId: string, step: LifecycleStep): string {
  return `${ticketId}:${step.rule}:${step.at.getTime()}`;
}

/**
 * The key of what a step did (trail entry, notification): the same for every run of the job within
 * one period, so a retried job records and notifies once.
 */
export function lifecycleEventKey(ticketId: string, step: Pick<LifecycleStep, 'key'>): string {
  return `${ticketId}:${step.key}`;
}

/** A snooze as an agent asks for it: until a time, until the customer writes, or both (whichever comes first). */
export interface SnoozeRequest {
  until: Date | null;
  untilReply: boolean;
}

const invalidSnooze = (message: string, key: string, params?: Record<string, unknown>) =>
  new AppError('VALIDATION_FAILED', `Snooze is invalid: until: ${message}`, {
    details: { issues: [{ path: 'until', message, code: 'custom', key: `errors:issue.snooze.${key}`, ...(params ? { params } : {}) }] },
    key: 'input.invalid',
    params: { what: 'Snooze' },
  });

/**
 * Checks a snooze: it needs a time or "until the customer replies"; a time must be in the future and
 * at most {@link MAX_SNOOZE_DAYS} days ahead (VALIDATION_FAILED naming `until` otherwise).
 */
export function checkSnooze(request: SnoozeRequest, now: Date): void {
  if (!request.until) {
    if (!request.untilReply) throw invalidSnooze('is required unless snoozing until the customer replies', 'required');
    return;
  }
  if (request.until.getTime() <= now.getTime()) throw invalidSnooze('must be in the future', 'future');
  if (request.until.getTime() > now.getTime() + MAX_SNOOZE_DAYS * DAY_MS) throw invalidSnooze(`must be at most ${MAX_SNOOZE_DAYS} days ahead`, 'tooFar', { max: MAX_SNOOZE_DAYS });
}

/** Why a snoozed ticket came back. */
export type SnoozeWakeReason = 'time' | 'customer_replied';

/** Whether a snooze's time has come (never for one only "until the customer replies"). */
export function snoozeTimeHasCome(snooze: { until?: Date | null }, now: Date): boolean {
  return Boolean(snooze.until && snooze.until.getTime() <= now.getTime());
}
