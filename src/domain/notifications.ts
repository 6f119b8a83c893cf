/**
 * Agent notifications: what happened on a ticket that concerns one person. Each is listed in the
 * person's in-app notifications and, unless they switched its kind off, mailed to them, batched (see
 * {@link nextNotificationMailAt}).
 */
export const NOTIFICATION_KINDS = [
  /** A ticket was assigned to them (by someone else). */
  'assigned',
  /** The customer wrote again on a ticket assigned to them. */
  'customer_replied',
  /** Someone mentioned them (`@handle`) in an internal note. */
  'mentioned',
  /** A new ticket arrived for a team they belong to. */
  'team_new_ticket',
  /** An SLA clock of a ticket of theirs is about to run out. */
  'sla_reminder',
  /** An SLA clock of a ticket of theirs ran out. */
  'sla_breached',
  /** A breached ticket reached their level of the inbox's escalation ladder. */
  'escalated',
  /** A ticket of theirs has waited on the customer ('pending') for the inbox's number of days. */
  'pending_reminder',
  /** A customer rated a ticket of their team's agents as bad (services/satisfaction/rate-ticket.ts); for managers. */
  'bad_rating',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * A person's mail preference per kind: true on, false off, null (or absent) the default. The in-app
 * list shows every notification whatever the preference.
 */
export type NotificationPrefs = Partial<Record<NotificationKind, boolean | null>>;

/** Teams larger than this do not mail every new ticket to every member by default. */
export const TEAM_NEW_TICKET_DEFAULT_MAX_MEMBERS = 5;

/** What a default may depend on: for `team_new_ticket`, the size of the team. */
export interface NotificationContext {
  teamSize?: number;
}

/** Whether a kind is mailed when the person did not choose: every kind, except new team tickets in a team of more than five. */
export function defaultNotificationMail(kind: NotificationKind, ctx: NotificationContext = {}): boolean {
  if (kind === 'team_new_ticket') return (ctx.teamSize ?? 0) <= TEAM_NEW_TICKET_DEFAULT_MAX_MEMBERS;
  return true;
}

/** Whether this person gets a mail for this kind: their choice, else the default. */
export function wantsNotificationMail(prefs: NotificationPrefs | null | undefined, kind: NotificationKind, ctx: NotificationContext = {}): boolean {
  const chosen = prefs?.[kind];
  return typeof chosen === 'boolean' ? chosen : defaultNotificationMail(kind, ctx);
}

/** At most one mail per person and kind in this window; what falls due meanwhile waits for the next. */
export const NOTIFICATION_MAIL_WINDOW_MS = 15 * 60_000;
/** How long the first notification of a batch waits for others of the same run before it is mailed. */
export const NOTIFICATION_COLLECT_MS = 10_000;

/**
 * When a person's pending notifications of one kind are mailed: once the oldest has waited
 * `collectMs` (so events of the same run share one mail), and not before `windowMs` after the last
 * mail of that kind.
 */
export function nextNotificationMailAt(input: { oldestPendingAt: Date; lastMailedAt: Date | null; collectMs?: number; windowMs?: number }): Date {
  const collected = input.oldestPendingAt.getTime() + (input.collectMs ?? NOTIFICATION_COLLECT_MS);
  const windowEnd = input.lastMailedAt ? input.lastMailedAt.getTime() + (input.windowMs ?? NOTIFICATION_MAIL_WINDOW_MS) : 0;
  return new Date(Math.max(collected, windowEnd));
}

/** How many notifications the in-app list keeps showing per person. */
export const NOTIFICATION_LIST_SIZE = 50;
