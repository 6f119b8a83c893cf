import { Router } from 'express';
import { createPartner, deletePartner, getPartner, listPartners, updatePartner } from '../../services/partners/partners.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/** `/partners`: the outside partners agents write to from a ticket; everyone lists them, admins add, change and remove them. */
export function partnerRoutes(routeDeps: { stores: Stores }): Router {
  const deps = routeDeps.stores;
  const router = Router();
  router.get('/partners', async (_req, res) => {
    res.json({ items: await listPartners(deps, principalOf(res).actor) });
  });
  router.get('/partners/:id', async (req, res) => {
    res.json(await getPartner(deps, principalOf(res).actor, req.params.id));
  });
  router.post('/partners', async (req, res) => {
    res.status(201).json(await createPartner(deps, principalOf(res).actor, req.body));
  });
  router.patch('/partners/:id', async (req, res) => {
    res.json(await updatePartner(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.delete('/partners/:id', async (req, res) => {
    await deletePartner(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
