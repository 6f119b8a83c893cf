import { Router } from 'express';
import { deleteDraft } from '../../services/drafts/delete-draft.js';
import { getDraft } from '../../services/drafts/get-draft.js';
import { saveDraft } from '../../services/drafts/save-draft.js';
import { notFound } from '../../services/access.js';
import type { SaveDraftDeps } from '../../services/drafts/save-draft.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

/**
 * `/tickets/:id/draft`: the caller's own reply draft on a ticket they may see. GET answers the draft
 * or NOT_FOUND when there is none; PUT `{text, html?, cc?, to?, bcc?, uploadIds?}` saves it (its HTML
 * sanitized with `sanitizeHtml`, dropped without it; an empty draft is removed, 204); DELETE removes it (204).
 */
export function draftRoutes(deps: Pick<Stores, 'tickets' | 'replyDrafts' | 'uploads'> & Pick<SaveDraftDeps, 'sanitizeHtml'> & { now: () => Date }): Router {
  const router = Router();
  router.get('/:id/draft', async (req, res) => {
    const draft = await getDraft(deps, principalOf(res).actor, req.params.id);
    if (!draft) throw notFound('Draft');
    res.json(draft);
  });
  router.put('/:id/draft', async (req, res) => {
    const draft = await saveDraft(deps, principalOf(res).actor, req.params.id, req.body);
    if (draft) res.json(draft);
    else res.status(204).end();
  });
  router.delete('/:id/draft', async (req, res) => {
    await deleteDraft(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
