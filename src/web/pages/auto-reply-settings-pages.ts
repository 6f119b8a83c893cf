import { Router, type Response } from 'express';
import { parseObjectId } from '../../services/access.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { requireInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { previewAutoReply } from '../../services/auto-reply/preview-auto-reply.js';
import { updateAutoReply } from '../../services/auto-reply/update-auto-reply.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { checked, field, fixedText, formOf, savedNotice, validationIssues, type FormIssue } from './form-fields.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

interface AutoReplyForm {
  enabled: boolean;
  subject: string;
  template: string;
}

const LABELS: Record<string, string> = { 'autoReply.subject': 'Subject', 'autoReply.template': 'Text', subject: 'Subject', template: 'Text' };

/**
 * `/settings/inboxes/:id/auto-reply`: whether new tickets are acknowledged, and the inbox's own
 * subject and text (Handlebars, checked before saving), with a preview rendered by the real email
 * templates. For admins and managers of the inbox.
 */
export function autoReplySettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const deps = { inboxes: ctx.stores.inboxes, logger: ctx.logger, validateTemplate: ctx.settings.validateTemplate, render: ctx.settings.render };

  /** Renders the page; the preview shows what `form` would send, or why it cannot be sent. */
  const render = async (res: Response, inbox: InboxView, form: AutoReplyForm, state: { status?: number; issues?: FormIssue[]; notice?: string | null } = {}) => {
    const session = requireSession(res);
    let issues = state.issues ?? [];
    let preview: { subject: string; text: string } | null = null;
    if (issues.length === 0) {
      try {
        preview = await previewAutoReply(deps, session.actor, inbox.id, { subject: form.subject || null, template: form.template || null });
      } catch (err) {
        const found = validationIssues(err);
        if (!found) throw err;
        issues = found;
      }
    }
    const errorOf = (name: 'subject' | 'template') => issues.find((i) => i.path === `autoReply.${name}` || i.path === name)?.message ?? null;
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render('settings-auto-reply', {
        title: `Auto-reply · ${inbox.name} · Settings`,
        session,
        nav: 'settings',
        csrf: session.csrfToken,
        inbox,
        section: 'auto-reply',
        form,
        errors: { subject: errorOf('subject'), template: errorOf('template') },
        problems: issues.map((i) => `${fixedText(LABELS, i.path) ?? (i.path || 'Auto-reply')}: ${i.message}`),
        preview,
        notice: state.notice ?? null,
      }),
    );
  };

  const load = async (res: Response, id: string) => {
    const { actor } = requireSession(res);
    const inbox = await getInbox(ctx.stores, actor, id);
    requireInboxManager(actor, parseObjectId(inbox.id)!, 'Only admins and managers of this inbox can change its auto-reply');
    return inbox;
  };

  router.get('/settings/inboxes/:id/auto-reply', ...guard, async (req, res) => {
    const inbox = await load(res, String(req.params.id));
    const form = { enabled: inbox.autoReply.enabled, subject: inbox.autoReply.subject ?? '', template: inbox.autoReply.template ?? '' };
    await render(res, inbox, form, { notice: savedNotice(req.query.saved) });
  });

  router.post('/settings/inboxes/:id/auto-reply', ...guard, requireCsrf(ctx.publicUrl), async (req, res) => {
    const inbox = await load(res, String(req.params.id));
    const body = formOf(req);
    const form = { enabled: checked(body, 'enabled'), subject: field(body, 'subject'), template: field(body, 'template') };
    // "Preview" saves nothing: it shows what these (unsaved) texts would send.
    if (field(body, 'action') === 'preview') return render(res, inbox, form);
    try {
      await updateAutoReply(deps, requireSession(res).actor, inbox.id, { enabled: form.enabled, subject: form.subject, template: form.template });
    } catch (err) {
      const issues = validationIssues(err);
      if (!issues) throw err;
      return render(res, inbox, form, { status: 400, issues });
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(inbox.id)}/auto-reply?saved=1`);
  });
  return router;
}
