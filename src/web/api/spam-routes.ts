import { Router } from 'express';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SpamBlockStore } from '../../store/spam-block-store.js';
import { listSpamBlocks } from '../../services/spam/list-spam-blocks.js';
import { markTicketSpam, type SpamDeps } from '../../services/spam/mark-spam.js';
import { markTicketNotSpam } from '../../services/spam/not-spam.js';
import { removeSpamBlock } from '../../services/spam/remove-spam-block.js';
import { principalOf } from './authenticate.js';

/** What the Spam routes need: the Spam use cases' dependencies, the block lists and the inboxes. */
export type SpamRouteDeps = SpamDeps & { spamBlocks: SpamDeps['spamBlocks'] & Pick<SpamBlockStore, 'listByInbox' | 'removeById'>; inboxes: Pick<InboxStore, 'existsById'> };

/**
 * Spam: `POST /tickets/:id/spam` ({ block }) and `POST /tickets/:id/not-spam` (the same use cases as
 * the ticket page), and an inbox's block list for admins: `GET /inboxes/:id/spam-blocks`,
 * `DELETE /inboxes/:id/spam-blocks/:blockId`.
 */
export function spamRoutes(deps: SpamRouteDeps): Router {
  const router = Router();
  router.post('/tickets/:id/spam', async (req, res) => {
    res.json(await markTicketSpam(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/tickets/:id/not-spam', async (req, res) => {
    res.json(await markTicketNotSpam(deps, principalOf(res).actor, req.params.id));
  });
  router.get('/inboxes/:id/spam-blocks', async (req, res) => {
    res.json({ items: await listSpamBlocks(deps, principalOf(res).actor, req.params.id) });
  });
  router.delete('/inboxes/:id/spam-blocks/:blockId', async (req, res) => {
    await removeSpamBlock(deps, principalOf(res).actor, req.params.id, req.params.blockId);
    res.status(204).end();
  });
  return router;
}
