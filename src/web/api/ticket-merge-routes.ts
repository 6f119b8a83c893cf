import { Router } from 'express';
import { mergeTicket, type MergeTicketDeps } from '../../services/tickets/merge-ticket.js';
import { requesterTickets } from '../../services/tickets/requester-tickets.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { principalOf } from './authenticate.js';

/** `/tickets/:id/merge` `{intoId}` → the surviving ticket, and `/tickets/:id/requester-tickets` (the merge candidates). */
export function ticketMergeRoutes(deps: MergeTicketDeps & { tickets: TicketStore }): Router {
  const router = Router();
  router.post('/tickets/:id/merge', async (req, res) => {
    res.json(await mergeTicket(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.get('/tickets/:id/requester-tickets', async (req, res) => {
    res.json({ items: await requesterTickets(deps, principalOf(res).actor, req.params.id) });
  });
  return router;
}
