import { z } from 'zod';
import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UploadStore } from '../../store/upload-store.js';
import type { Actor } from '../access.js';
import { MAX_UPLOAD_IDS } from '../attachments/mail-attachments.js';
import { parseInput } from '../validate.js';
import { cleanDraftHtml, ownTicketUploads, type DraftHtmlDeps } from './draft-html.js';
import { draftKey, toDraftView, type DraftView } from './draft-owner.js';

/** The longest draft kept, as long as the reply form takes. */
export const DRAFT_MAX_TEXT = 1_000_000;
/** The longest HTML of a draft kept, as long as a reply's HTML may be. */
export const DRAFT_MAX_HTML = 2_000_000;

const addresses = z.array(z.string().trim().toLowerCase().pipe(z.email().max(254))).max(100);

/** The body of `PUT /tickets/:id/draft` (and the reply form's draft fields). */
export const draftSchema = z.strictObject({
  text: z.string().max(DRAFT_MAX_TEXT, `is longer than ${DRAFT_MAX_TEXT} characters`),
  /** The reply editor's HTML of the same reply; `text` stays its plain-text version. Sanitized when saved. */
  html: z.string().max(DRAFT_MAX_HTML, `is longer than ${DRAFT_MAX_HTML} characters`).nullable().optional(),
  cc: addresses.nullable().optional(),
  /** The To addresses chosen; null or absent keeps the proposed To. */
  to: addresses.nullable().optional(),
  /** Blind copies chosen. */
  bcc: addresses.nullable().optional(),
  /** The caller's uploads for this ticket attached to the reply (`POST /uploads`); any other id is left out. */
  uploadIds: z.array(z.string().max(100)).max(MAX_UPLOAD_IDS).nullable().optional(),
});

/** What saving a draft needs. */
export interface SaveDraftDeps extends DraftHtmlDeps {
  tickets: Pick<TicketStore, 'findById'>;
  replyDrafts: Pick<ReplyDraftStore, 'save' | 'remove'>;
  uploads: Pick<UploadStore, 'listOwned'>;
  now: () => Date;
}

/**
 * Saves the actor's reply draft for a ticket they can see (`{ text, html?, cc?, to?, bcc?, uploadIds? }`),
 * replacing the one before. The HTML is sanitized as a reply's is (keeping the images of the actor's
 * own uploads for this ticket); only the actor's own uploads for this ticket are kept. A draft of only
 * white space (text and HTML) and without files is removed instead, and null is returned.
 */
export async function saveDraft(deps: SaveDraftDeps, actor: Actor, ticketId: string, input: unknown): Promise<DraftView | null> {
  const key = await draftKey(deps.tickets, actor, ticketId);
  const fields = parseInput(draftSchema, input, 'Draft');
  const html = fields.html?.trim() ? await cleanDraftHtml(deps, key.userId, key.ticketId, fields.html) : null;
  const uploads = await ownTicketUploads(deps.uploads, key.userId, key.ticketId, fields.uploadIds ?? []);
  if (fields.text.trim() === '' && !html?.trim() && uploads.length === 0) {
    await deps.replyDrafts.remove(key.userId, key.ticketId);
    return null;
  }
  const saved = await deps.replyDrafts.save(key.userId, key.ticketId, {
    text: fields.text,
    html: html?.trim() ? html : null,
    cc: fields.cc ?? null,
    to: fields.to?.length ? fields.to : null,
    bcc: fields.bcc?.length ? fields.bcc : null,
    uploadIds: uploads.map((u) => u._id),
    updatedAt: deps.now(),
  });
  return toDraftView(saved, uploads);
}
