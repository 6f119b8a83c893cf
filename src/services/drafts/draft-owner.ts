import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { ReplyDraftDoc } from '../../store/models/reply-draft.js';
import type { UploadDoc } from '../../store/models/upload.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { visibleTicket } from '../tickets/visible-ticket.js';

/** A reply draft as the API and the pages show it. */
export interface DraftView {
  ticketId: string;
  text: string;
  /** The reply editor's HTML, or null for a text-only draft (saved without the editor). */
  html: string | null;
  /** The Cc addresses chosen, or null when the reply keeps the proposed Cc. */
  cc: string[] | null;
  /** The To addresses chosen, or null when the reply keeps the proposed To. */
  to: string[] | null;
  /** The blind copies chosen (none when null). */
  bcc: string[] | null;
  /** The agent's uploads attached to the reply, in the order attached (a file since removed is left out). */
  uploads: DraftUpload[];
  updatedAt: Date;
}

/** A file attached to a draft: the agent's upload for the ticket. */
export interface DraftUpload {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

/** The draft as shown to its owner, with its uploads as found (those of `d.uploadIds` that still exist). */
export function toDraftView(d: ReplyDraftDoc, uploads: readonly UploadDoc[]): DraftView {
  const byId = new Map(uploads.map((u) => [u._id.toHexString(), u]));
  const attached = (d.uploadIds ?? []).flatMap((id) => {
    const u = byId.get(id.toHexString());
    return u ? [{ id: u._id.toHexString(), filename: u.filename, contentType: u.contentType, size: u.size }] : [];
  });
  return { ticketId: d.ticketId.toHexString(), text: d.text, html: d.html ?? null, cc: d.cc ?? null, to: d.to ?? null, bcc: d.bcc ?? null, uploads: attached, updatedAt: d.updatedAt };
}

/**
 * The user and ticket a draft belongs to: only a signed-in user has drafts (FORBIDDEN otherwise),
 * and only on a ticket they can see (NOT_FOUND otherwise, like every hidden ticket).
 */
export async function draftKey(tickets: Pick<TicketStore, 'findById'>, actor: Actor, ticketId: string): Promise<{ userId: Types.ObjectId; ticketId: Types.ObjectId }> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has reply drafts', { key: 'forbidden.draftsNeedUser' });
  const ticket = await visibleTicket(tickets, actor, ticketId);
  return { userId: actor.userId, ticketId: ticket._id };
}
