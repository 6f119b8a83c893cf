import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';

/** A ticket the actor may see, read once and whole, or NOT_FOUND (hidden and missing look the same). */
export async function visibleTicket(tickets: Pick<TicketStore, 'findById'>, actor: Actor, id: string): Promise<TicketDoc> {
  const ticketId = parseObjectId(id);
  const ticket = ticketId ? await tickets.findById(ticketId) : null;
  if (!ticket || !canSeeInbox(actor, ticket.inboxId)) throw notFound('Ticket');
  return ticket;
}
