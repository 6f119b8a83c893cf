import { Router, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../../domain/errors.js';
import { DEFAULT_ATTACHMENT_LIMITS, uploadFile, type UploadFileDeps, type UploadTarget } from '../../services/attachments/upload-file.js';
import { multipartForm, uploadedFiles } from '../multipart-form.js';
import { principalOf } from './authenticate.js';

/** Text fields a multipart API body may repeat: they are arrays in the JSON body. */
const ARRAY_FIELDS = new Set(['to', 'cc', 'bcc', 'uploadIds']);

/**
 * The JSON body a multipart API request stands for: its text fields (`to`, `cc`, `bcc` and
 * `uploadIds` as arrays, however often given; any other repeated field is kept as sent, so the use
 * case refuses it), with the files stored from this request added to `uploadIds`. A JSON request's
 * body is returned as it is.
 */
export function bodyWithUploads(req: Request, res: Response): unknown {
  if (!req.is('multipart/form-data')) return req.body;
  const fields = (req.body ?? {}) as Record<string, string | string[]>;
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) body[name] = ARRAY_FIELDS.has(name) && !Array.isArray(value) ? [value] : value;
  const uploaded = uploadedFiles(res).map((u) => u.id);
  if (uploaded.length > 0) body.uploadIds = [...((body.uploadIds as string[] | undefined) ?? []), ...uploaded];
  return body;
}

/** The multipart reading of an API route: file parts named `field` become the caller's uploads for `target`. */
export function apiFormWithFiles(deps: UploadFileDeps, field: string, target: (req: Request) => UploadTarget): RequestHandler {
  return multipartForm({
    fileFields: [field],
    limits: deps.attachmentLimits ?? DEFAULT_ATTACHMENT_LIMITS,
    store: (req, res, file, room) => uploadFile(deps, principalOf(res).actor, target(req), file, { maxBytes: room }),
  });
}

/**
 * `POST /uploads`: one file (multipart part `file`) uploaded for a reply to `ticketId` or a new
 * conversation from `inboxId` (fields before the file, or query parameters). 201 with
 * `{id, filename, size, contentType, url}`; refer to it in `uploadIds` of the reply or the new
 * conversation. 413 over the limits, 422 refused by the scan hook, 404 for a ticket or inbox the
 * caller cannot work.
 */
export function uploadRoutes(deps: UploadFileDeps): Router {
  const router = Router();
  const targetOf = (req: Request): UploadTarget => {
    const field = (name: string) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?.[name];
      const value = typeof fromBody === 'string' ? fromBody : req.query[name];
      return typeof value === 'string' && value !== '' ? value : null;
    };
    const ticketId = field('ticketId');
    if (ticketId) return { ticketId };
    const inboxId = field('inboxId');
    if (inboxId) return { inboxId };
    throw new AppError('VALIDATION_FAILED', 'Upload is invalid: ticketId: give ticketId or inboxId before the file', {
      details: { issues: [{ path: 'ticketId', message: 'give ticketId or inboxId before the file' }] },
    });
  };
  router.post('/uploads', (req, _res, next) => {
    if (!req.is('multipart/form-data')) return next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data in a part named file', { key: 'upload.noFile' }));
    next();
  }, apiFormWithFiles(deps, 'file', targetOf), (_req, res) => {
    const [upload] = uploadedFiles(res);
    if (!upload) throw new AppError('VALIDATION_FAILED', 'Send one file in a part named file', { key: 'upload.noFile' });
    res.status(201).json(upload);
  });
  return router;
}
