import type { Types } from 'mongoose';
import { INLINE_IMAGE_TTL_MS, contentIdOfCidUrl, inlineImageUrl } from '../../domain/inline-image-links.js';
import type { Signer } from '../../domain/message-ids.js';
import type { AttachmentRef } from '../../store/models/message.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { visibleTicket } from './visible-ticket.js';

/**
 * Image types an inline image may be served as. Raster formats only: an SVG opened on its own
 * would run its scripts on our origin.
 */
export const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** Whether an attachment can be shown as an inline image of its message. */
export function isInlineImage(a: Pick<AttachmentRef, 'contentId' | 'contentType'>): a is typeof a & { contentId: string } {
  return Boolean(a.contentId) && INLINE_IMAGE_TYPES.has(a.contentType.toLowerCase());
}

/** A customer mail's stored HTML, and where each of its own inline images can be fetched. */
export interface MailBody {
  html: string;
  /** The sanitizer rules `html` was cleaned under; null when not recorded. */
  htmlRules: string | null;
  /** The signed URL of this message's inline image with that `cid:` URL, or null if it has none. */
  inlineImageUrl: (cidUrl: string) => string | null;
}

/**
 * Opens the stored HTML of one message of a ticket the actor can see, or of a ticket merged into it
 * (NOT_FOUND otherwise). Only
 * `cid:` URLs that name an inline image of this very message resolve; each URL is signed for this
 * user, this message and that Content-ID, and expires after a while.
 */
export async function openMailBody(
  deps: { tickets: Pick<TicketStore, 'findById' | 'conversationIds'>; messages: Pick<MessageStore, 'findBodyAmong'>; sign: Signer; now: () => Date },
  actor: Actor,
  ticketId: string,
  messageId: string,
): Promise<MailBody> {
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  const id = parseObjectId(messageId);
  const message = id ? await deps.messages.findBodyAmong(id, await deps.tickets.conversationIds(ticket._id)) : null;
  if (!message?.html || !actor.userId) throw notFound('Message');
  const userId: Types.ObjectId = actor.userId;
  const images = new Set(message.attachments.filter(isInlineImage).map((a) => a.contentId));
  const expiresAt = new Date(deps.now().getTime() + INLINE_IMAGE_TTL_MS);
  return {
    html: message.html,
    htmlRules: message.htmlRules ?? null,
    inlineImageUrl(cidUrl) {
      const contentId = contentIdOfCidUrl(cidUrl);
      return contentId !== null && images.has(contentId) ? inlineImageUrl(deps.sign, { userId: userId.toHexString(), messageId: message._id.toHexString(), contentId, expiresAt }) : null;
    },
  };
}
