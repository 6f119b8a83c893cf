import { pipeline } from 'node:stream/promises';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { AppError, isAppError } from '../../domain/errors.js';
import { parseObjectId, type Actor } from '../../services/access.js';
import { openUpload } from '../../services/attachments/open-upload.js';
import { DEFAULT_ATTACHMENT_LIMITS, megabytes, uploadFile, type UploadFileDeps, type UploadTarget } from '../../services/attachments/upload-file.js';
import { attachmentDisposition, safeContentType } from '../api/attachment-routes.js';
import { clientErrorOf, localizedError } from '../errors.js';
import { multipartForm, uploadedFiles, type MultipartOptions } from '../multipart-form.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Stores } from '../../store/stores.js';
import { postedText } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { scriptUrl } from './static-assets.js';


/** Where pages load the uploads script from; the URL changes with the script. */
export const UPLOADS_SCRIPT_URL = scriptUrl('uploads.js');

/** Images a browser shows in place (the reply editor's pasted images); any other type is a download. */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** What the upload use case needs, from the page context. */
export function uploadDeps(ctx: PageContext): UploadFileDeps & { uploads: Stores['uploads']; blobs: BlobStore } {
  const blobs = ctx.blobs;
  if (!blobs) throw new AppError('INTERNAL', 'Uploads are not available: no blob store');
  return { ...ctx.actions, uploads: ctx.stores.uploads, replyDrafts: ctx.stores.replyDrafts, blobs, tickets: ctx.stores.tickets, now: ctx.now };
}

/**
 * What the reply box's attachment partial shows: the limits in words, where files go, the script,
 * and the files already attached (a held reply's, listed again as ticked boxes).
 */
export function replyAttachmentsBox(ctx: PageContext, uploadUrl: string, uploaded: Array<{ id: string; filename: string }> = []) {
  const limits = ctx.actions.attachmentLimits ?? DEFAULT_ATTACHMENT_LIMITS;
  return { maxFileBytes: limits.maxFileBytes, maxFileMb: megabytes(limits.maxFileBytes), maxMailMb: megabytes(limits.maxMailBytes), maxFiles: limits.maxFiles, uploadUrl, scriptUrl: UPLOADS_SCRIPT_URL, uploaded };
}

/** The posted upload ids that are the actor's own, with their names, for a form shown again. */
export async function ownUploads(ctx: PageContext, actor: Actor, ids: string[]): Promise<Array<{ id: string; filename: string }>> {
  const parsed = ids.map(parseObjectId).filter((id): id is NonNullable<typeof id> => id !== null);
  if (!actor.userId || parsed.length === 0) return [];
  const found = new Map((await ctx.stores.uploads.listOwned(actor.userId, parsed)).map((u) => [u._id.toHexString(), u.filename]));
  return [...new Set(parsed.map((id) => id.toHexString()))].filter((id) => found.has(id)).map((id) => ({ id, filename: found.get(id)! }));
}

/**
 * The multipart reading of a form that takes files (the reply form, a new conversation): fields into
 * `req.body`, the files of `fileField` stored as the agent's uploads for `target` once the CSRF token,
 * which comes first in the form, checks out.
 */
export function formWithFiles(ctx: PageContext, fileField: string, target: ((req: Request) => UploadTarget) | null): RequestHandler {
  const csrf = requireCsrf(ctx.publicUrl);
  const opts: MultipartOptions = {
    fileFields: target ? [fileField] : [],
    limits: ctx.actions.attachmentLimits ?? DEFAULT_ATTACHMENT_LIMITS,
    beforeFiles: (req, res) => csrf(req, res, () => {}),
    ...(target ? { store: (req, res, file, room) => uploadFile(uploadDeps(ctx), requireSession(res).actor, target(req), file, { maxBytes: room }) } : {}),
  };
  return multipartForm(opts);
}

/** The upload endpoint's errors as JSON `{error: {code, message}}` in the page's language (the script shows the message). */
const jsonErrors: ErrorRequestHandler = (err: unknown, req, res, next) => {
  const appError = isAppError(err) ? err : clientErrorOf(err);
  if (!appError || res.headersSent) return next(err);
  res.status(appError.httpStatus).json({ error: { code: appError.code, ...localizedError(appError, pageI18n(res).tr) } });
};

/** Answers an upload: 201 with the file as the reply box lists it. */
const created: RequestHandler = (_req, res) => {
  const [upload] = uploadedFiles(res);
  if (!upload) throw new AppError('VALIDATION_FAILED', 'Send one file in a field named file', { key: 'upload.noFile' });
  res.status(201).set('Cache-Control', 'no-store').json(upload);
};

/**
 * The reply box's files. `POST /tickets/:id/uploads` (and `POST /tickets/new/uploads?inboxId=` for a
 * new conversation): one file in the multipart field `file`, after the `_csrf` field; 201 with the
 * upload as JSON, or a JSON error (413 too large, 422 refused by the scan, 404, 403). `GET
 * /tickets/:id/uploads/:uploadId` (`new` for a new conversation's): the file, to its uploader only.
 */
export function uploadPages(ctx: PageContext): Router {
  const router = Router();
  router.post('/tickets/new/uploads', requireLogin, formWithFiles(ctx, 'file', (req) => ({ inboxId: typeof req.query.inboxId === 'string' ? req.query.inboxId : postedText(req, 'inbox') })), requireCsrf(ctx.publicUrl), created, jsonErrors);
  router.post('/tickets/:id/uploads', requireLogin, formWithFiles(ctx, 'file', (req) => ({ ticketId: String(req.params.id) })), requireCsrf(ctx.publicUrl), created, jsonErrors);
  router.get('/tickets/:id/uploads/:uploadId', requireLogin, async (req, res) => {
    const { actor } = requireSession(res);
    const file = await openUpload(uploadDeps(ctx), actor, String(req.params.id), String(req.params.uploadId));
    const type = safeContentType(file.contentType);
    res.set({
      'Content-Type': type,
      'Content-Length': String(file.size),
      'Content-Disposition': INLINE_IMAGES.has(type) ? attachmentDisposition(file.filename).replace(/^attachment/, 'inline') : attachmentDisposition(file.filename),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    await pipeline(file.stream, res).catch((err: Error & { code?: string }) => {
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && !res.headersSent) throw err;
    });
  });
  return router;
}
