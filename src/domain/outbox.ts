/**
 * The mail Threadline sends, each kind with its own template and rules. `notification` is a person's
 * batch of agent notifications (SLA reminders and escalations included); `sla-reminder` and
 * `escalation` are what those were before they went through notifications, kept for stored mail. `password-link` mails a user their invite or password-reset link. `side-conversation` is an agent's
 * mail to a partner (or a forward) about a ticket, outside the customer's conversation.
 * `satisfaction-survey` asks the customer of a solved ticket to rate it (services/satisfaction).
 * `inbox-alert` tells the admins an inbox's OAuth2 sign-in needs reconnecting (services/oauth).
 */
export const OUTBOX_KINDS = ['agent-reply', 'auto-reply', 'sla-reminder', 'escalation', 'digest', 'notification', 'password-link', 'side-conversation', 'satisfaction-survey', 'inbox-alert'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** Where a queued mail stands: pending → sending → sent, or failed for good. */
export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
