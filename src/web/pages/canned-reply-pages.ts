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

/** The fixed error code of an expected failure of a canned reply form, or null for anything else. */
function cannedErrorCode(err: unknown): string | null {
  if (isAppError(err, 'VALIDATION_FAILED')) {
    const issues = (err.details?.issues ?? []) as Array<{ message?: string; key?: string }>;
    const unknownPlaceholder = (i: { message?: string; key?: string }) => i.key === 'issue.unknownPlaceholder' || i.message?.startsWith('uses an unknown placeholder');
    return issues.some(unknownPlaceholder) ? 'placeholder' : 'invalid';
  }
  if (isAppError(err, 'CONFLICT')) return 'limit';
  return null;
}

/** A refused add (`id` null) or change of one canned reply: what was posted and why. */
interface FailedReply {
  id: string | null;
  code: string;
  title: string;
  body: string;
}

/**
 * `/settings/inboxes/:id/canned-replies`: list, add, edit and delete an inbox's canned replies. Admins
 * and managers of the inbox only; its agents get 403 (they use the replies from the ticket page).
 */
export function cannedReplyPages(ctx: PageContext): Router {
  const router = Router();
  const guard = [requireLogin, requireCsrf(ctx.publicUrl)];

  /** The page; after a refused add or change, again with what was posted and the error at that form. */
  const renderPage = async (req: Request, res: Response, failed: FailedReply | null) => {
    const session = requireSession(res);
    const { inbox, items } = await listCannedReplies(ctx.stores, session.actor, String(req.params.id));
    if (!isInboxManager(session.actor, parseObjectId(inbox.id))) throw new AppError('FORBIDDEN', 'Only admins and managers of this inbox can change its canned replies.', { key: 'forbidden.inboxManager', params: { action: 'cannedReplies' } });
    const error = failed?.code ?? one(req.query.error);
    const saved = failed ? undefined : one(req.query.saved);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const message = fixedMessage(ERRORS, error, t, { title: CANNED_REPLY_LIMITS.title, body: CANNED_REPLY_LIMITS.body, max: CANNED_REPLY_LIMITS.perInbox });
    const rowFailed = (id: string) => (failed && failed.id === id ? failed : null);
    res.status(failed ? 400 : 200).type('html').send(
      ctx.views.render(
        'canned-replies',
        {
          title: t('settings:canned.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          section: 'canned-replies',
          inbox,
          // A refused change keeps its reply open with what was posted.
          items: items.map((item) => ({ ...item, formTitle: rowFailed(item.id)?.title ?? item.title, formBody: rowFailed(item.id)?.body ?? item.body, formError: rowFailed(item.id) ? message : null })),
          added: failed?.id === null ? { title: failed.title, body: failed.body, error: message } : null,
          csrf: session.csrfToken,
          error: failed ? null : message,
          notice: fixedMessage(NOTICES, saved, t),
          placeholders: PLACEHOLDER_HELP,
          limits: CANNED_REPLY_LIMITS,
        },
        i18n,
      ),
    );
  };

  router.get('/settings/inboxes/:id/canned-replies', requireLogin, (req, res) => renderPage(req, res, null));

  /** Runs a change and goes back to the list (303); a refused add or change shows the page again with what was posted. */
  const act = async (req: Request, res: Response, replyId: string | null, saved: string, fn: () => Promise<unknown>) => {
    const inboxId = String(req.params.id);
    try {
      await fn();
    } catch (err) {
      const code = cannedErrorCode(err);
      if (!code) throw err;
      if (saved === 'deleted') return res.redirect(303, `${settingsUrl(inboxId)}?error=${code}`);
      return renderPage(req, res, { id: replyId, code, title: field(req, 'title'), body: field(req, 'body') });
    }
    res.redirect(303, `${settingsUrl(inboxId)}?saved=${saved}`);
  };

  router.post('/settings/inboxes/:id/canned-replies', ...guard, async (req, res) => {
    const inboxId = String(req.params.id);
    await act(req, res, null, 'created', () => createCannedReply(ctx.stores, requireSession(res).actor, inboxId, { title: field(req, 'title'), body: field(req, 'body') }));
  });

  router.post('/settings/inboxes/:id/canned-replies/:replyId', ...guard, async (req, res) => {
    const inboxId = String(req.params.id);
    const replyId = String(req.params.replyId);
    await act(req, res, replyId, 'updated', () => updateCannedReply(ctx.stores, requireSession(res).actor, inboxId, replyId, { title: field(req, 'title'), body: field(req, 'body') }));
  });

  router.post('/settings/inboxes/:id/canned-replies/:replyId/delete', ...guard, async (req, res) => {
    const inboxId = String(req.params.id);
    await act(req, res, String(req.params.replyId), 'deleted', () => deleteCannedReply(ctx.stores, requireSession(res).actor, inboxId, String(req.params.replyId)));
  });
  return router;
}
