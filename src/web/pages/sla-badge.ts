import type { TicketSummaryView } from '../../services/tickets/ticket-view.js';
import { relativeTime } from './view-engine.js';

/** How a ticket's SLA shows in lists and on the ticket: a tone for the colour and a short text. */
export interface SlaBadge {
  tone: 'breach' | 'warn' | 'ok' | 'paused';
  text: string;
}

const WARN_WITHIN_MS = 3_600_000;

/**
 * The SLA badge of a ticket, or null when no clock runs (solved, closed, or no targets). Breached
 * means a breach was recorded or a due time already passed, which is the same rule as the overview's
 * "breaching" count.
 */
export function slaBadge(t: Pick<TicketSummaryView, 'status' | 'sla'>, now: Date): SlaBadge | null {
  if (t.status === 'solved' || t.status === 'closed') return null;
  const { sla } = t;
  const dues = [sla.firstRespondedAt ? null : sla.firstResponseDueAt, sla.nextResponseDueAt, sla.resolutionDueAt].filter((d): d is Date => d instanceof Date);
  if (sla.breachedAt || dues.some((d) => d < now)) return { tone: 'breach', text: 'SLA breached' };
  if (sla.pausedAt) return { tone: 'paused', text: 'SLA paused' };
  const next = dues.sort((a, b) => a.getTime() - b.getTime())[0];
  if (!next) return null;
  return { tone: next.getTime() - now.getTime() <= WARN_WITHIN_MS ? 'warn' : 'ok', text: `due ${relativeTime(next, now)}` };
}
