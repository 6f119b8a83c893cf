import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { ReplyDraftDoc } from '../../store/models/reply-draft.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { visibleTicket } from '../tickets/visible-ticket.js';

/** A reply draft as the API and the pages show it. */
export interface DraftView {
  ticketId: string;
  text: string;
  /** The Cc addresses chosen, or null when the reply keeps the proposed Cc. */
  cc: string[] | null;
  updatedAt: Date;
}

/** The draft as shown to its owner. */
export const toDraftView = (d: ReplyDraftDoc): DraftView => ({ ticketId: d.ticketId.toHexString(), text: d.text, cc: d.cc ?? null, updatedAt: d.updatedAt });

/**
 * The user and ticket a draft belongs to: only a signed-in user has drafts (FORBIDDEN otherwise),
 * and only on a ticket they can see (NOT_FOUND otherwise, like every hidden ticket).
 */
export async function draftKey(tickets: Pick<TicketStore, 'findById'>, actor: Actor, ticketId: string): Promise<{ userId: Types.ObjectId; ticketId: Types.ObjectId }> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has reply drafts', { key: 'forbidden.draftsNeedUser' });
  const ticket = await visibleTicket(tickets, actor, ticketId);
  return { userId: actor.userId, ticketId: ticket._id };
}
