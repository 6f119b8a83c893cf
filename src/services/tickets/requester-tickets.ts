import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { type Actor, ticketAccessScope } from '../access.js';
import { toTicketSummaries, type TeamLevelDeps } from './ticket-summaries.js';
import type { TicketSummaryView } from './ticket-view.js';
import { visibleTicket } from './visible-ticket.js';

/** How many of the requester's other tickets are shown beside a ticket. */
export const REQUESTER_TICKETS_LIMIT = 10;

/**
 * The newest other tickets of the same requester (by email address), in the inboxes the actor may
 * see: what an agent looks at beside a ticket, and the candidates for a merge. Merged tickets are
 * left out, since their conversation lives on in the ticket they were merged into.
 */
export async function requesterTickets(
  deps: TeamLevelDeps & { tickets: Pick<TicketStore, 'findById' | 'listOthersOfRequester'> },
  actor: Actor,
  ticketId: string,
  limit = REQUESTER_TICKETS_LIMIT,
): Promise<TicketSummaryView[]> {
  return otherTicketsOfRequester(deps, actor, await visibleTicket(deps.tickets, actor, ticketId), limit);
}

/** {@link requesterTickets} beside a ticket the caller has read and checked. */
export async function otherTicketsOfRequester(
  deps: TeamLevelDeps & { tickets: Pick<TicketStore, 'listOthersOfRequester'> },
  actor: Actor,
  ticket: Pick<TicketDoc, '_id' | 'requester'>,
  limit = REQUESTER_TICKETS_LIMIT,
): Promise<TicketSummaryView[]> {
  const scope = ticketAccessScope(actor);
  const others = await deps.tickets.listOthersOfRequester({
    email: ticket.requester.email,
    exceptId: ticket._id,
    ...(scope ? { access: scope } : {}),
    limit: Math.min(Math.max(1, limit), 50),
  });
  return toTicketSummaries(deps, others);
}
