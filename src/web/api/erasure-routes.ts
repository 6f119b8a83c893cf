import { Router } from 'express';
import { erasePerson, type ErasePersonDeps } from '../../services/personal-data/erase-person.js';
import { previewErasure } from '../../services/personal-data/preview-erasure.js';
import { principalOf } from './authenticate.js';

const view = (p: Awaited<ReturnType<typeof previewErasure>>) => ({
  contactId: p.contactId,
  state: p.state,
  addresses: p.addresses,
  counts: p.counts,
  requestedAt: p.requestedAt,
  doneAt: p.doneAt,
});

/**
 * Erasing a person (GDPR art. 17), admins only: `GET /contacts/:id/erasure` says what erasing would
 * touch (or what an erasure did), `POST /contacts/:id/erasure` with `{ confirmAddress, confirm: true }`
 * erases (the same use cases as the pages). Posting again finishes an erasure cut short, or
 * returns what a finished one did.
 */
export function erasureRoutes(deps: ErasePersonDeps): Router {
  const router = Router();
  router.get('/contacts/:id/erasure', async (req, res) => {
    res.json(view(await previewErasure(deps, principalOf(res).actor, req.params.id)));
  });
  router.post('/contacts/:id/erasure', async (req, res) => {
    res.json(await erasePerson(deps, principalOf(res).actor, req.params.id, req.body));
  });
  return router;
}
