import { Router } from 'express';
import { isAppError } from '../../domain/errors.js';
import { mergeTicket } from '../../services/tickets/merge-ticket.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { cannedReplyPages } from './canned-reply-pages.js';
import type { PageContext } from './page-deps.js';
import { postedText } from './form-fields.js';

/**
 * The ticket view's extra forms: `POST /tickets/:id/merge` (CSRF-checked; on to the surviving ticket)
 * and the canned reply settings pages.
 */
export function ticketExtraActions(ctx: PageContext): Router {
  const router = Router();

  router.post('/tickets/:id/merge', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    const back = (code: string) => res.redirect(303, `/tickets/${encodeURIComponent(id)}?error=${code}#forms`);
    let survivorId: string;
    try {
      survivorId = (await mergeTicket(ctx.actions, requireSession(res).actor, id, { intoId: postedText(req, 'intoId') })).id;
    } catch (err) {
      if (isAppError(err, 'VALIDATION_FAILED')) return back('merge-invalid');
      if (isAppError(err, 'CONFLICT')) return back('merge-conflict');
      throw err;
    }
    res.redirect(303, `/tickets/${survivorId}#end`);
  });

  router.use(cannedReplyPages(ctx));
  return router;
}
