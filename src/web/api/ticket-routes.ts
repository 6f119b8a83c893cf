import { Router } from 'express';
import type { Stores } from '../../store/stores.js';
import { getTicketWithRecipients } from '../../services/tickets/get-ticket.js';
import { listTickets } from '../../services/tickets/list-tickets.js';
import { principalOf } from './authenticate.js';

/** `/tickets`: keyset-paged, filtered list (inbox, status, person, team, level, priority, age, category, tag, due, q) and one ticket with its conversation and whom a reply would go to. */
export function ticketRoutes(deps: { stores: Stores; now: () => Date }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await listTickets({ ...deps, ...deps.stores }, principalOf(res).actor, req.query));
  });
  router.get('/:id', async (req, res) => {
    res.json(await getTicketWithRecipients({ ...deps, ...deps.stores }, principalOf(res).actor, req.params.id));
  });
  return router;
}
