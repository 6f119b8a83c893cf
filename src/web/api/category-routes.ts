import { Router } from 'express';
import { createCategory, listCategories, updateCategory } from '../../services/categories/categories.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/** `/categories`: the categories the caller may see (global ones and their inboxes'); admins add and change them. */
export function categoryRoutes(routeDeps: { stores: Stores }): Router {
  const deps = { ...routeDeps, ...routeDeps.stores };
  const router = Router();
  router.get('/categories', async (_req, res) => {
    res.json({ items: await listCategories(deps, principalOf(res).actor) });
  });
  router.post('/categories', async (req, res) => {
    res.status(201).json(await createCategory(deps, principalOf(res).actor, req.body));
  });
  router.patch('/categories/:id', async (req, res) => {
    res.json(await updateCategory(deps, principalOf(res).actor, req.params.id, req.body));
  });
  return router;
}
