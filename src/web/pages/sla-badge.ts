import { createI18n } from '../../i18n/catalog.js';
import { formatsFor } from '../../i18n/formats.js';
import type { TicketSummaryView } from '../../services/tickets/ticket-view.js';
import type { PageI18n } from './page-i18n.js';

/** How a ticket's SLA shows in lists and on the ticket: a tone for the colour and a short text. */
export interface SlaBadge {
  tone: 'breach' | 'warn' | 'ok' | 'paused';
  text: string;
}

/** The words a page's texts are written with: its messages and its date formats. */
export type TextI18n = Pick<PageI18n, 'tr' | 'formats'>;

let english: TextI18n | null = null;

/** English in UTC: for callers without a page (scripts, tests of the rules alone). */
export function englishText(): TextI18n {
  english ??= { tr: createI18n().translator('en'), formats: formatsFor('en', 'UTC') };
  return english;
}

const WARN_WITHIN_MS = 3_600_000;

/**
 * The SLA badge of a ticket, or null when no clock runs (solved, closed, spam, or no targets). Breached
 * means a breach was recorded or a due time already passed, which is the same rule as the overview's
 * "breaching" count. Its text is in the page's language: "due in 3 hr." / "échéance dans 3 h".
 */
export function slaBadge(t: Pick<TicketSummaryView, 'status' | 'sla'>, now: Date, i18n: TextI18n = englishText()): SlaBadge | null {
  if (t.status === 'solved' || t.status === 'closed' || t.status === 'spam') return null;
  const { sla } = t;
  const { tr, formats } = i18n;
  const dues = [sla.firstRespondedAt ? null : sla.firstResponseDueAt, sla.nextResponseDueAt, sla.resolutionDueAt]
    .filter((d): d is Date => d instanceof Date)
    .sort((a, b) => a.getTime() - b.getTime());
  const passed = dues.filter((d) => d < now);
  if (sla.breachedAt || passed.length > 0) {
    // Since when: the recorded breach, else the earliest due time that passed.
    const since = sla.breachedAt ?? passed[0]!;
    return { tone: 'breach', text: tr.t('tickets:sla.breached', { ago: formats.relative(since, now) }) };
  }
  if (sla.pausedAt) return { tone: 'paused', text: tr.t('tickets:sla.paused') };
  const next = dues[0];
  if (!next) return null;
  return { tone: next.getTime() - now.getTime() <= WARN_WITHIN_MS ? 'warn' : 'ok', text: tr.t('tickets:sla.due', { when: formats.relative(next, now) }) };
}
