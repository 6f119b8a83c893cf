import { Router, type Response } from 'express';
import { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { deleteInbox } from '../../services/inboxes/delete-inbox.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { disableInbox, enableInbox } from '../../services/inboxes/set-inbox-enabled.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, formOf, validationIssues, type FormBody, type FormIssue } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/**
 * The buttons of an inbox's settings page that change whether it works at all (admins only, the use
 * cases refuse everyone else): disable, enable, and delete behind a confirmation page where the admin
 * chooses what becomes of the tickets and types the inbox name. Plain form posts answered by a
 * redirect, so they work without JavaScript.
 */
export function inboxLifecyclePages(ctx: SettingsContext): Router {
  const router = Router();
  const post = [requireLogin, requireSettingsAccess, requireCsrf(ctx.publicUrl)];
  const deps = { inboxes: ctx.stores.inboxes, now: ctx.now };
  const deleteDeps = { ...deps, inboxRemoval: ctx.stores.inboxRemoval };

  const renderDelete = async (res: Response, inbox: InboxView, posted: FormBody | null, issues: FormIssue[] = []) => {
    const session = requireSession(res);
    if (session.actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can delete inboxes', { key: 'forbidden.adminOnly' });
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const mode = posted ? field(posted, 'mode') : 'keep';
    const moveTo = posted ? field(posted, 'move_to') : '';
    const targets = (await listInboxes(ctx.stores, session.actor)).filter((i) => i.id !== inbox.id);
    res.status(issues.length > 0 ? 400 : 200).type('html').send(
      ctx.views.render(
        'settings-inbox-delete',
        {
          title: t('settings:inboxState.deletePage.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          tickets: await ctx.stores.inboxRemoval.countTickets(new Types.ObjectId(inbox.id)),
          keep: mode !== 'move',
          targets: targets.map((i) => ({ id: i.id, name: i.name, selected: i.id === moveTo })),
          problems: issues.map((issue) => (issue.key ? t(issue.key) : issue.message)),
        },
        i18n,
      ),
    );
  };

  router.get('/settings/inboxes/:id/delete', requireLogin, requireSettingsAccess, async (req, res) => {
    const inbox = await getInbox(ctx.stores, requireSession(res).actor, String(req.params.id));
    await renderDelete(res, inbox, null);
  });

  router.post('/settings/inboxes/:id/delete', ...post, async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const inbox = await getInbox(ctx.stores, actor, id);
    const body = formOf(req);
    const mode = field(body, 'mode') === 'move' ? 'move' : 'keep';
    try {
      await deleteInbox(deleteDeps, actor, id, { mode, moveTo: field(body, 'move_to') || null, confirmName: field(body, 'confirm_name') });
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return renderDelete(res, inbox, body, issues);
    }
    res.redirect(303, '/settings/inboxes?saved=inboxDeleted');
  });

  router.post('/settings/inboxes/:id/disable', ...post, async (req, res) => {
    const inbox = await disableInbox(deps, requireSession(res).actor, String(req.params.id));
    res.redirect(303, `/settings/inboxes/${inbox.id}?saved=inboxDisabled`);
  });

  router.post('/settings/inboxes/:id/enable', ...post, async (req, res) => {
    const inbox = await enableInbox(deps, requireSession(res).actor, String(req.params.id));
    res.redirect(303, `/settings/inboxes/${inbox.id}?saved=inboxEnabled`);
  });
  return router;
}
