import { Router } from 'express';
import type { Models } from '../../store/models/index.js';
import { getTicket } from '../../services/get-ticket.js';
import { listTickets } from '../../services/list-tickets.js';
import { proposeReplyRecipients } from '../../services/propose-reply-recipients.js';
import { principalOf } from './authenticate.js';

/** `/tickets`: keyset-paged, filtered list (inbox, status, assignee, tag, due, q) and one ticket with its conversation and whom a reply would go to. */
export function ticketRoutes(deps: { models: Models; now: () => Date }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await listTickets(deps, principalOf(res).actor, req.query));
  });
  router.get('/:id', async (req, res) => {
    const { actor } = principalOf(res);
    const ticket = await getTicket(deps, actor, req.params.id);
    res.json({ ...ticket, replyRecipients: await proposeReplyRecipients(deps, actor, ticket.id) });
  });
  return router;
}
