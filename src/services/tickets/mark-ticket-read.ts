import type { Types } from 'mongoose';
import type { TicketReadStore } from '../../store/ticket-read-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { visibleTicket } from './visible-ticket.js';

/** What recording that a user opened a ticket needs: their read marks. */
export type RecordOpenedDeps = { ticketReads: Pick<TicketReadStore, 'markRead'> };

/** The caller's read state of one ticket, as the read and unread actions answer it. */
export interface TicketReadState {
  id: string;
  unread: boolean;
}

/**
 * Records that the actor opened a ticket they may see at `at`, taken before the ticket was read, so
 * news stored while the page was being built still shows as unread. The operator CLI keeps no marks.
 */
export async function recordTicketOpened(deps: RecordOpenedDeps, actor: Actor, ticketId: Types.ObjectId, at: Date): Promise<void> {
  if (actor.userId) await deps.ticketReads.markRead(actor.userId, ticketId, at);
}

/**
 * `POST /tickets/:id/read`: marks a ticket the actor may see (NOT_FOUND otherwise) read for them alone,
 * as opening it does.
 */
export async function markTicketRead(
  deps: RecordOpenedDeps & { tickets: Pick<TicketStore, 'findById'>; now: () => Date },
  actor: Actor,
  id: string,
): Promise<TicketReadState> {
  const at = deps.now();
  const ticket = await visibleTicket(deps.tickets, actor, id);
  await recordTicketOpened(deps, actor, ticket._id, at);
  return { id: ticket._id.toHexString(), unread: false };
}
