import { Router } from 'express';
import { listKbRevisions } from '../../services/kb/list-kb-revisions.js';
import { restoreKbRevision } from '../../services/kb/restore-kb-revision.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

/** `/kb/:id/revisions`: an article's saved versions, newest first, each restorable (editors only). */
export function kbRevisionPages(ctx: PageContext): Router {
  const router = Router();

  router.get('/kb/:id/revisions', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const { article, items } = await listKbRevisions(ctx.stores, session.actor, String(req.params.id));
    const i18n = pageI18n(res);
    res.type('html').send(
      ctx.views.render(
        'kb-revisions',
        {
          title: i18n.tr.t('kb:revisions.title', { title: article.title }),
          session,
          nav: 'kb',
          csrf: session.csrfToken,
          article,
          items: items.map((r) => ({ ...r, current: r.number === article.revision })),
        },
        i18n,
      ),
    );
  });

  router.post('/kb/:id/revisions/:number/restore', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const article = await restoreKbRevision({ ...ctx.stores, now: ctx.now }, requireSession(res).actor, String(req.params.id), String(req.params.number));
    res.redirect(303, `/kb/${article.id}?saved=restored`);
  });
  return router;
}
