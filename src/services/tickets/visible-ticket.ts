import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { canSeeTicket, canWorkTicket, escalatedReadOnly, notFound, parseObjectId, type Actor } from '../access.js';

/** A ticket the actor may see (a member of its inbox or of its team), read once and whole, or NOT_FOUND (hidden and missing look the same). */
export async function visibleTicket(tickets: Pick<TicketStore, 'findById'>, actor: Actor, id: string): Promise<TicketDoc> {
  const ticketId = parseObjectId(id);
  const ticket = ticketId ? await tickets.findById(ticketId) : null;
  if (!ticket || !canSeeTicket(actor, ticket)) throw notFound('Ticket');
  return ticket;
}

/**
 * {@link visibleTicket} for the use cases that change a ticket: someone who sees it only through a
 * team it was escalated from is refused with FORBIDDEN (they know it exists, so not NOT_FOUND).
 */
export async function workableTicket(tickets: Pick<TicketStore, 'findById'>, actor: Actor, id: string): Promise<TicketDoc> {
  const ticket = await visibleTicket(tickets, actor, id);
  if (!canWorkTicket(actor, ticket)) throw escalatedReadOnly();
  return ticket;
}
