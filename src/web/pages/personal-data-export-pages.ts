import { Router } from 'express';
import type { Logger } from 'pino';
import { downloadPersonalDataExport } from '../../services/personal-data/download-export.js';
import { requestPersonalDataExport } from '../../services/personal-data/request-export.js';
import type { BlobStore } from '../../store/blob-store.js';
import { sendAttachment } from '../api/attachment-routes.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';

/**
 * The contact page's exports (GDPR art. 15/20): `POST /contacts/:id/exports` asks for one (admins,
 * CSRF-checked) and comes back to the contact page's export list; `GET /contacts/:id/exports/:exportId/download`
 * is its one download by the admin who asked, never cached. Errors (403, 404, 409, 410) show the error page.
 */
export function personalDataExportPages(ctx: PageContext & { blobs: BlobStore; logger: Logger }): Router {
  const router = Router();
  const deps = () => ({ ...ctx.stores, blobs: ctx.blobs, scheduler: ctx.actions.scheduler, now: ctx.now });

  router.post('/contacts/:id/exports', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    await requestPersonalDataExport(deps(), requireSession(res).actor, id);
    res.redirect(303, `/contacts/${encodeURIComponent(id)}#exports`);
  });

  router.get('/contacts/:id/exports/:exportId/download', requireLogin, async (req, res) => {
    const file = await downloadPersonalDataExport(deps(), requireSession(res).actor, String(req.params.id), String(req.params.exportId));
    try {
      await sendAttachment(res, file, { cacheControl: 'private, no-store', logger: ctx.logger, fileId: String(req.params.exportId) });
    } finally {
      await file.finish();
    }
  });
  return router;
}
