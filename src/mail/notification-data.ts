import type { Translator } from '../i18n/catalog.js';
import { clockName, firstTimeZone, httpUrl, humaniseDuration, mailTranslator } from './email-format.js';

type When = Date | string;

/** One notification as a mail shows it: what happened, by whom, and for SLA kinds which clock is due when. */
export interface NotificationEventData {
  /** A notification kind (src/domain/notifications.ts); anything else is worded as a plain change. */
  kind: string;
  at: When;
  by?: string | null;
  excerpt?: string | null;
  teamName?: string | null;
  /** Pending reminders: how many days the ticket has waited on the customer. */
  days?: number | null;
  clock?: string | null;
  dueAt?: When | null;
  /** SLA reminders: minutes left until `dueAt` when the mail was made. */
  minutesLeft?: number | null;
  level?: number | null;
  levelName?: string | null;
}

/**
 * To an agent: what happened on one ticket (a batch about one ticket, oldest event first). `replyable`
 * says the mail carries a signed Reply-To, so the template tells how an answer is used.
 */
export type NotificationData = {
  kind: string;
  ticketNumber: number;
  ticketSubject: string;
  events: NotificationEventData[];
  customer?: string | null;
  recipientName?: string | null;
  ticketUrl?: string | null;
  replyable?: boolean;
  timeZone?: string | null;
};

/** To an agent: one kind of notification about several tickets, one table row each. */
export type NotificationSummaryData = {
  kind: string;
  recipientName?: string | null;
  items: Array<NotificationEventData & { number: number; subject: string; url?: string | null }>;
  timeZone?: string | null;
};

const SLA_KINDS = new Set(['sla_reminder', 'sla_breached', 'escalated']);
const finite = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * An event with every value its catalog messages take, in the reader's language: the messages are
 * ICU selects over the kind, and a select given no value for a branch's parameter is not rendered.
 */
function eventView(e: NotificationEventData, tr: Translator): Record<string, unknown> {
  return {
    ...e,
    kind: typeof e.kind === 'string' ? e.kind : 'other',
    by: text(e.by) ?? tr.t('mail:notification.someone'),
    team: text(e.teamName) ?? tr.t('mail:notification.yourTeam'),
    clockLabel: clockName(e.clock, tr) || tr.t('mail:notification.slaTarget'),
    dueIn: humaniseDuration(Math.max(0, finite(e.minutesLeft)) * 60, tr),
    days: Math.max(0, Math.round(finite(e.days))),
    level: Math.max(0, Math.round(finite(e.level))),
    excerpt: text(e.excerpt),
    dueAt: e.dueAt ?? null,
  };
}

/** The single-ticket notification data plus what the template cannot work out itself. */
export function notificationView(data: NotificationData, opts: { tr?: Translator; timeZone?: string | null } = {}): Record<string, unknown> {
  const tr = opts.tr ?? mailTranslator();
  const events = (Array.isArray(data.events) ? data.events : []).map((e) => eventView(e, tr));
  const latest = events.at(-1) ?? eventView({ kind: data.kind, at: '' }, tr);
  return {
    ...data,
    timeZone: firstTimeZone(opts.timeZone, data.timeZone),
    ticketUrl: httpUrl(data.ticketUrl),
    events,
    latest,
    several: events.length > 1,
  };
}

/** The summary data plus what the template cannot work out itself: rows worded, links vetted, the due column for SLA kinds. */
export function notificationSummaryView(data: NotificationSummaryData, opts: { tr?: Translator; timeZone?: string | null } = {}): Record<string, unknown> {
  const tr = opts.tr ?? mailTranslator();
  const items = (Array.isArray(data.items) ? data.items : []).map((i) => ({ ...eventView(i, tr), number: i.number, subject: i.subject, url: httpUrl(i.url) }));
  return {
    ...data,
    timeZone: firstTimeZone(opts.timeZone, data.timeZone),
    items,
    count: items.length,
    showDue: SLA_KINDS.has(String(data.kind)),
  };
}
