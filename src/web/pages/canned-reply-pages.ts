import { Router, type Request, type Response } from 'express';
import { CANNED_REPLY_LIMITS } from '../../domain/canned-reply.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { parseObjectId } from '../../services/access.js';
import { createCannedReply, deleteCannedReply, listCannedReplies, updateCannedReply } from '../../services/canned-replies/canned-replies.js';
import { isInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { PLACEHOLDER_HELP } from './ticket-extras.js';

/** The catalog keys of the texts `?error=` and `?saved=` name on the settings page. */
const ERRORS: Record<string, string> = {
  invalid: 'settings:canned.error.invalid',
  placeholder: 'settings:canned.error.placeholder',
  limit: 'settings:canned.error.limit',
};
const NOTICES: Record<string, string> = { created: 'settings:canned.notice.created', updated: 'settings:canned.notice.updated', deleted: 'settings:canned.notice.deleted' };

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
      const issues = (err.details?.issues ?? []) as Array<{ message?: string; key?: string }>;
      const unknownPlaceholder = (i: { message?: string; key?: string }) => i.key === 'issue.unknownPlaceholder' || i.message?.startsWith('uses an unknown placeholder');
      const code = issues.some(unknownPlaceholder) ? 'placeholder' : 'invalid';
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
    if (!isInboxManager(session.actor, parseObjectId(inbox.id))) throw new AppError('FORBIDDEN', 'Only admins and managers of this inbox can change its canned replies.', { key: 'forbidden.inboxManager', params: { action: 'cannedReplies' } });
    const error = one(req.query.error);
    const saved = one(req.query.saved);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'canned-replies',
        {
          title: t('settings:canned.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          section: 'canned-replies',
          inbox,
          items,
          csrf: session.csrfToken,
          error: fixedMessage(ERRORS, error, t, { title: CANNED_REPLY_LIMITS.title, body: CANNED_REPLY_LIMITS.body, max: CANNED_REPLY_LIMITS.perInbox }),
          notice: fixedMessage(NOTICES, saved, t),
          placeholders: PLACEHOLDER_HELP,
          limits: CANNED_REPLY_LIMITS,
        },
        i18n,
      ),
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
