import { Router } from 'express';
import { reportZone } from '../../domain/report-filter.js';
import { listAccessLog } from '../../services/access-log/list-access-log.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/**
 * `GET /access-log`: who opened which ticket, downloaded which attachment, viewed, exported or erased
 * a person's data (admins). Days (`YYYY-MM-DD`) are read in the caller's time zone (their account's, else UTC).
 */
export function accessLogRoutes(deps: Pick<Stores, 'accessLog' | 'tickets' | 'users' | 'inboxes'>): Router {
  const router = Router();
  router.get('/access-log', async (req, res) => {
    const { actor } = principalOf(res);
    const user = actor.userId && actor.role === 'admin' ? await deps.users.findById(actor.userId) : null;
    const limit = typeof req.query.limit === 'string' && req.query.limit !== '' ? Number(req.query.limit) : undefined;
    res.json(await listAccessLog(deps, actor, req.query, { timeZone: reportZone(user?.timeZone), ...(limit === undefined ? {} : { limit }) }));
  });
  return router;
}
