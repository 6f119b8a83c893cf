import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { AttachmentRef } from '../../store/models/message.js';
import type { UploadDoc } from '../../store/models/upload.js';
import type { UploadStore } from '../../store/upload-store.js';
import { parseObjectId } from '../access.js';
import { invalidInput, inputIssue } from '../validate.js';
import { DEFAULT_ATTACHMENT_LIMITS, mailTooLarge, tooManyFiles, type AttachmentLimits } from './upload-file.js';

/** What attaching uploads to a mail needs. */
export interface MailAttachmentsDeps {
  uploads?: Pick<UploadStore, 'listOwned' | 'markUsed'>;
  blobs?: Pick<BlobStore, 'read'>;
  attachmentLimits?: AttachmentLimits;
}

/** A mail's files: the parts to compose, what the stored message lists, and the HTML with its images as `cid:` parts. */
export interface MailAttachments {
  files: Array<{ filename: string | null; contentType: string; content: Buffer; cid?: string }>;
  refs: AttachmentRef[];
  html: string | null;
  uploadIds: Types.ObjectId[];
}

/** At most this many upload ids in one request. */
export const MAX_UPLOAD_IDS = 100;

/**
 * `<img … src="/tickets/<ticket or new>/uploads/<upload>" …>` as an editor writes it: the upload's id
 * is the second group. Matches the tag with any attribute order and either quote.
 */
const UPLOAD_IMAGE = /<img\b[^>]*?\ssrc\s*=\s*(["'])\/tickets\/(?:[0-9a-f]{24}|new)\/uploads\/([0-9a-f]{24})\1[^>]*>/gi;

/**
 * The HTML with each upload image tag (see {@link inlineUploadIds}) replaced by what `replace` makes
 * of it: the whole tag, its quote character and the upload's id (lower case).
 */
export function replaceUploadImages(html: string, replace: (tag: string, quote: string, uploadId: string) => string): string {
  return html.replace(UPLOAD_IMAGE, (tag, quote: string, id: string) => replace(tag, quote, id.toLowerCase()));
}

/** The Content-ID an inline upload goes out with. */
const contentIdOf = (upload: Pick<UploadDoc, '_id'>) => `${upload._id.toHexString()}.upload@threadline`;

/** The ids of the uploads an HTML body shows as images (in order, each once). */
export function inlineUploadIds(html: string): string[] {
  return [...new Set([...html.matchAll(UPLOAD_IMAGE)].map((m) => m[2]!.toLowerCase()))];
}

/**
 * The files of an agent's mail: the uploads they attached (`uploadIds`) and the uploads their HTML
 * shows as images. Each must be the agent's own and made for this ticket (or, for a new conversation,
 * this inbox); an attached id that is not is refused (400), an image of one is dropped from the HTML.
 * Images become inline parts the HTML refers to by `cid:`. Over the count or size limits: 413. Uploads
 * already used by a mail may be given again (a retried request); the caller marks them used once the
 * mail is queued (see {@link markUploadsUsed}).
 */
export async function mailAttachments(
  deps: MailAttachmentsDeps,
  userId: Types.ObjectId,
  where: { ticketId: Types.ObjectId | null; inboxId: Types.ObjectId },
  uploadIds: readonly string[],
  html: string | null,
): Promise<MailAttachments> {
  const inline = html ? inlineUploadIds(html) : [];
  if (uploadIds.length === 0 && inline.length === 0) return { files: [], refs: [], html, uploadIds: [] };
  if (!deps.uploads || !deps.blobs) throw new AppError('INTERNAL', 'Attachments are not available here');
  const attachedIds = uploadIds.map((raw, i) => {
    const id = parseObjectId(raw);
    if (!id) throw invalidInput([inputIssue(`uploadIds.${i}`, 'issue.notAnId', 'must be an id')], 'Reply');
    return id;
  });
  const owned = await deps.uploads.listOwned(userId, [...attachedIds, ...inline.map((id) => parseObjectId(id)!)]);
  const fits = (u: UploadDoc) => (where.ticketId ? Boolean(u.ticketId?.equals(where.ticketId)) : u.ticketId === null && Boolean(u.inboxId?.equals(where.inboxId)));
  const usable = new Map(owned.filter(fits).map((u) => [u._id.toHexString(), u]));
  attachedIds.forEach((id, i) => {
    if (!usable.has(id.toHexString())) throw invalidInput([inputIssue(`uploadIds.${i}`, 'issue.uploadMissing', 'is not an upload of yours for this ticket')], 'Reply');
  });
  const inlineShown = new Set(inline.filter((id) => usable.has(id)));
  // An upload shown as an image goes once, inline; the others as attachments, each once.
  const chosen = [...new Set([...inlineShown, ...attachedIds.map((id) => id.toHexString())])].map((id) => usable.get(id)!);
  const limits = deps.attachmentLimits ?? DEFAULT_ATTACHMENT_LIMITS;
  if (chosen.length > limits.maxFiles) throw tooManyFiles(limits.maxFiles);
  if (chosen.reduce((sum, u) => sum + u.size, 0) > limits.maxMailBytes) throw mailTooLarge(limits.maxMailBytes);

  const rewritten = html?.replace(UPLOAD_IMAGE, (tag, quote: string, id: string) => {
    const upload = usable.get(id.toLowerCase());
    if (!upload) return '';
    return tag.replace(/\ssrc\s*=\s*(["'])[^"']*\1/i, ` src=${quote}cid:${contentIdOf(upload)}${quote}`);
  }) ?? null;
  const files = await Promise.all(
    chosen.map(async (u) => ({
      filename: u.filename,
      contentType: u.contentType,
      content: await deps.blobs!.read(u.fileId),
      ...(inlineShown.has(u._id.toHexString()) ? { cid: contentIdOf(u) } : {}),
    })),
  );
  const refs: AttachmentRef[] = chosen.map((u) => {
    const isInline = inlineShown.has(u._id.toHexString());
    return { fileId: u.fileId, filename: u.filename, contentType: u.contentType, size: u.size, sha256: u.sha256, contentId: isInline ? contentIdOf(u) : null, inline: isInline };
  });
  return { files, refs, html: rewritten, uploadIds: chosen.map((u) => u._id) };
}

/** Marks the uploads of a queued mail used: their files now belong to its message and are never swept. */
export async function markUploadsUsed(deps: MailAttachmentsDeps, attached: MailAttachments, now: Date): Promise<void> {
  if (attached.uploadIds.length > 0) await deps.uploads?.markUsed(attached.uploadIds, now);
}
