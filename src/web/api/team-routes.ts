import { Router } from 'express';
import { teamLoad } from '../../services/teams/team-load.js';
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from '../../services/teams/teams.js';
import type { Stores } from '../../store/stores.js';
import type { AutomationDeps } from './automation-routes.js';
import { principalOf } from './authenticate.js';

/**
 * `/teams`: support teams (L1–L4). Admins and managers list them all, agents their own; admins change
 * them. A level change re-plans the SLA clocks of the team's tickets when the SLA use cases are given.
 * `/teams/load`: the open tickets per team and assignee (admins and managers).
 */
export function teamRoutes(routeDeps: { stores: Stores; now: () => Date; automation?: Pick<AutomationDeps, 'refreshSla' | 'refillTeam'> }): Router {
  const automation = routeDeps.automation;
  const deps = { ...routeDeps.stores, ...(automation ? { refreshSla: automation.refreshSla, refillTeam: automation.refillTeam } : {}) };
  const router = Router();
  // Before `/teams/:id`: `load` is not a team id.
  router.get('/teams/load', async (_req, res) => {
    res.json(await teamLoad({ ...routeDeps.stores, now: routeDeps.now }, principalOf(res).actor));
  });
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
