import { Router } from 'express';
import { markTicketRead } from '../../services/tickets/mark-ticket-read.js';
import { markTicketUnread } from '../../services/tickets/mark-ticket-unread.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/**
 * `/tickets/:id/read` and `/tickets/:id/unread`: the caller's own unread mark on a ticket they may see
 * (`GET /tickets/:id` marks it read too). Answers `{id, unread}`.
 */
export function ticketReadRoutes(deps: Pick<Stores, 'tickets' | 'ticketReads'> & { now: () => Date }): Router {
  const router = Router();
  router.post('/:id/read', async (req, res) => {
    res.json(await markTicketRead(deps, principalOf(res).actor, req.params.id));
  });
  router.post('/:id/unread', async (req, res) => {
    res.json(await markTicketUnread(deps, principalOf(res).actor, req.params.id));
  });
  return router;
}
