import type { Types } from 'mongoose';
import { conversationTicketIds, conversationTrailFilter } from '../store/merged-tickets.js';
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
 * One ticket with its messages (arrival order) and events (chronological), including those of the
 * tickets merged into it; a merged ticket lists no messages and only its merge. NOT_FOUND when the
 * ticket does not exist or belongs to an inbox the actor cannot see; an event naming a ticket the
 * actor cannot see names none.
 */
export async function getTicket(
  deps: { models: Pick<Models, 'Ticket' | 'Message' | 'TicketEvent'> },
  actor: Actor,
  ticketId: string,
): Promise<TicketDetailView> {
  const id = parseObjectId(ticketId);
  const ticket = id ? await deps.models.Ticket.findById(id).lean() : null;
  if (!id || !ticket || !canSeeInbox(actor, ticket.inboxId)) throw notFound('Ticket');

  // A merged ticket shows no conversation: from the moment it points at its root, the root lists
  // its messages and trail (messages never move, so no moment shows one on both or on neither).
  const conversation = ticket.mergedIntoId ? null : await conversationTicketIds(deps.models, id);
  const [messages, events, target] = await Promise.all([
    conversation ? deps.models.Message.find({ ticketId: { $in: conversation } }).sort({ createdAt: 1, _id: 1 }).lean() : [],
    deps.models.TicketEvent.find(conversation ? conversationTrailFilter(conversation) : { ticketId: id, type: 'merged' }).sort({ at: 1, _id: 1 }).lean(),
    ticket.mergedIntoId ? deps.models.Ticket.findById(ticket.mergedIntoId).select({ number: 1, inboxId: 1 }).lean() : null,
  ]);
  const namedIds = events.filter((e) => NAMES_A_TICKET.has(e.type) && e.data.ticketId).map((e) => e.data.ticketId as Types.ObjectId);
  const named = namedIds.length > 0 ? await deps.models.Ticket.find({ _id: { $in: namedIds } }).select({ number: 1, inboxId: 1 }).lean() : [];
  const visible = new Map(named.filter((t) => canSeeInbox(actor, t.inboxId)).map((t) => [t._id.toHexString(), t.number]));
  return {
    ...toTicketSummary(ticket),
    mergedInto: target && canSeeInbox(actor, target.inboxId) ? { id: target._id.toHexString(), number: target.number } : null,
    messages: messages.map(toMessageView),
    events: events.map((e) => (NAMES_A_TICKET.has(e.type) ? namingTicket(toTicketEventView(e), visible) : toTicketEventView(e))),
  };
}

/** Trail events that name another ticket in `data.ticketId`: a follow-up, or a ticket of another inbox. */
const NAMES_A_TICKET = new Set<string>(['linked', 'related']);

/**
 * The event as this actor may read it: the other ticket's id and number when the actor can see that
 * ticket, else both null, so the trail tells an agent only that a ticket elsewhere is related.
 */
function namingTicket(e: TicketEventView, visible: Map<string, number>): TicketEventView {
  const id = e.data.ticketId ? String(e.data.ticketId) : null;
  const number = id ? visible.get(id) : undefined;
  const reason = typeof e.data.reason === 'string' ? e.data.reason : null;
  return { ...e, data: number === undefined ? { ticketId: null, number: null, reason } : { ticketId: id, number, reason } };
}
