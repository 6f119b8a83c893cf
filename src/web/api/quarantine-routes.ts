import { Router, type Response } from 'express';
import { deleteQuarantined } from '../../services/quarantine/delete-quarantined.js';
import { ingestQuarantined } from '../../services/quarantine/ingest-quarantined.js';
import type { QuarantineScreenDeps } from '../../services/quarantine/quarantine-deps.js';
import { listQuarantine } from '../../services/quarantine/list-quarantine.js';
import { findQuarantined, toQuarantineView } from '../../services/quarantine/quarantine-view.js';
import { readQuarantinedRaw } from '../../services/quarantine/read-quarantined-raw.js';
import { attachmentDisposition } from './attachment-routes.js';
import { principalOf } from './authenticate.js';

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Sends a quarantined mail's raw bytes: always a download, never shown inline (pages and API alike). */
export function sendRawMail(res: Response, raw: { data: Buffer; filename: string }): void {
  res.set({
    'Content-Type': 'message/rfc822',
    'Content-Disposition': attachmentDisposition(raw.filename),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'no-store',
  });
  res.send(raw.data);
}

/** `/quarantine`: mail set aside by ingest, for admins: list, look, download, ingest anyway, delete. */
export function quarantineRoutes(deps: QuarantineScreenDeps): Router {
  const router = Router();
  router.get('/quarantine', async (req, res) => {
    const limit = text(req.query.limit);
    const input = { inbox: text(req.query.inbox), reason: text(req.query.reason), cursor: text(req.query.cursor), ...(limit ? { limit: Number(limit) } : {}) };
    res.json(await listQuarantine(deps, principalOf(res).actor, input));
  });
  router.get('/quarantine/:id', async (req, res) => {
    res.json(toQuarantineView(await findQuarantined(deps, principalOf(res).actor, req.params.id)));
  });
  router.get('/quarantine/:id/raw', async (req, res) => {
    sendRawMail(res, await readQuarantinedRaw(deps, principalOf(res).actor, req.params.id));
  });
  router.post('/quarantine/:id/ingest', async (req, res) => {
    const result = await ingestQuarantined(deps, principalOf(res).actor, req.params.id);
    res.json(result.outcome === 'ingested' ? { outcome: 'ingested', ticketId: result.ticketId.toHexString(), created: result.created } : result);
  });
  router.delete('/quarantine/:id', async (req, res) => {
    await deleteQuarantined(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
