import type { Models } from '../store/models/index.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from './access.js';
import {
  toMessageView,
  toTicketEventView,
  toTicketSummary,
  type MessageView,
  type TicketEventView,
  type TicketSummaryView,
} from './ticket-view.js';

/** A ticket with its conversation and its trail. */
export interface TicketDetailView extends TicketSummaryView {
  /** Where this ticket was merged into; null when it was not, or when the target is not the actor's. */
  mergedInto: { id: string; number: number } | null;
  messages: MessageView[];
  events: TicketEventView[];
}

/**
 * One ticket with its messages (arrival order) and events (chronological). NOT_FOUND when the ticket
 * does not exist or belongs to an inbox the actor cannot see.
 */
export async function getTicket(
  deps: { models: Pick<Models, 'Ticket' | 'Message' | 'TicketEvent'> },
  actor: Actor,
  ticketId: string,
): Promise<TicketDetailView> {
  const id = parseObjectId(ticketId);
  const ticket = id ? await deps.models.Ticket.findById(id).lean() : null;
  if (!id || !ticket || !canSeeInbox(actor, ticket.inboxId)) throw notFound('Ticket');

  const [messages, events, target] = await Promise.all([
    deps.models.Message.find({ ticketId: id }).sort({ createdAt: 1, _id: 1 }).lean(),
    deps.models.TicketEvent.find({ ticketId: id }).sort({ at: 1, _id: 1 }).lean(),
    ticket.mergedIntoId ? deps.models.Ticket.findById(ticket.mergedIntoId).select({ number: 1, inboxId: 1 }).lean() : null,
  ]);
  return {
    ...toTicketSummary(ticket),
    mergedInto: target && canSeeInbox(actor, target.inboxId) ? { id: target._id.toHexString(), number: target.number } : null,
    messages: messages.map(toMessageView),
    events: events.map(toTicketEventView),
  };
}
