import { AppError } from '../../domain/errors.js';
import type { TicketReadStore } from '../../store/ticket-read-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import type { TicketReadState } from './mark-ticket-read.js';
import { visibleTicket } from './visible-ticket.js';

/**
 * "Mark as unread": a ticket the actor may see (NOT_FOUND otherwise) shows as unread for them alone
 * until they open it again, whatever its news. Only a user has marks.
 */
export async function markTicketUnread(deps: { ticketReads: Pick<TicketReadStore, 'markUnread'>; tickets: Pick<TicketStore, 'findById'> }, actor: Actor, id: string): Promise<TicketReadState> {
  const ticket = await visibleTicket(deps.tickets, actor, id);
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a user has unread marks');
  await deps.ticketReads.markUnread(actor.userId, ticket._id);
  return { id: ticket._id.toHexString(), unread: true };
}
