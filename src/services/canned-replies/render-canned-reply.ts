import { fillPlaceholders } from '../../domain/canned-reply.js';
import type { CannedReplyStore } from '../../store/canned-reply-store.js';
import type { CannedReplyDoc } from '../../store/models/canned-reply.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { UserDoc } from '../../store/models/user.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { visibleTicket } from '../tickets/visible-ticket.js';

/** A canned reply filled in for one ticket: plain text, ready to go into the reply box. */
export interface RenderedCannedReply {
  id: string;
  title: string;
  text: string;
}

/**
 * Fills one of the ticket's inbox's canned replies for this ticket and this agent. NOT_FOUND when the
 * ticket is hidden, or the reply is missing or belongs to another inbox.
 */
export async function renderCannedReply(deps: { tickets: Pick<TicketStore, 'findById'>; cannedReplies: Pick<CannedReplyStore, 'findInInbox'>; users: Pick<UserStore, 'findLabelById'> }, actor: Actor, ticketId: string, cannedId: string): Promise<RenderedCannedReply> {
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  const id = parseObjectId(cannedId);
  const [reply, agent] = await Promise.all([
    id ? deps.cannedReplies.findInInbox(id, ticket.inboxId) : null,
    actor.userId ? deps.users.findLabelById(actor.userId) : null,
  ]);
  if (!reply) throw notFound('Canned reply');
  return fillCannedReply(reply, ticket, agent);
}

/** A canned reply of the ticket's inbox filled in with the ticket's customer and the agent who inserts it. */
export function fillCannedReply(
  reply: Pick<CannedReplyDoc, '_id' | 'title' | 'body'>,
  ticket: Pick<TicketDoc, 'requester' | 'number' | 'subject'>,
  agent: Pick<UserDoc, 'name' | 'email'> | null,
): RenderedCannedReply {
  const text = fillPlaceholders(reply.body, {
    customer: { name: ticket.requester.name ?? null, email: ticket.requester.email },
    ticket: { number: ticket.number, subject: ticket.subject },
    agent: { name: agent?.name ?? null, email: agent?.email ?? '' },
  });
  return { id: reply._id.toHexString(), title: reply.title, text };
}
