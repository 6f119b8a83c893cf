import type { Types } from 'mongoose';
import type { ReplyRecipients } from '../../domain/reply-recipients.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { MessageDoc } from '../../store/models/message.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import { canSeeTicket, type Actor } from '../access.js';
import { bouncingAddresses, recipientContextOf } from './propose-reply-recipients.js';
import {
  toMessageView,
  toTicketEventView,
  toTicketClassification,
  toTicketSummary,
  type MessageView,
  type TicketClassificationView,
  type TicketEventView,
  type TicketSummaryView,
} from './ticket-view.js';
import { teamLevelsOf } from './ticket-summaries.js';
import { recordTicketOpened, type RecordOpenedDeps } from './mark-ticket-read.js';
import { recordTicketViewed, type RecordAccessDeps } from '../access-log/record-access.js';
import { visibleTicket } from './visible-ticket.js';

/** A ticket with its conversation and its trail. */
export interface TicketDetailView extends TicketSummaryView, TicketClassificationView {
  /** Where this ticket was merged into; null when it was not, or when the target is not the actor's. */
  mergedInto: { id: string; number: number } | null;
  /** In Spam: since when, and what its marking blocked (null: nothing); null when the ticket is not in Spam. */
  spam: { at: Date | null; block: { kind: 'sender' | 'domain'; value: string } | null } | null;
  messages: MessageView[];
  events: TicketEventView[];
}

/** What reading a conversation needs. */
export interface ConversationDeps {
  tickets: Pick<TicketStore, 'findById' | 'conversationIds' | 'findRef' | 'listRefs'>;
  trail: Pick<TrailStore, 'listConversation' | 'listMergeEntries'>;
  messages: Pick<MessageStore, 'listConversation'>;
  /** The ticket's team, for its level. */
  teams: Pick<TeamStore, 'listByIds'>;
}

/** A ticket's detail view with the stored messages it was made from (none for a merged ticket). */
export interface TicketConversation {
  view: TicketDetailView;
  messages: MessageDoc[];
}

/**
 * Reads the conversation of a ticket the caller has read and checked: its messages (arrival order)
 * and events (chronological), including those of the tickets merged into it; a merged ticket lists
 * no messages and only its merge. An event naming a ticket the actor cannot see names none.
 */
export async function readConversation(deps: ConversationDeps, actor: Actor, ticket: TicketDoc): Promise<TicketConversation> {
  const { tickets } = deps;
  // A merged ticket shows no conversation: from the moment it points at its root, the root lists
  // its messages and trail (messages never move, so no moment shows one on both or on neither).
  const conversation = ticket.mergedIntoId ? null : await tickets.conversationIds(ticket._id, ticket);
  const [messages, events, target, levels] = await Promise.all([
    conversation ? deps.messages.listConversation(conversation) : [],
    conversation ? deps.trail.listConversation(conversation) : deps.trail.listMergeEntries(ticket._id),
    ticket.mergedIntoId ? tickets.findRef(ticket.mergedIntoId) : null,
    teamLevelsOf(deps, [ticket]),
  ]);
  const namedIds = events.filter((e) => NAMES_A_TICKET.has(e.type) && e.data.ticketId).map((e) => e.data.ticketId as Types.ObjectId);
  const named = namedIds.length > 0 ? await tickets.listRefs(namedIds) : [];
  const visible = new Map(named.filter((t) => canSeeTicket(actor, t)).map((t) => [t._id.toHexString(), t.number]));
  return {
    view: {
      ...toTicketSummary(ticket, (ticket.teamId && levels.get(ticket.teamId.toHexString())) || null),
      ...toTicketClassification(ticket),
      mergedInto: target && canSeeTicket(actor, target) ? { id: target._id.toHexString(), number: target.number } : null,
      spam: ticket.status === 'spam' ? { at: ticket.spam?.at ?? null, block: ticket.spam?.block ? { kind: ticket.spam.block.kind, value: ticket.spam.block.value } : null } : null,
      messages: messages.map(toMessageView),
      events: events.map((e) => (NAMES_A_TICKET.has(e.type) ? namingTicket(toTicketEventView(e), visible) : toTicketEventView(e))),
    },
    messages,
  };
}

/**
 * One ticket with its messages and events (see {@link readConversation}). NOT_FOUND when the
 * ticket does not exist or belongs to an inbox the actor cannot see.
 */
export async function getTicket(deps: ConversationDeps, actor: Actor, ticketId: string): Promise<TicketDetailView> {
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  return (await readConversation(deps, actor, ticket)).view;
}

/**
 * {@link getTicket} plus whom a reply would go to (To, Cc) and the new addresses the agent may add
 * (null for a merged ticket, which takes no replies), each document read once. Reading it this way
 * (`GET /api/v1/tickets/:id`) marks it read for the actor and records the view in the access log.
 */
export async function getTicketWithRecipients(
  deps: ConversationDeps & RecordOpenedDeps & RecordAccessDeps & { inboxes: Pick<InboxStore, 'listAddresses'>; contacts: Pick<ContactStore, 'listBouncingEmails'>; now: () => Date },
  actor: Actor,
  ticketId: string,
): Promise<TicketDetailView & { replyRecipients: ReplyRecipients | null }> {
  // Read as of now, before the conversation is read (unread marks, domain/unread.ts).
  const openedAt = deps.now();
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  const [{ view, messages }, inboxes, bouncing] = await Promise.all([
    readConversation(deps, actor, ticket),
    ticket.mergedIntoId ? [] : deps.inboxes.listAddresses(),
    ticket.mergedIntoId ? [] : bouncingAddresses(deps.contacts, ticket),
    recordTicketOpened(deps, actor, ticket._id, openedAt),
    recordTicketViewed(deps, actor, ticket, openedAt),
  ]);
  const replyRecipients = ticket.mergedIntoId ? null : recipientContextOf(ticket, messages, inboxes.map((i) => i.address), bouncing).proposal;
  return { ...view, replyRecipients };
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
