import { Router } from 'express';
import type { I18n } from '../../i18n/catalog.js';
import { bulkUpdateTickets, type BulkUpdateDeps } from '../../services/tickets/bulk-update-tickets.js';
import { apiLocale, localizedError } from '../errors.js';
import { principalOf } from './authenticate.js';

/**
 * `POST /tickets/bulk` `{ids, action, value}`: one action on up to 100 tickets, each through its own
 * use case; 200 with one result per ticket (`ok`, or the error that ticket's change met, worded in
 * the caller's language like any API error). A request the use case refuses as a whole is a 400.
 */
export function ticketBulkRoutes(deps: BulkUpdateDeps, i18n: () => I18n): Router {
  const router = Router();
  router.post('/tickets/bulk', async (req, res) => {
    const result = await bulkUpdateTickets(deps, principalOf(res).actor, req.body);
    const tr = i18n().translator(apiLocale(req, res));
    res.vary('Accept-Language');
    res.set('Content-Language', tr.locale);
    res.json({
      action: result.action,
      updated: result.updated,
      failed: result.failed,
      results: result.results.map((r) => (r.ok ? { id: r.id, ok: true } : { id: r.id, ok: false, error: { code: r.error.code, ...localizedError(r.error, tr) } })),
    });
  });
  return router;
}
