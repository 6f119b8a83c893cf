import { Router } from 'express';
import type { Logger } from 'pino';
import { downloadPersonalDataExport, type DownloadExportDeps } from '../../services/personal-data/download-export.js';
import { listPersonalDataExports, type ExportView, type ListExportsDeps } from '../../services/personal-data/list-exports.js';
import { requestPersonalDataExport, type RequestExportDeps } from '../../services/personal-data/request-export.js';
import { sendAttachment } from './attachment-routes.js';
import { principalOf } from './authenticate.js';

/** What the export routes need. */
export type PersonalDataExportRouteDeps = RequestExportDeps & ListExportsDeps & DownloadExportDeps & { logger: Logger };

/** The API's address of an export's download, in place of the page's. */
const apiView = (v: ExportView): ExportView => ({ ...v, downloadPath: v.downloadPath ? `/api/v1${v.downloadPath}` : null });

/**
 * A person's data exports (the same use cases as the contact page): `POST /contacts/:id/exports`
 * (202, the queued export), `GET /contacts/:id/exports`, `GET /contacts/:id/exports/:exportId/download`
 * (the zip, once, by its requester).
 */
export function personalDataExportRoutes(deps: PersonalDataExportRouteDeps): Router {
  const router = Router();
  router.post('/contacts/:id/exports', async (req, res) => {
    const { export: exp } = await requestPersonalDataExport(deps, principalOf(res).actor, req.params.id);
    res.status(202).json(apiView(exp));
  });
  router.get('/contacts/:id/exports', async (req, res) => {
    res.json({ items: (await listPersonalDataExports(deps, principalOf(res).actor, req.params.id)).map(apiView) });
  });
  router.get('/contacts/:id/exports/:exportId/download', async (req, res) => {
    const file = await downloadPersonalDataExport(deps, principalOf(res).actor, req.params.id, req.params.exportId);
    try {
      await sendAttachment(res, file, { cacheControl: 'private, no-store', logger: deps.logger, fileId: req.params.exportId });
    } finally {
      await file.finish();
    }
  });
  return router;
}
