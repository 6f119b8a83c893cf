import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';

/** Something that reached the ticket after the agent last looked at it. */
export interface ReplyConflictItem {
  /** The message's id. */
  id: string;
  kind: 'customer_message' | 'reply' | 'note';
  at: Date;
  /** The agent who wrote it (hex id), for replies and notes. */
  authorId: string | null;
  /** The sender of a customer message. */
  from: { address: string; name: string | null } | null;
  /** The start of its text. */
  excerpt: string;
}

const EXCERPT_CHARS = 300;

/** What looking for a reply's conflicts reads. */
export interface ReplyConflictDeps {
  tickets: Pick<TicketStore, 'conversationIds'>;
  trail: Pick<TrailStore, 'listNewForReply'>;
  messages: Pick<MessageStore, 'listNamedByTrail'>;
}

/**
 * What arrived on a ticket after `seenUntil`, the time of the newest trail entry the agent had seen:
 * customer messages, and replies and notes by anyone else. It reads the trail, not the messages,
 * because the trail records when a mail arrived, where a message keeps the Date its sender wrote.
 */
export async function findReplyConflicts(
  deps: ReplyConflictDeps,
  input: { ticketId: Types.ObjectId; userId: Types.ObjectId | null; seenUntil: Date; conversation?: Types.ObjectId[] },
): Promise<ReplyConflictItem[]> {
  const ticketIds = input.conversation ?? (await deps.tickets.conversationIds(input.ticketId));
  const events = await deps.trail.listNewForReply(ticketIds, { after: input.seenUntil, userId: input.userId });
  if (events.length === 0) return [];
  // message_received and note_added name the stored message; reply_queued names the mail's Message-ID.
  const docIds = events.flatMap((e) => (e.type !== 'reply_queued' && e.data.messageId ? [e.data.messageId as Types.ObjectId] : []));
  const mailIds = events.flatMap((e) => (e.type === 'reply_queued' && typeof e.data.messageId === 'string' ? [e.data.messageId] : []));
  const messages = await deps.messages.listNamedByTrail(ticketIds, docIds, mailIds);
  const byDocId = new Map(messages.map((m) => [m._id.toHexString(), m]));
  const byMailId = new Map(messages.filter((m) => m.direction === 'outbound' && m.messageId).map((m) => [m.messageId!, m]));
  return events.flatMap((e): ReplyConflictItem[] => {
    const m = e.type === 'reply_queued' ? byMailId.get(String(e.data.messageId)) : byDocId.get(String(e.data.messageId));
    if (!m) return [];
    return [{
      id: m._id.toHexString(),
      kind: e.type === 'message_received' ? 'customer_message' : e.type === 'reply_queued' ? 'reply' : 'note',
      at: e.at,
      authorId: m.authorId?.toHexString() ?? null,
      from: e.type === 'message_received' && m.from ? { address: m.from.address, name: m.from.name ?? null } : null,
      excerpt: (m.text ?? '').trim().replace(/\s+/g, ' ').slice(0, EXCERPT_CHARS),
    }];
  });
}

/**
 * The CONFLICT of a held reply: `details` names the new items for the API (`{id, kind, at}` and the
 * new `seenUntil`); `items` keeps them whole for the ticket page, which shows them.
 */
export class ReplyConflictError extends AppError {
  readonly items: ReplyConflictItem[];

  constructor(items: ReplyConflictItem[]) {
    super('CONFLICT', 'The ticket changed while the reply was written; read the new items, then send again', {
      details: { items: items.map((i) => ({ id: i.id, kind: i.kind, at: i.at.toISOString() })), seenUntil: items.at(-1)!.at.toISOString() },
      key: 'conflict.ticketChanged',
    });
    this.items = items;
  }
}

/**
 * Holds a reply when the ticket changed after `seenUntil`: a {@link ReplyConflictError} with the new
 * items, so the agent reads them before sending. Without `seenUntil` nothing is checked.
 */
export async function checkReplyConflict(
  deps: ReplyConflictDeps,
  input: { ticketId: Types.ObjectId; userId: Types.ObjectId | null; seenUntil: Date | null; conversation?: Types.ObjectId[] },
): Promise<void> {
  if (!input.seenUntil) return;
  const items = await findReplyConflicts(deps, { ...input, seenUntil: input.seenUntil });
  if (items.length > 0) throw new ReplyConflictError(items);
}
