import { Router } from 'express';
import { createInbox, type InboxDeps } from '../../services/inboxes/create-inbox.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { updateInbox } from '../../services/inboxes/update-inbox.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { principalOf } from './authenticate.js';

/** `/inboxes`: list and read for everyone (their own inboxes), create and change for admins. */
export function inboxRoutes(deps: InboxDeps & { inboxes: Pick<InboxStore, 'listByName' | 'statusesOf'> }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ items: await listInboxes(deps, principalOf(res).actor) });
  });
  router.post('/', async (req, res) => {
    res.status(201).json(await createInbox(deps, principalOf(res).actor, req.body));
  });
  router.get('/:id', async (req, res) => {
    res.json(await getInbox(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/:id', async (req, res) => {
    res.json(await updateInbox(deps, principalOf(res).actor, req.params.id, req.body));
  });
  return router;
}
