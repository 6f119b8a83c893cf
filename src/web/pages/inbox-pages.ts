import { Router } from 'express';
import { inboxOverview } from '../../services/inboxes/inbox-overview.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { relativeTime } from './view-engine.js';

const HEALTHY = new Set(['idle', 'polling', 'syncing', 'connecting', 'starting']);

/** `GET /` and `GET /inboxes`: every inbox the user may see, with counts and poller health. */
export function inboxPages(ctx: PageContext): Router {
  const router = Router();
  router.get(['/', '/inboxes'], requireLogin, async (_req, res) => {
    const session = requireSession(res);
    const now = ctx.now();
    const inboxes = (await inboxOverview({ ...ctx, ...ctx.stores }, session.actor)).map((inbox) => {
      const status = inbox.status;
      const lastError = 'lastError' in status ? status.lastError : null;
      const lastSyncAt = 'lastSyncAt' in status ? status.lastSyncAt : null;
      return {
        ...inbox,
        health: {
          state: status.state,
          tone: status.state === 'unknown' ? 'muted' : HEALTHY.has(status.state) && !lastError ? 'ok' : 'breach',
          lastError: lastError ? `${lastError.code}: ${lastError.message}` : null,
          lastSync: lastSyncAt ? relativeTime(lastSyncAt, now) : null,
        },
      };
    });
    res.type('html').send(ctx.views.render('inboxes', { title: 'Inboxes', session, inboxes, nav: 'inboxes' }));
  });
  return router;
}
