import { SATISFACTION_RATINGS } from './satisfaction.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './ticket-status.js';

/*
 * Retention per inbox (GDPR art. 5(1)(e), storage limitation): tickets closed for more than an inbox's
 * number of months are anonymised or deleted by a daily job (services/retention). Only `closed` counts,
 * as the lifecycle has it (domain/ticket.ts): `closedAt` is when a ticket last became closed, and a
 * reopened ticket loses it. A solved ticket is not closed yet: auto-close (domain/lifecycle.ts) closes
 * it, and only then does its retention period start. Tickets in Spam are never touched. A merged
 * ticket goes with the ticket it was merged into (whose conversation shows its messages). A ticket the
 * customer brings back after it was anonymised is anonymised again once closed long enough again.
 * Pure rules.
 */

/** What becomes of a ticket past the period: its people and texts removed (counts and timings kept), or the whole ticket. */
export const RETENTION_ACTIONS = ['anonymise', 'delete'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

/** The longest period an inbox may keep closed tickets before the policy applies (ten years). */
export const MAX_RETENTION_MONTHS = 120;

/** An inbox's retention policy; `months` null: off (the default, tickets are kept forever). */
export interface RetentionPolicy {
  months: number | null;
  action: RetentionAction;
}

/** The policy of an inbox stored before retention existed (or never set): off. */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = { months: null, action: 'anonymise' };

/** An inbox's policy; inboxes stored earlier, or holding something unexpected, get the default (off). */
export function retentionPolicyOf(inbox: { retention?: { months?: number | null; action?: string | null } | null }): RetentionPolicy {
  const stored = inbox.retention;
  const months = stored?.months;
  const action = (RETENTION_ACTIONS as readonly unknown[]).includes(stored?.action) ? (stored!.action as RetentionAction) : DEFAULT_RETENTION_POLICY.action;
  return { months: Number.isInteger(months) && months! >= 1 && months! <= MAX_RETENTION_MONTHS ? months! : null, action };
}

/**
 * The closing time before which a ticket is due: `months` calendar months before `now`, in UTC, on
 * the same day of the month (the month's last day when it is shorter: 31 March − 1 month = 28/29 February).
 */
export function retentionCutoff(now: Date, months: number): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(now.getUTCDate(), lastDay), now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()));
}

/** Whether a ticket is due under a policy at `now`: closed, at a known time before the cut-off. */
export function isDueForRetention(ticket: { status: string; closedAt?: Date | null }, policy: RetentionPolicy, now: Date): boolean {
  if (policy.months === null || ticket.status !== 'closed' || !ticket.closedAt) return false;
  return ticket.closedAt.getTime() < retentionCutoff(now, policy.months).getTime();
}

/** The address an anonymised ticket, rating or contact keeps where one is required (`.invalid`: never deliverable, RFC 2606). */
export const ANONYMISED_ADDRESS = 'anonymised@anonymised.invalid';

/** How many tickets one batch of a retention run handles: each is a handful of writes, so a crash loses little. */
export const RETENTION_BATCH_SIZE = 50;

/** Trail words that are the ticket's own states (statuses, priorities, ratings), never a person's text. */
const SAFE_WORDS = new Set<string>([...TICKET_STATUSES, ...TICKET_PRIORITIES, ...SATISFACTION_RATINGS]);

const isId = (v: unknown) => typeof v === 'object' && v !== null && (v as { _bsontype?: unknown })._bsontype === 'ObjectId';

/**
 * What an anonymised ticket's trail entry keeps of its data: numbers, flags, dates, ids (of users,
 * teams, tickets) and the ticket's own state words (`status_changed` from/to, which the reports read).
 * Every other string — names, addresses, subjects, excerpts, comments — and every list or object goes.
 */
export function scrubTrailData(data: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    const safe =
      value === null || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date || isId(value) || (typeof value === 'string' && SAFE_WORDS.has(value));
    if (safe) kept[key] = value;
  }
  return kept;
}

/**
 * The key of a ticket's `anonymised` trail entry: one per closing of the ticket, however often a run
 * repeats (a ticket the customer reopened is anonymised again once closed long enough again).
 */
export function retentionEventKey(ticketId: string, closedAt: Date): string {
  return `retention:anonymised:${ticketId}:${closedAt.getTime()}`;
}

/** How far back a run looks for anonymised tickets closed again since (reopened by the customer, then closed). */
export const REARM_LOOKBACK_DAYS = 35;
