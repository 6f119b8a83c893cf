import type { TicketStatus } from './ticket-status.js';

/** "Due soon" starts this long before a due time: the list's amber SLA badge uses the same window. */
export const SLA_DUE_SOON_MS = 3_600_000;

/** The SLA fields of a ticket that decide when it is next due. */
export interface SlaDueInput {
  status: TicketStatus;
  sla?: {
    firstResponseDueAt?: Date | null;
    nextResponseDueAt?: Date | null;
    resolutionDueAt?: Date | null;
    firstRespondedAt?: Date | null;
    breachedAt?: Date | null;
  } | null;
}

/**
 * The earliest running due time of a ticket, or its recorded breach if that is earlier; null when no
 * clock runs (solved, closed, spam, pending, or no targets). Stored on the ticket as `sla.nextDueAt`, so
 * "due soon or breached" is one indexed range: `nextDueAt <= now + SLA_DUE_SOON_MS`, which is exactly
 * the tickets whose list badge is red (breached) or amber (due within the window).
 */
export function slaNextDueAt(t: SlaDueInput): Date | null {
  if (t.status === 'solved' || t.status === 'closed' || t.status === 'spam') return null;
  const sla = t.sla ?? {};
  const times = [sla.breachedAt, sla.firstRespondedAt ? null : sla.firstResponseDueAt, sla.nextResponseDueAt, sla.resolutionDueAt];
  let next: Date | null = null;
  for (const d of times) if (d instanceof Date && (next === null || d < next)) next = d;
  return next;
}

/** The bound of the "due soon" filter at `now`: tickets next due at or before it. */
export function slaDueSoonBound(now: Date): Date {
  return new Date(now.getTime() + SLA_DUE_SOON_MS);
}
