import { Router, type Response } from 'express';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { getInboxSla, putInboxSla } from '../../services/sla/inbox-sla.js';
import { requireInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import { listAssignees } from '../../services/tickets/list-assignees.js';
import { parseObjectId } from '../../services/access.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { formOf, savedNotice, validationIssues, type FormBody } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, TIME_ZONES, type SettingsContext } from './settings-access.js';
import { formToPolicy, policyToForm, slaFormView, type FieldError } from './sla-form.js';

/**
 * `/settings/inboxes/:id/sla`: the inbox's SLA policy as a form (targets per priority and, for the
 * levels that have their own, per support level; business hours, reminder, escalation ladder), for admins and managers of the inbox. The policy is checked
 * by the same use case as the JSON API; nothing is saved unless all of it is valid.
 */
export function slaSettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];

  const render = async (res: Response, id: string, state: { status?: number; body: FormBody; errors: FieldError[]; isDefault?: boolean; notice?: string | null }) => {
    const session = requireSession(res);
    const inbox = await getInbox(ctx.stores, session.actor, id);
    const users = await listAssignees(ctx.stores, parseObjectId(inbox.id)!);
    const i18n = pageI18n(res);
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render(
        'settings-sla',
        {
          title: i18n.tr.t('settings:sla.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          section: 'sla',
          isDefault: state.isDefault ?? false,
          notice: state.notice ?? null,
          timeZones: TIME_ZONES,
          form: slaFormView(state.body, users, state.errors, i18n.tr),
        },
        i18n,
      ),
    );
  };

  router.get('/settings/inboxes/:id/sla', ...guard, async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const { policy, isDefault } = await getInboxSla(ctx.stores, actor, id);
    requireInboxManager(actor, parseObjectId(id)!, 'Only admins and managers of this inbox can change its SLA policy');
    await render(res, id, { body: policyToForm(policy), errors: [], isDefault, notice: savedNotice(req.query.saved, pageI18n(res).tr.t) });
  });

  router.post('/settings/inboxes/:id/sla', ...guard, requireCsrf(ctx.publicUrl), async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const body = formOf(req);
    const { input, errors, fieldOf } = formToPolicy(body);
    // Visibility and role first, so a hidden inbox is a 404 and a foreign one a 403 whatever was posted.
    await getInboxSla(ctx.stores, actor, id);
    requireInboxManager(actor, parseObjectId(id)!, 'Only admins and managers of this inbox can change its SLA policy');
    if (errors.length > 0) return render(res, id, { status: 400, body, errors });
    try {
      await putInboxSla({ tickets: ctx.stores.tickets, users: ctx.stores.users, inboxes: ctx.stores.inboxes, refreshSla: ctx.actions.refreshSla }, actor, id, input);
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      // A rejected policy shows the form again with what was typed; only a saved one redirects.
      return render(res, id, { status: 400, body, errors: issues.map(fieldOf) });
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(id)}/sla?saved=1`);
  });
  return router;
}
