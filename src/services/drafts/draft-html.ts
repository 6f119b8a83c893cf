import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { UploadDoc } from '../../store/models/upload.js';
import type { UploadStore } from '../../store/upload-store.js';
import { parseObjectId } from '../access.js';
import { inlineUploadIds, replaceUploadImages } from '../attachments/mail-attachments.js';
import type { ReplyBodyDeps } from '../tickets/reply-body.js';

/** What cleaning a draft's HTML needs: the agent's uploads, and the replies' sanitizer (no HTML is kept without it). */
export interface DraftHtmlDeps {
  uploads: Pick<UploadStore, 'listOwned'>;
  sanitizeHtml?: ReplyBodyDeps['sanitizeHtml'];
}

/**
 * The uploads among `ids` that are the user's own and were made for this ticket, in the order of
 * `ids`, each once (a malformed id, another person's upload or another ticket's is left out).
 */
export async function ownTicketUploads(uploads: Pick<UploadStore, 'listOwned'>, userId: Types.ObjectId, ticketId: Types.ObjectId, ids: readonly (string | Types.ObjectId)[]): Promise<UploadDoc[]> {
  const parsed = ids.map((id) => (typeof id === 'string' ? parseObjectId(id) : id)).filter((id): id is Types.ObjectId => id !== null);
  if (parsed.length === 0) return [];
  const found = new Map((await uploads.listOwned(userId, parsed)).filter((u) => u.ticketId?.equals(ticketId)).map((u) => [u._id.toHexString(), u]));
  return [...new Set(parsed.map((id) => id.toHexString()))].flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
}

/**
 * A draft's HTML as it may be kept: cleaned by the replies' sanitizer (scripts, event handlers and
 * every source that could load something go), keeping the images of the agent's own uploads for this
 * ticket (`/tickets/<ticket>/uploads/<upload>`, as the editor inserts them); any other upload's image
 * is dropped. Null when there is no sanitizer, or the HTML is too complex to show safely (the draft
 * then keeps its text alone).
 */
export async function cleanDraftHtml(deps: DraftHtmlDeps, userId: Types.ObjectId, ticketId: Types.ObjectId, html: string): Promise<string | null> {
  if (!deps.sanitizeHtml) return null;
  const own = new Set((await ownTicketUploads(deps.uploads, userId, ticketId, inlineUploadIds(html))).map((u) => u._id.toHexString()));
  // The sanitizer keeps `cid:` image sources and drops relative ones: the own images pass as a `cid:`
  // nobody could have written (a fresh random tag), and get their address back afterwards.
  const tag = `draft-${randomBytes(9).toString('hex')}`;
  const marked = replaceUploadImages(html, (img, quote, id) => (own.has(id) ? img.replace(/\ssrc\s*=\s*(["'])[^"']*\1/i, ` src=${quote}cid:${tag}.${id}${quote}`) : ''));
  const clean = await deps.sanitizeHtml(marked);
  if (clean === null) return null;
  return clean.replace(new RegExp(`cid:${tag}\\.([0-9a-f]{24})`, 'g'), (_whole, id: string) => `/tickets/${ticketId.toHexString()}/uploads/${id}`);
}
