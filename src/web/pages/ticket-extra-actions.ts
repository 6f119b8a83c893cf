import { Router } from 'express';
import { isAppError } from '../../domain/errors.js';
import { snoozeTicket, unsnoozeTicket } from '../../services/lifecycle/snooze-ticket.js';
import { mergeTicket } from '../../services/tickets/merge-ticket.js';
import { markTicketUnread } from '../../services/tickets/mark-ticket-unread.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { cannedReplyPages } from './canned-reply-pages.js';
import type { PageContext } from './page-deps.js';
import { checked, formOf, postedText } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { snoozeRequestOf } from './snooze-panel.js';
import { ticketEscalation } from './ticket-escalation.js';
import { sideConversationPages } from './side-conversation-panel.js';
import { forwardPages } from './forward-pages.js';

/**
 * The ticket view's extra forms: `POST /tickets/:id/merge` (CSRF-checked; on to the surviving ticket),
 * `POST /tickets/:id/snooze` and `/unsnooze` (the same use cases as the API), `POST /tickets/:id/unread`
 * (the caller's own mark; on to the list), and the canned reply settings pages.
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

  // The time is typed in the agent's own time zone (the page's); an unreadable one is refused like an invalid snooze.
  router.post('/tickets/:id/snooze', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    const back = (error?: string) => res.redirect(303, `/tickets/${encodeURIComponent(id)}${error ? `?error=${error}#forms` : '#end'}`);
    const form = snoozeRequestOf({ until: postedText(req, 'until'), untilReply: checked(formOf(req), 'untilReply') }, pageI18n(res).formats.timeZone);
    if (!form) return back('snooze-invalid');
    try {
      await snoozeTicket(ctx.actions, requireSession(res).actor, id, { form });
    } catch (err) {
      if (isAppError(err, 'VALIDATION_FAILED')) return back('snooze-invalid');
      if (isAppError(err, 'CONFLICT')) return back('merged');
      throw err;
    }
    back();
  });

  router.post('/tickets/:id/unsnooze', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    await unsnoozeTicket(ctx.actions, requireSession(res).actor, id);
    res.redirect(303, `/tickets/${encodeURIComponent(id)}#end`);
  });

  // Back to the list: opening the ticket again would mark it read.
  router.post('/tickets/:id/unread', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    await markTicketUnread(ctx.stores, requireSession(res).actor, String(req.params.id));
    res.redirect(303, '/tickets');
  });

  router.use(ticketEscalation(ctx));
  router.use(sideConversationPages(ctx));
  // Forward one message or the whole ticket (a side conversation): `/tickets/:id/forward`.
  router.use(forwardPages(ctx));
  router.use(cannedReplyPages(ctx));
  return router;
}
