import { Router } from 'express';
import { createSavedView, deleteSavedView, listSavedViews, updateSavedView } from '../../services/views/saved-views.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/** `/views`: the caller's own saved ticket list views; another user's view is NOT_FOUND. */
export function viewRoutes(routeDeps: { stores: Stores }): Router {
  const deps = routeDeps.stores;
  const router = Router();
  router.get('/views', async (_req, res) => {
    res.json({ items: await listSavedViews(deps, principalOf(res).actor) });
  });
  router.post('/views', async (req, res) => {
    res.status(201).json(await createSavedView(deps, principalOf(res).actor, req.body));
  });
  router.patch('/views/:id', async (req, res) => {
    res.json(await updateSavedView(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.delete('/views/:id', async (req, res) => {
    await deleteSavedView(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
