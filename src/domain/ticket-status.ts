/**
 * A ticket's statuses; domain/ticket.ts says how a ticket moves between them. `spam` is set only by
 * "mark as spam" and by ingest for a blocked sender (services/spam): a spam ticket is in no list but
 * the Spam view, runs no SLA clock and gets no auto-reply or notification. `with_partner`: an outside
 * partner was asked (a side conversation, services/side-conversations) and the ticket waits on them; the
 * partner's answer brings it back to `open`, and the inbox's SLA policy says whether its clocks pause meanwhile.
 */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'with_partner', 'solved', 'closed', 'spam'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** The statuses of tickets still waiting on someone (the lists' `status=active`, the open backlog). */
export const ACTIVE_TICKET_STATUSES = ['new', 'open', 'pending', 'with_partner'] as const satisfies readonly TicketStatus[];
/** A ticket's priorities; each has its own SLA targets. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** The statuses an agent's reply may leave a ticket in. */
export const REPLY_STATUSES = ['open', 'pending', 'solved'] as const;
export type ReplyStatus = (typeof REPLY_STATUSES)[number];
/** A reply waits on the customer unless the agent says otherwise. */
export const DEFAULT_REPLY_STATUS: ReplyStatus = 'pending';

/** Whether a value names a status a reply may set. */
export function isReplyStatus(value: unknown): value is ReplyStatus {
  return (REPLY_STATUSES as readonly unknown[]).includes(value);
}
