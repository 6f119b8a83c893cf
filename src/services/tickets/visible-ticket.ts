import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { canSeeTicket, notFound, parseObjectId, type Actor } from '../access.js';

/** A ticket the actor may see (a member of its inbox or of its team), read once and whole, or NOT_FOUND (hidden and missing look the same). */
export async function visibleTicket(tickets: Pick<TicketStore, 'findById'>, actor: Actor, id: string): Promise<TicketDoc> {
  const ticketId = parseObjectId(id);
  const ticket = ticketId ? await tickets.findById(ticketId) : null;
  if (!ticket || !canSeeTicket(actor, ticket)) throw notFound('Ticket');
  return ticket;
}
