import { Transform, type Readable } from 'node:stream';
import { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UploadStore } from '../../store/upload-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import type { ScanFile } from '../ports.js';
import { workableTicket } from '../tickets/visible-ticket.js';

const MB = 1024 * 1024;

/** How much agents may attach (ATTACHMENT_MAX_FILE_MB, ATTACHMENT_MAX_MAIL_MB, ATTACHMENT_MAX_FILES). */
export interface AttachmentLimits {
  maxFileBytes: number;
  maxMailBytes: number;
  maxFiles: number;
}

/** The defaults of ATTACHMENT_MAX_FILE_MB (10), ATTACHMENT_MAX_MAIL_MB (25) and ATTACHMENT_MAX_FILES (20). */
export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { maxFileBytes: 10 * 1024 * 1024, maxMailBytes: 25 * 1024 * 1024, maxFiles: 20 };

/** The limits of the configuration's `attachments` (MB), in bytes. */
export function attachmentLimits(config: { maxFileMb: number; maxMailMb: number; maxFiles: number }): AttachmentLimits {
  return { maxFileBytes: Math.floor(config.maxFileMb * MB), maxMailBytes: Math.floor(config.maxMailMb * MB), maxFiles: config.maxFiles };
}

/** A limit in MB as people read it (10, 2.5). */
export function megabytes(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

/** An unused upload is removed this long after it was made. */
export const UPLOAD_UNUSED_TTL_MS = 24 * 60 * 60 * 1000;

/** What uploading needs: the staging store, GridFS, the ticket (access), the limits and the scan hook (when configured). */
export interface UploadFileDeps {
  uploads: Pick<UploadStore, 'insert' | 'listUnusedBefore' | 'removeUnused'>;
  blobs: Pick<BlobStore, 'put' | 'open' | 'remove'>;
  /** The reply drafts: an upload a draft holds is not cleaned up. */
  replyDrafts: Pick<ReplyDraftStore, 'uploadIdsInDrafts'>;
  tickets: Pick<TicketStore, 'findById'>;
  /** DEFAULT_ATTACHMENT_LIMITS when not given. */
  attachmentLimits?: AttachmentLimits;
  /** The scan hook (ATTACHMENT_SCAN_COMMAND); without it files are not scanned. */
  scanUpload?: ScanFile | null;
  now: () => Date;
}

/** Where an upload is for: a ticket being answered, or the inbox a new conversation is written from. */
export type UploadTarget = { ticketId: string } | { inboxId: string };

/** A file as it arrives (a multipart part): its declared name and type, and its bytes as a stream. */
export interface IncomingFile {
  filename: string;
  contentType: string;
  stream: Readable;
}

/** An upload as the pages and the API show it. */
export interface UploadedFile {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  /** Where its uploader fetches it (and the URL an inline image in the reply's HTML refers to). */
  url: string;
}

const TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** The declared type when it is a well-formed media type (lower-cased, without parameters), else octet-stream. */
export function cleanContentType(declared: string): string {
  const essence = (declared.split(';')[0] ?? '').trim().toLowerCase();
  return MEDIA_TYPE.test(essence) ? essence : 'application/octet-stream';
}

/** The file's own name without any folder part or control characters, at most 200 characters; "attachment" when empty. */
export function cleanFilename(declared: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const base = (declared.split(/[\\/]/).pop() ?? '').replace(/[\x00-\x1f\x7f]/g, '').trim();
  return [...base].slice(0, 200).join('') || 'attachment';
}

/** The page URL of an upload: under its ticket, or under `/tickets/new` for a new conversation. */
export function uploadUrl(upload: { _id: Types.ObjectId; ticketId: Types.ObjectId | null }): string {
  return `/tickets/${upload.ticketId ? upload.ticketId.toHexString() : 'new'}/uploads/${upload._id.toHexString()}`;
}

/** The file refused as too large, in the uploader's language (413). */
export function fileTooLarge(filename: string, maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `${filename} is larger than ${megabytes(maxBytes)} MB, the limit for one file`, {
    key: 'upload.tooLarge', params: { filename, maxMb: megabytes(maxBytes) }, details: { filename, maxBytes },
  });
}

/** Counts bytes on their way through and fails as soon as there are more than `maxBytes`. */
function limitTo(maxBytes: number, onTooLarge: () => AppError): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) return done(onTooLarge());
      done(null, chunk);
    },
  });
}

/** The ticket or inbox an upload is for, once the actor may work there (NOT_FOUND otherwise). */
export async function uploadTarget(deps: Pick<UploadFileDeps, 'tickets'>, actor: Actor, target: UploadTarget): Promise<{ ticketId: Types.ObjectId | null; inboxId: Types.ObjectId }> {
  if ('ticketId' in target) {
    const ticket = await workableTicket(deps.tickets, actor, target.ticketId);
    return { ticketId: ticket._id, inboxId: ticket.inboxId };
  }
  const inboxId = parseObjectId(target.inboxId);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  return { ticketId: null, inboxId };
}

/**
 * Removes up to 20 unused uploads older than a day that no reply draft holds, with their files. Runs with every upload (the
 * staging area is only ever filled by uploads, so it is swept as it fills); a failure is left for
 * the next one.
 */
export async function sweepUnusedUploads(deps: Pick<UploadFileDeps, 'uploads' | 'blobs' | 'replyDrafts' | 'now'>): Promise<number> {
  // A draft's files wait for it, however old: they go once it is sent (then they are used) or gone.
  const held = await deps.replyDrafts.uploadIdsInDrafts();
  const expired = await deps.uploads.listUnusedBefore(new Date(deps.now().getTime() - UPLOAD_UNUSED_TTL_MS), 20, held);
  let removed = 0;
  for (const upload of expired) {
    if (!(await deps.uploads.removeUnused(upload._id))) continue;
    await deps.blobs.remove(upload.fileId).catch(() => {});
    removed++;
  }
  return removed;
}

/**
 * An agent uploads a file for a reply to a ticket they may work, or for a new conversation from an
 * inbox of theirs (NOT_FOUND otherwise, checked before a byte is read). The bytes stream into GridFS
 * and are never held whole: past `maxBytes` (the per-file limit, or less when the caller's mail has
 * less room left) the stream stops, what was stored is removed, and the file is refused (413). With a
 * scan hook the stored file is then streamed to it: refused or not scannable, the file is removed
 * and refused (422 with the scanner's reason). The upload belongs to its uploader alone.
 */
export async function uploadFile(deps: UploadFileDeps, actor: Actor, target: UploadTarget, file: IncomingFile, opts: { maxBytes?: number } = {}): Promise<UploadedFile> {
  const userId = actor.userId;
  if (!userId) {
    file.stream.resume();
    throw new AppError('FORBIDDEN', 'Only a user can upload files');
  }
  let where: Awaited<ReturnType<typeof uploadTarget>>;
  try {
    where = await uploadTarget(deps, actor, target);
  } catch (err) {
    file.stream.resume();
    throw err;
  }
  const filename = cleanFilename(file.filename);
  const contentType = cleanContentType(file.contentType);
  const limits = deps.attachmentLimits ?? DEFAULT_ATTACHMENT_LIMITS;
  const maxBytes = Math.min(opts.maxBytes ?? Infinity, limits.maxFileBytes);
  const tooLarge = () => (maxBytes < limits.maxFileBytes ? mailTooLarge(limits.maxMailBytes) : fileTooLarge(filename, limits.maxFileBytes));

  const source = file.stream;
  const limited = limitTo(maxBytes, tooLarge);
  source.on('error', (err) => limited.destroy(err));
  let stored: Awaited<ReturnType<UploadFileDeps['blobs']['put']>>;
  try {
    stored = await deps.blobs.put(source.pipe(limited), { filename, contentType, metadata: { upload: true } });
  } catch (err) {
    // Cut off: what was stored is gone (the blob store aborts), the rest of the file is read and dropped.
    source.unpipe(limited);
    source.resume();
    throw err;
  }
  if (deps.scanUpload) {
    const verdict = await deps.scanUpload(deps.blobs.open(stored.id));
    if (!verdict.clean) {
      await deps.blobs.remove(stored.id).catch(() => {});
      throw verdict.reason === 'refused'
        ? new AppError('UPLOAD_REFUSED', `${filename} was refused by the virus scan: ${verdict.detail}`, { key: 'upload.refused', params: { filename, reason: verdict.detail }, details: { filename, reason: 'refused', scanner: verdict.detail } })
        : new AppError('UPLOAD_REFUSED', `${filename} could not be scanned, so it was not accepted`, { key: 'upload.unscannable', params: { filename }, details: { filename, reason: 'unscannable' } });
    }
  }
  const _id = new Types.ObjectId();
  await deps.uploads.insert({ _id, userId, ticketId: where.ticketId, inboxId: where.inboxId, fileId: stored.id, filename, contentType, size: stored.size, sha256: stored.sha256, createdAt: deps.now() });
  await sweepUnusedUploads(deps).catch(() => 0);
  return { id: _id.toHexString(), filename, size: stored.size, contentType, url: uploadUrl({ _id, ticketId: where.ticketId }) };
}

/** The mail's attachments refused as too large together (413). */
export function mailTooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The attachments come to more than ${megabytes(maxBytes)} MB, the limit for one mail`, {
    key: 'upload.mailTooLarge', params: { maxMb: megabytes(maxBytes) }, details: { maxBytes },
  });
}

/** Too many files for one mail (413). */
export function tooManyFiles(max: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `At most ${max} files can be attached to one mail`, { key: 'upload.tooMany', params: { max }, details: { maxFiles: max } });
}
