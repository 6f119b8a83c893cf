import busboy from 'busboy';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../domain/errors.js';
import { DEFAULT_ATTACHMENT_LIMITS, mailTooLarge, tooManyFiles, type AttachmentLimits, type IncomingFile, type UploadedFile } from '../services/attachments/upload-file.js';

/** What {@link multipartForm} does with a request's parts. */
export interface MultipartOptions {
  /** The names of the file parts taken; any other file part is read and dropped. */
  fileFields: readonly string[];
  /** The per-file, per-mail and count limits (the defaults when not given). */
  limits?: AttachmentLimits;
  /**
   * Called once, before the first file part is stored, with the fields read so far in `req.body`:
   * throws to refuse the request (the CSRF check, which needs `_csrf` before any file).
   */
  beforeFiles?: (req: Request, res: Response) => void;
  /** Stores one file (the upload use case); `room` is how many bytes this request's mail has left. Without it files are dropped. */
  store?: (req: Request, res: Response, file: IncomingFile, room: number) => Promise<UploadedFile>;
}

/** Text fields: at most this many, each at most this long (a reply's text is the longest). */
const MAX_FIELDS = 300;
const MAX_FIELD_BYTES = 2 * 1024 * 1024;

/** The uploads a multipart request stored, in the order of its parts (empty for any other request). */
export function uploadedFiles(res: Response): UploadedFile[] {
  return (res.locals.uploadedFiles as UploadedFile[] | undefined) ?? [];
}

/**
 * Reads a `multipart/form-data` request (any other passes untouched): its text fields become
 * `req.body` (a repeated name becomes an array, as the urlencoded parser does), and its file parts
 * named in `fileFields` are streamed one after the other to `store`, never held in memory whole;
 * they are listed by {@link uploadedFiles}. Limits: at most `maxFiles` files (413), each within the
 * per-file limit and all together within the per-mail one (the upload use case cuts a file off at
 * its limit, 413). A refused request is still read to its end, so the client sees the answer
 * rather than a broken connection; the error goes to the route's error handling.
 */
export function multipartForm(opts: MultipartOptions): RequestHandler {
  const limits = opts.limits ?? DEFAULT_ATTACHMENT_LIMITS;
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    // A body announced far larger than a mail may be is refused before reading it.
    const declared = Number(req.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxMailBytes + MAX_FIELD_BYTES + 1024 * 1024) {
      res.set('Connection', 'close');
      return next(mailTooLarge(limits.maxMailBytes));
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, files: limits.maxFiles, parts: MAX_FIELDS + limits.maxFiles } });
    } catch (err) {
      return next(new AppError('VALIDATION_FAILED', 'Request could not be read', { key: 'request.unreadable', cause: err }));
    }
    const body: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    req.body = body;
    const stored: UploadedFile[] = [];
    let failure: unknown = null;
    let checked = false;
    let used = 0;
    // Files are stored one at a time, in order: the next part is not read before the previous one is stored.
    let queue: Promise<void> = Promise.resolve();
    const fail = (err: unknown) => {
      failure ??= err;
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large', { key: 'request.tooLarge' }));
      const prev = body[name];
      body[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    });
    parser.on('file', (name, stream, info) => {
      // A file input left empty still sends a part, without a name and without bytes.
      if (failure || !opts.store || !opts.fileFields.includes(name) || !info.filename) {
        stream.resume();
        return;
      }
      const store = opts.store;
      // Checked as the first file part begins, against the fields before it (not those after).
      if (!checked) {
        checked = true;
        try {
          opts.beforeFiles?.(req, res);
        } catch (err) {
          fail(err);
          stream.resume();
          return;
        }
      }
      queue = queue.then(async () => {
        if (failure) return void stream.resume();
        try {
          const upload = await store(req, res, { filename: info.filename ?? '', contentType: info.mimeType, stream }, limits.maxMailBytes - used);
          used += upload.size;
          stored.push(upload);
        } catch (err) {
          fail(err);
          stream.resume();
        }
      });
    });
    parser.on('filesLimit', () => fail(tooManyFiles(limits.maxFiles)));
    parser.on('fieldsLimit', () => fail(new AppError('PAYLOAD_TOO_LARGE', 'Request body has too many fields', { key: 'request.tooManyFields' })));
    parser.on('partsLimit', () => fail(new AppError('PAYLOAD_TOO_LARGE', 'Request body has too many fields', { key: 'request.tooManyFields' })));
    let finished = false;
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      req.unpipe(parser);
      void queue.then(() => {
        const problem = failure ?? err;
        // Listed even when the request is refused: a form shown again keeps the files stored before the refused one.
        res.locals.uploadedFiles = stored;
        if (problem) return next(problem);
        next();
      });
    };
    parser.on('close', () => finish(null));
    parser.on('error', (err) => {
      // The rest of the body is read and dropped, so the answer reaches the client.
      req.resume();
      finish(new AppError('VALIDATION_FAILED', 'Request body could not be read as a form', { key: 'request.unreadable', cause: err }));
    });
    req.pipe(parser);
  };
}
