import { Router } from 'express';
import { createCannedReply, deleteCannedReply, listCannedReplies, updateCannedReply } from '../../services/canned-replies/canned-replies.js';
import { renderCannedReply } from '../../services/canned-replies/render-canned-reply.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/**
 * `/inboxes/:id/canned-replies` (read for the inbox's agents, changed by admins and managers of the
 * inbox) and `/tickets/:id/canned-replies/:replyId`, one filled in for that ticket and the caller.
 */
export function cannedReplyRoutes(routeDeps: { stores: Stores }): Router {
  const deps = { ...routeDeps, ...routeDeps.stores };
  const router = Router();
  router.get('/inboxes/:id/canned-replies', async (req, res) => {
    res.json({ items: (await listCannedReplies(deps, principalOf(res).actor, req.params.id)).items });
  });
  router.post('/inboxes/:id/canned-replies', async (req, res) => {
    res.status(201).json(await createCannedReply(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.patch('/inboxes/:id/canned-replies/:replyId', async (req, res) => {
    res.json(await updateCannedReply(deps, principalOf(res).actor, req.params.id, req.params.replyId, req.body));
  });
  router.delete('/inboxes/:id/canned-replies/:replyId', async (req, res) => {
    await deleteCannedReply(deps, principalOf(res).actor, req.params.id, req.params.replyId);
    res.status(204).end();
  });
  router.get('/tickets/:id/canned-replies/:replyId', async (req, res) => {
    res.json(await renderCannedReply(deps, principalOf(res).actor, req.params.id, req.params.replyId));
  });
  return router;
}
