import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Response } from 'express';
import type { Logger } from 'pino';
import { openAttachment } from '../../services/tickets/open-attachment.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

// Types a browser would render or execute; they go out as opaque bytes even though the disposition
// is "attachment", in case something downstream ignores it.
const ACTIVE_TYPES = new Set([
  'text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/xsl',
  'text/javascript', 'application/javascript', 'application/x-javascript', 'application/ecmascript', 'text/ecmascript',
]);
const TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** The Content-Type to send for an attachment: its declared type unless malformed or active. */
export function safeContentType(declared: string): string {
  const [essenceRaw = '', ...params] = declared.split(';');
  const essence = essenceRaw.trim().toLowerCase();
  if (!MEDIA_TYPE.test(essence) || ACTIVE_TYPES.has(essence) || essence.startsWith('multipart/')) return 'application/octet-stream';
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})"?\s*$/i.exec(p)?.[1]).find(Boolean);
  return charset && essence.startsWith('text/') ? `${essence}; charset=${charset}` : essence;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `attachment` disposition with an ASCII fallback `filename` and the exact name in `filename*`
 * (RFC 6266, RFC 5987 ext-value: everything outside attr-char percent-encoded as UTF-8).
 */
export function attachmentDisposition(filename: string | null): string {
  const cleaned = [...(filename ?? '').replace(LONE_SURROGATE, '\uFFFD')].map((c) => (c < ' ' || c === '\u007f' || c === '/' || c === '\\' ? '_' : c));
  const name = cleaned.join('').trim() || 'attachment';
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Resolves once the stream has data (or ended), rejects if it fails first: decides 200 vs an error. */
function firstReadable(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      stream.off('readable', onReadable);
      reject(err);
    };
    stream.once('readable', onReadable);
    stream.once('error', onError);
  });
}

/**
 * Sends an opened attachment as a download: waits for the first bytes so a file missing from GridFS
 * becomes an error response rather than a broken download, then streams it with safe headers.
 */
export async function sendAttachment(
  res: Response,
  file: { stream: Readable; contentType: string; filename: string | null },
  opts: { cacheControl: string; logger: Logger; fileId: string },
): Promise<void> {
  try {
    await firstReadable(file.stream);
  } catch (err) {
    file.stream.destroy();
    throw err;
  }
  res.set({
    'Content-Type': safeContentType(file.contentType),
    'Content-Disposition': attachmentDisposition(file.filename),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': opts.cacheControl,
  });
  await pipeline(file.stream, res).catch((err: Error & { code?: string }) => {
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') opts.logger.error({ err, fileId: opts.fileId }, 'attachment download failed mid-stream');
  });
}

/** `GET /attachments/:fileId`: streams a stored attachment to a caller who can see its ticket. */
export function attachmentRoutes(deps: { stores: Stores; blobs: BlobStore; logger: Logger; now: () => Date }): Router {
  const router = Router();
  router.get('/:fileId', async (req, res) => {
    const file = await openAttachment({ ...deps, ...deps.stores }, principalOf(res).actor, req.params.fileId);
    await sendAttachment(res, file, { cacheControl: 'private', logger: deps.logger, fileId: req.params.fileId });
  });
  return router;
}
