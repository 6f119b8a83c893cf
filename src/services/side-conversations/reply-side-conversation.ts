import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { checkReplyable } from '../../domain/ticket.js';
import type { MessageStore } from '../../store/message-store.js';
import type { PartnerStore } from '../../store/partner-store.js';
import type { SideConversationStore } from '../../store/side-conversation-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { workableTicket } from '../tickets/visible-ticket.js';
import { parseInput } from '../validate.js';
import { checkNotSpam, sendingInbox, sendSideMail, type SendSideMailDeps } from './send-side-mail.js';
import { toSideConversationView, type SideConversationView } from './side-conversation-view.js';

/** The most ids a reply in a side conversation references (the newest). */
const MAX_REFERENCES = 20;

/** What answering in a side conversation needs. */
export interface ReplySideConversationDeps extends SendSideMailDeps {
  tickets: SendSideMailDeps['tickets'] & Pick<TicketStore, 'findById' | 'conversationIds'>;
  sideConversations: SendSideMailDeps['sideConversations'] & Pick<SideConversationStore, 'findById'>;
  messages: SendSideMailDeps['messages'] & Pick<MessageStore, 'listSideMessages'>;
  partners: Pick<PartnerStore, 'findById'>;
}

/** `POST /tickets/:id/side-conversations/:sideId/replies`. */
export const sideReplySchema = z.strictObject({
  text: z.string().trim().min(1).max(1_000_000),
  requestKey: z.string().min(1).max(100).optional(),
});

export type SideReplyInput = z.output<typeof sideReplySchema>;

/**
 * An agent who may work the ticket answers in one of its side conversations (NOT_FOUND when the
 * ticket is hidden or the side conversation is not one of the ticket's): the mail goes to the side
 * conversation's recipients, answering its latest mail (In-Reply-To, References of the side
 * conversation only), as {@link sendSideMail} says. One mail per `requestKey`.
 */
export async function replySideConversation(deps: ReplySideConversationDeps, actor: Actor, ticketId: string, sideId: string, request: { form: SideReplyInput } | { json: unknown }): Promise<SideConversationView> {
  const ticket = await workableTicket(deps.tickets, actor, ticketId);
  const authorId = actor.userId;
  if (!authorId) throw new AppError('FORBIDDEN', 'Only a user can write to a partner');
  const scId = parseObjectId(sideId);
  const sc = scId ? await deps.sideConversations.findById(scId) : null;
  const conversation = await deps.tickets.conversationIds(ticket._id, ticket);
  if (!sc || !conversation.some((id) => id.equals(sc.ticketId))) throw notFound('Side conversation');
  const input = 'json' in request ? parseInput(sideReplySchema, request.json, 'Reply') : request.form;
  checkReplyable(ticket);
  checkNotSpam(ticket);
  const inbox = await sendingInbox(deps, ticket);
  const earlier = await deps.messages.listSideMessages([sc._id]);
  const ids = earlier.map((m) => m.messageId).filter((m): m is string => Boolean(m));
  await sendSideMail(deps, {
    ticket, sideConversation: sc, inbox, authorId,
    to: sc.to.map((a) => ({ address: a.address, name: a.name ?? null })),
    text: input.text,
    inReplyTo: ids.at(-1) ?? null,
    references: ids.slice(-MAX_REFERENCES),
    dedupeKey: input.requestKey ? `side-reply:${sc._id.toHexString()}:${input.requestKey}` : null,
    opening: false,
  });
  const [stored, messages, partner] = await Promise.all([
    deps.sideConversations.findById(sc._id),
    deps.messages.listSideMessages([sc._id]),
    sc.partnerId ? deps.partners.findById(sc.partnerId) : null,
  ]);
  return toSideConversationView(stored ?? sc, messages, partner?.name ?? null);
}
