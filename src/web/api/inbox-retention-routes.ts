import { Router } from 'express';
import type { Logger } from 'pino';
import { previewRetention } from '../../services/retention/preview-retention.js';
import { updateRetention } from '../../services/retention/update-retention.js';
import type { RetentionStore } from '../../store/retention-writes.js';
import { principalOf } from './authenticate.js';

/** What the retention routes need. */
export interface InboxRetentionRouteDeps {
  retention: Pick<RetentionStore, 'findInbox' | 'setPolicy' | 'countDue'>;
  now: () => Date;
  logger: Logger;
}

/**
 * An inbox's retention policy (mounted at `/inboxes`): `GET /:id/retention` the policy and what the
 * next daily run will touch (admins and managers of the inbox); `PUT /:id/retention` replaces it
 * (admins); `POST /:id/retention/preview` what a policy not saved yet would touch.
 */
export function inboxRetentionRoutes(deps: InboxRetentionRouteDeps): Router {
  const router = Router();
  router.get('/:id/retention', async (req, res) => {
    res.json(await previewRetention(deps, principalOf(res).actor, req.params.id));
  });
  router.put('/:id/retention', async (req, res) => {
    res.json(await updateRetention(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/:id/retention/preview', async (req, res) => {
    res.json(await previewRetention(deps, principalOf(res).actor, req.params.id, req.body ?? null));
  });
  return router;
}
