import { Router } from 'express';
import { createInbox, type InboxDeps } from '../../services/inboxes/create-inbox.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { disableInbox, enableInbox } from '../../services/inboxes/set-inbox-enabled.js';
import { deleteInbox } from '../../services/inboxes/delete-inbox.js';
import type { InboxRemovalStore } from '../../store/inbox-removal-store.js';
import { updateInbox } from '../../services/inboxes/update-inbox.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { principalOf } from './authenticate.js';

/** `/inboxes`: list and read for everyone (their own inboxes); create, change, disable, enable and delete for admins. */
export function inboxRoutes(
  deps: InboxDeps & { inboxes: Pick<InboxStore, 'listByName' | 'statusesOf' | 'setDisabled'>; inboxRemoval: InboxRemovalStore; now?: () => Date },
): Router {
  const enabledDeps = { inboxes: deps.inboxes, now: deps.now ?? (() => new Date()) };
  const deleteDeps = { ...enabledDeps, inboxRemoval: deps.inboxRemoval };
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
  router.post('/:id/disable', async (req, res) => {
    res.json(await disableInbox(enabledDeps, principalOf(res).actor, req.params.id));
  });
  router.post('/:id/enable', async (req, res) => {
    res.json(await enableInbox(enabledDeps, principalOf(res).actor, req.params.id));
  });
  router.delete('/:id', async (req, res) => {
    res.json(await deleteInbox(deleteDeps, principalOf(res).actor, req.params.id, req.body ?? {}));
  });
  return router;
}
