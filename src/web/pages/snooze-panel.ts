import { DateTime } from 'luxon';
import type { SnoozeRequest } from '../../domain/lifecycle.js';
import type { TicketSummaryView } from '../../services/tickets/ticket-view.js';
import type { TextI18n } from './sla-badge.js';

/** What a snoozed ticket shows in a list row and on its page: "Snoozed until 8 Dec 2026, 09:00", or null when it is not snoozed. */
export function snoozeText(snooze: TicketSummaryView['snooze'], i18n: TextI18n): string | null {
  if (!snooze) return null;
  const { t } = i18n.tr;
  if (!snooze.until) return t('tickets:snooze.untilReply');
  const when = i18n.formats.dateTime(snooze.until);
  return snooze.untilReply ? t('tickets:snooze.untilOrReply', { when }) : t('tickets:snooze.until', { when });
}

/** The ticket page's line about a ticket back from snooze: when, and why (its time came, or the customer wrote). */
export function backFromSnoozeText(back: TicketSummaryView['backFromSnooze'], i18n: TextI18n): string | null {
  if (!back) return null;
  const when = i18n.formats.dateTime(back.at);
  return i18n.tr.t(back.reason === 'customer_replied' ? 'tickets:snooze.backReplied' : 'tickets:snooze.backTime', { when });
}

/** A `datetime-local` value (`2026-12-08T09:00`) of this moment in a time zone. */
const localValue = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * The ticket page's snooze card: the current snooze and the form's bounds. The time is typed in the
 * agent's own time zone (named under the field); the earliest choice is now.
 */
export function snoozePanel(ticket: Pick<TicketSummaryView, 'snooze' | 'backFromSnooze'>, i18n: TextI18n & { now: Date }) {
  return {
    current: snoozeText(ticket.snooze, i18n),
    back: backFromSnoozeText(ticket.backFromSnooze, i18n),
    timeZone: i18n.formats.timeZone,
    min: localValue(i18n.now, i18n.formats.timeZone),
  };
}

/**
 * The snooze form as the use case takes it: the `until` field is a wall-clock time in the agent's time
 * zone (a `datetime-local` value), `untilReply` a box. Null when `until` is not such a time (a page
 * posted by hand or a browser without the date picker that typed something else).
 */
export function snoozeRequestOf(form: { until: string; untilReply: boolean }, timeZone: string): SnoozeRequest | null {
  const value = form.until.trim();
  if (value === '') return { until: null, untilReply: form.untilReply };
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?$/.test(value)) return null;
  const at = DateTime.fromISO(value, { zone: timeZone });
  return at.isValid ? { until: at.toJSDate(), untilReply: form.untilReply } : null;
}
