import { Router } from 'express';
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from '../../services/teams/teams.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/** `/teams`: support teams (L1–L4). Admins and managers list them all, agents their own; admins change them. */
export function teamRoutes(routeDeps: { stores: Stores }): Router {
  const deps = routeDeps.stores;
  const router = Router();
  router.get('/teams', async (_req, res) => {
    res.json({ items: await listTeams(deps, principalOf(res).actor) });
  });
  router.post('/teams', async (req, res) => {
    res.status(201).json(await createTeam(deps, principalOf(res).actor, req.body));
  });
  router.get('/teams/:id', async (req, res) => {
    res.json(await getTeam(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/teams/:id', async (req, res) => {
    res.json(await updateTeam(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.delete('/teams/:id', async (req, res) => {
    await deleteTeam(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
