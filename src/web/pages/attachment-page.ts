import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { Logger } from 'pino';
import { openAttachment } from '../../services/open-attachment.js';
import type { BlobStore } from '../../store/blob-store.js';
import { attachmentDisposition, safeContentType } from '../api/attachment-routes.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';

/**
 * `GET /attachments/:fileId` for the browser: the same checks and headers as the API download
 * (visible ticket only, always a download, active types sent as opaque bytes, nosniff).
 */
export function attachmentPage(ctx: PageContext & { blobs: BlobStore; logger: Logger }): Router {
  const router = Router();
  router.get('/attachments/:fileId', requireLogin, async (req, res) => {
    const file = await openAttachment(ctx, requireSession(res).actor, String(req.params.fileId));
    // Wait for the first bytes so a file missing from GridFS becomes a 404 page, not a broken download.
    await new Promise<void>((resolve, reject) => {
      file.stream.once('readable', resolve);
      file.stream.once('error', reject);
    }).catch((err: unknown) => {
      file.stream.destroy();
      throw err;
    });
    res.set({
      'Content-Type': safeContentType(file.contentType),
      'Content-Disposition': attachmentDisposition(file.filename),
      'Cache-Control': 'private, no-store',
    });
    await pipeline(file.stream, res).catch((err: Error & { code?: string }) => {
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.logger.error({ err, fileId: req.params.fileId }, 'attachment download failed mid-stream');
    });
  });
  return router;
}
