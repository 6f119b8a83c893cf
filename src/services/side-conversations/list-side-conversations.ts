import type { Types } from 'mongoose';
import type { MessageStore } from '../../store/message-store.js';
import type { PartnerStore } from '../../store/partner-store.js';
import type { SideConversationStore } from '../../store/side-conversation-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { visibleTicket } from '../tickets/visible-ticket.js';
import { toSideConversationView, type SideConversationView } from './side-conversation-view.js';

/** What listing a ticket's side conversations reads. */
export interface ListSideConversationsDeps {
  tickets: Pick<TicketStore, 'findById' | 'conversationIds'>;
  sideConversations: Pick<SideConversationStore, 'listByTickets'>;
  messages: Pick<MessageStore, 'listSideMessages'>;
  partners: Pick<PartnerStore, 'listAll'>;
}

/** The side conversations of tickets already read (the ticket page reads the ticket once). */
export async function sideConversationsOf(deps: Omit<ListSideConversationsDeps, 'tickets'>, conversation: Types.ObjectId[]): Promise<SideConversationView[]> {
  const list = await deps.sideConversations.listByTickets(conversation);
  if (list.length === 0) return [];
  const [messages, partners] = await Promise.all([deps.messages.listSideMessages(list.map((sc) => sc._id)), deps.partners.listAll()]);
  const names = new Map(partners.map((p) => [p._id.toHexString(), p.name]));
  return list.map((sc) => toSideConversationView(sc, messages, sc.partnerId ? (names.get(sc.partnerId.toHexString()) ?? null) : null));
}

/**
 * The side conversations of a ticket the actor may see (NOT_FOUND otherwise), with those of the
 * tickets merged into it, oldest first, each with its mails: for agents only, never the customer.
 */
export async function listSideConversations(deps: ListSideConversationsDeps, actor: Actor, id: string): Promise<SideConversationView[]> {
  const ticket = await visibleTicket(deps.tickets, actor, id);
  const conversation = await deps.tickets.conversationIds(ticket._id, ticket);
  return sideConversationsOf(deps, conversation);
}
