import { Router } from 'express';
import { createRoutingRule } from '../../services/routing/create-routing-rule.js';
import { deleteRoutingRule } from '../../services/routing/delete-routing-rule.js';
import { dryRunRoutingRule } from '../../services/routing/dry-run-routing-rule.js';
import { getRoutingRule } from '../../services/routing/get-routing-rule.js';
import { listRoutingRules } from '../../services/routing/list-routing-rules.js';
import { reorderRoutingRules } from '../../services/routing/reorder-routing-rules.js';
import { updateRoutingRule } from '../../services/routing/update-routing-rule.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/**
 * `/routing-rules`: the routing rules (admins; 403 otherwise), in the order they run; `reorder` sets
 * that order, `:id/dry-run` shows which of the newest 200 tickets a rule would match and what it would change.
 */
export function routingRuleRoutes(routeDeps: { stores: Stores; blobs: BlobStore }): Router {
  const deps = { ...routeDeps.stores, blobs: routeDeps.blobs };
  const router = Router();
  router.get('/routing-rules', async (_req, res) => {
    res.json({ items: await listRoutingRules(deps, principalOf(res).actor) });
  });
  router.post('/routing-rules', async (req, res) => {
    res.status(201).json(await createRoutingRule(deps, principalOf(res).actor, req.body));
  });
  // Before `/routing-rules/:id`: `reorder` is not a rule id.
  router.post('/routing-rules/reorder', async (req, res) => {
    res.json({ items: await reorderRoutingRules(deps, principalOf(res).actor, req.body) });
  });
  router.get('/routing-rules/:id', async (req, res) => {
    res.json(await getRoutingRule(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/routing-rules/:id', async (req, res) => {
    res.json(await updateRoutingRule(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.delete('/routing-rules/:id', async (req, res) => {
    await deleteRoutingRule(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  router.post('/routing-rules/:id/dry-run', async (req, res) => {
    res.json(await dryRunRoutingRule(deps, principalOf(res).actor, req.params.id));
  });
  return router;
}
