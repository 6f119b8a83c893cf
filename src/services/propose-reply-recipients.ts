import type { Types } from 'mongoose';
import { replyRecipients, type ReplyRecipients } from '../domain/reply-recipients.js';
import { conversationTicketIds } from '../store/merged-tickets.js';
import type { Models } from '../store/models/index.js';
import type { TicketDoc } from '../store/models/ticket.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from './access.js';

/** A stored address as the recipient rule reads it (a missing name is null). */
export const plainAddress = (a: { address: string; name?: string | null }) => ({ address: a.address, name: a.name ?? null });

type RecipientModels = Pick<Models, 'Ticket' | 'Message' | 'Inbox' | 'Contact'>;

/** The proposal with the own addresses it was made against, which an explicit choice is checked with. */
export interface RecipientContext {
  proposal: ReplyRecipients;
  own: ReadonlySet<string>;
}

/**
 * Reads what the recipient rule (domain/reply-recipients.ts) needs for one ticket: its
 * conversation's mail in arrival order, every inbox address, and which participants bounce.
 * `conversation` is the ticket's {@link conversationTicketIds}, when the caller has them already.
 */
export async function recipientContext(
  models: RecipientModels,
  ticket: Pick<TicketDoc, '_id' | 'requester' | 'participants'>,
  conversation?: Types.ObjectId[],
): Promise<RecipientContext> {
  const ticketIds = conversation ?? (await conversationTicketIds(models, ticket._id));
  const [messages, inboxes, bouncing] = await Promise.all([
    models.Message.find({ ticketId: { $in: ticketIds }, direction: { $in: ['inbound', 'outbound'] } }, { direction: 1, from: 1, to: 1, cc: 1, replyTo: 1, flags: 1, createdAt: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .lean(),
    models.Inbox.find({}, { address: 1 }).lean(),
    models.Contact.find({ email: { $in: [ticket.requester.email, ...ticket.participants] }, 'bounce.bouncing': true }, { email: 1 }).lean(),
  ]);
  const own = new Set(inboxes.map((i) => i.address.toLowerCase()));
  const proposal = replyRecipients({
    requester: { address: ticket.requester.email, name: ticket.requester.name ?? null },
    participants: ticket.participants ?? [],
    own,
    bouncing: new Set(bouncing.map((c) => c.email)),
    history: messages.map((m) => ({
      direction: m.direction === 'outbound' ? 'outbound' : 'inbound',
      automated: m.flags.bounce || m.flags.autoReply === true,
      from: m.from ? plainAddress(m.from) : null,
      to: (m.to ?? []).map(plainAddress),
      cc: (m.cc ?? []).map(plainAddress),
      replyTo: (m.replyTo ?? []).map(plainAddress),
    })),
  });
  return { proposal, own };
}

/**
 * Who a reply to this ticket would go to (To, Cc) and the new addresses the agent may add; null for
 * a merged ticket, which takes no replies. NOT_FOUND when the ticket does not exist or is not the actor's.
 */
export async function proposeReplyRecipients(deps: { models: RecipientModels }, actor: Actor, ticketId: string): Promise<ReplyRecipients | null> {
  const id = parseObjectId(ticketId);
  const ticket = id ? await deps.models.Ticket.findById(id, { inboxId: 1, requester: 1, participants: 1, mergedIntoId: 1 }).lean() : null;
  if (!ticket || !canSeeInbox(actor, ticket.inboxId)) throw notFound('Ticket');
  if (ticket.mergedIntoId) return null;
  return (await recipientContext(deps.models, ticket)).proposal;
}
