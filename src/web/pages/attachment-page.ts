import { Router } from 'express';
import type { Logger } from 'pino';
import { openAttachment } from '../../services/tickets/open-attachment.js';
import type { BlobStore } from '../../store/blob-store.js';
import { sendAttachment } from '../api/attachment-routes.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';

/** `GET /attachments/:fileId` for the browser: the same checks and download as the API, never cached. */
export function attachmentPage(ctx: PageContext & { blobs: BlobStore; logger: Logger }): Router {
  const router = Router();
  router.get('/attachments/:fileId', requireLogin, async (req, res) => {
    const file = await openAttachment({ ...ctx, ...ctx.stores }, requireSession(res).actor, String(req.params.fileId));
    await sendAttachment(res, file, { cacheControl: 'private, no-store', logger: ctx.logger, fileId: String(req.params.fileId) });
  });
  return router;
}
