import type { Models } from '../../store/models/index.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import { inboxScope, type Actor } from '../access.js';
import { TICKET_SUMMARY_FIELDS, toTicketSummary, type TicketSummaryView } from './ticket-view.js';
import { visibleTicket } from './visible-ticket.js';

/** How many of the requester's other tickets are shown beside a ticket. */
export const REQUESTER_TICKETS_LIMIT = 10;

/**
 * The newest other tickets of the same requester (by email address), in the inboxes the actor may
 * see: what an agent looks at beside a ticket, and the candidates for a merge. Merged tickets are
 * left out, since their conversation lives on in the ticket they were merged into.
 */
export async function requesterTickets(deps: { models: Models }, actor: Actor, ticketId: string, limit = REQUESTER_TICKETS_LIMIT): Promise<TicketSummaryView[]> {
  return otherTicketsOfRequester(deps.models, actor, await visibleTicket(deps.models, actor, ticketId), limit);
}

/** {@link requesterTickets} beside a ticket the caller has read and checked. */
export async function otherTicketsOfRequester(models: Pick<Models, 'Ticket'>, actor: Actor, ticket: Pick<TicketDoc, '_id' | 'requester'>, limit = REQUESTER_TICKETS_LIMIT): Promise<TicketSummaryView[]> {
  const scope = inboxScope(actor);
  const others = await models.Ticket.find({
    'requester.email': ticket.requester.email,
    _id: { $ne: ticket._id },
    mergedIntoId: null,
    ...(scope ? { inboxId: scope } : {}),
  })
    .select(TICKET_SUMMARY_FIELDS)
    .sort({ createdAt: -1, _id: -1 })
    .limit(Math.min(Math.max(1, limit), 50))
    .lean();
  return others.map(toTicketSummary);
}
