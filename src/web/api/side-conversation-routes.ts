import { Router } from 'express';
import type { I18n, Translator } from '../../i18n/catalog.js';
import type { SideConversationLabels } from '../../services/side-conversations/start-side-conversation.js';
import { listSideConversations, type ListSideConversationsDeps } from '../../services/side-conversations/list-side-conversations.js';
import { replySideConversation, type ReplySideConversationDeps } from '../../services/side-conversations/reply-side-conversation.js';
import { startSideConversation, type StartSideConversationDeps } from '../../services/side-conversations/start-side-conversation.js';
import { apiLocale } from '../errors.js';
import { principalOf } from './authenticate.js';

/** What the side-conversation routes need: the ticket actions' dependencies with the partner and side-conversation stores and the files. */
export type SideConversationRouteDeps = StartSideConversationDeps & ReplySideConversationDeps & ListSideConversationsDeps;

/**
 * The header lines above each quoted message, and those of a forward's block, in a language of the
 * catalogs; a forwarded message's date as `formatDate` writes it (the agent's time zone on a page;
 * UTC by default).
 */
export function quoteLabels(t: Translator['t'], formatDate: (d: Date) => string = (d) => d.toUTCString()): SideConversationLabels {
  return {
    heading: t('tickets:side.quote.heading'), from: t('tickets:side.quote.from'), date: t('tickets:side.quote.date'), subject: t('tickets:side.quote.subject'),
    forward: {
      heading: t('tickets:forward.block.heading'), from: t('tickets:side.quote.from'), date: t('tickets:side.quote.date'), subject: t('tickets:side.quote.subject'),
      to: t('tickets:forward.block.to'), cc: t('tickets:forward.block.cc'), formatDate,
    },
  };
}

/**
 * `/tickets/:id/side-conversations`: a ticket's side conversations with partners (agents only, never
 * the customer), opening one ("Send to partner" with `partnerId`, "Forward" with `address`), and
 * answering in one.
 */
export function sideConversationRoutes(deps: SideConversationRouteDeps, i18n: () => I18n): Router {
  const router = Router();
  router.get('/:id/side-conversations', async (req, res) => {
    res.json({ items: await listSideConversations(deps, principalOf(res).actor, req.params.id) });
  });
  router.post('/:id/side-conversations', async (req, res) => {
    const labels = quoteLabels(i18n().translator(apiLocale(req, res)).t);
    res.status(201).json(await startSideConversation(deps, principalOf(res).actor, req.params.id, { json: req.body }, labels));
  });
  router.post('/:id/side-conversations/:sideId/replies', async (req, res) => {
    res.status(201).json(await replySideConversation(deps, principalOf(res).actor, req.params.id, req.params.sideId, { json: req.body }));
  });
  return router;
}
