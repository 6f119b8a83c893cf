import { Router, type Request, type Response } from 'express';
import { CANNED_REPLY_LIMITS } from '../../domain/canned-reply.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { parseObjectId } from '../../services/access.js';
import { createCannedReply, deleteCannedReply, listCannedReplies, updateCannedReply } from '../../services/canned-replies/canned-replies.js';
import { isInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedText } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { PLACEHOLDER_HELP } from './ticket-extras.js';

/** Fixed texts for `?error=` and `?saved=` on the settings page. */
const ERRORS: Record<string, string> = {
  invalid: `A canned reply needs a title (up to ${CANNED_REPLY_LIMITS.title} characters) and a text (up to ${CANNED_REPLY_LIMITS.body}).`,
  placeholder: 'The text uses a placeholder Threadline does not know. Use only the ones listed.',
  limit: `This inbox already has ${CANNED_REPLY_LIMITS.perInbox} canned replies. Delete one first.`,
};
const NOTICES: Record<string, string> = { created: 'Canned reply added.', updated: 'Canned reply saved.', deleted: 'Canned reply deleted.' };

const one = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const field = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

const settingsUrl = (inboxId: string) => `/settings/inboxes/${encodeURIComponent(inboxId)}/canned-replies`;

/** Runs a change and goes back to the list (303), naming what happened or a fixed error code. */
async function act(res: Response, inboxId: string, saved: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    if (isAppError(err, 'VALIDATION_FAILED')) {
      const issues = (err.details?.issues ?? []) as Array<{ message?: string }>;
      const code = issues.some((i) => i.message?.startsWith('uses an unknown placeholder')) ? 'placeholder' : 'invalid';
      return res.redirect(303, `${settingsUrl(inboxId)}?error=${code}`);
    }
    if (isAppError(err, 'CONFLICT')) return res.redirect(303, `${settingsUrl(inboxId)}?error=limit`);
    throw err;
  }
  res.redirect(303, `${settingsUrl(inboxId)}?saved=${saved}`);
}

/**
 * `/settings/inboxes/:id/canned-replies`: list, add, edit and delete an inbox's canned replies. Admins
 * and managers of the inbox only; its agents get 403 (they use the replies from the ticket page).
 */
export function cannedReplyPages(ctx: PageContext): Router {
  const router = Router();
  const guard = [requireLogin, requireCsrf(ctx.publicUrl)];

  router.get('/settings/inboxes/:id/canned-replies', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const { inbox, items } = await listCannedReplies(ctx.stores, session.actor, String(req.params.id));
    if (!isInboxManager(session.actor, parseObjectId(inbox.id))) throw new AppError('FORBIDDEN', 'Only admins and managers of this inbox can change its canned replies.');
    const error = one(req.query.error);
    const saved = one(req.query.saved);
    res.type('html').send(
      ctx.views.render('canned-replies', {
        title: `Canned replies · ${inbox.name}`,
        session,
        nav: 'settings',
        section: 'canned-replies',
        inbox,
        items,
        csrf: session.csrfToken,
        error: fixedText(ERRORS, error),
        notice: fixedText(NOTICES, saved),
        placeholders: PLACEHOLDER_HELP,
        limits: CANNED_REPLY_LIMITS,
      }),
    );
  });

  router.post('/settings/inboxes/:id/canned-replies', ...guard, async (req, res) => {
    const inboxId = String(req.params.id);
    await act(res, inboxId, 'created', () => createCannedReply(ctx.stores, requireSession(res).actor, inboxId, { title: field(req, 'title'), body: field(req, 'body') }));
  });

  router.post('/settings/inboxes/:id/canned-replies/:replyId', ...guard, async (req, res) => {
    const inboxId = String(req.params.id);
    await act(res, inboxId, 'updated', () => updateCannedReply(ctx.stores, requireSession(res).actor, inboxId, String(req.params.replyId), { title: field(req, 'title'), body: field(req, 'body') }));
  });

  router.post('/settings/inboxes/:id/canned-replies/:replyId/delete', ...guard, async (req, res) => {
    const inboxId = String(req.params.id);
    await act(res, inboxId, 'deleted', () => deleteCannedReply(ctx.stores, requireSession(res).actor, inboxId, String(req.params.replyId)));
  });
  return router;
}
