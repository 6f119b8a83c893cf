import { Router, type Response } from 'express';
import { MAX_RETENTION_MONTHS, RETENTION_ACTIONS, type RetentionAction } from '../../domain/retention.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { previewRetention, type RetentionPreview } from '../../services/retention/preview-retention.js';
import { updateRetention } from '../../services/retention/update-retention.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { checked, field, formOf, issueText, savedNotice, validationIssues, type FormBody, type FormIssue } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The form as typed: months as text (empty: off) and the action. */
interface RetentionForm {
  months: string;
  action: RetentionAction;
}

/** The policy a form stands for, as the use cases take it: a number the schema checks, or null when empty. */
function policyInput(form: RetentionForm): { months: number | null; action: RetentionAction } {
  const text = form.months.trim();
  return { months: text === '' ? null : Number(text), action: form.action };
}

const actionOf = (value: string): RetentionAction => ((RETENTION_ACTIONS as readonly string[]).includes(value) ? (value as RetentionAction) : 'anonymise');

/**
 * `/settings/inboxes/:id/retention`: how long the inbox keeps closed tickets, and whether it then
 * anonymises or deletes them, with what the next daily run will touch (also for values not saved
 * yet: "Preview"). Admins change it; managers of the inbox see it. Saving "delete" needs a ticked
 * confirmation, as the run cannot be undone. Plain form posts, so it works without JavaScript.
 */
export function retentionSettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const deps = { retention: ctx.stores.retention, now: ctx.now, logger: ctx.logger };

  const render = async (res: Response, inbox: InboxView, form: RetentionForm, state: { status?: number; issues?: FormIssue[]; notice?: string | null; unsaved?: boolean } = {}) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    let issues = state.issues ?? [];
    let preview: RetentionPreview | null = null;
    if (issues.length === 0) {
      try {
        preview = (await previewRetention(deps, session.actor, inbox.id, state.unsaved ? policyInput(form) : undefined)).preview;
      } catch (err) {
        const found = validationIssues(err, i18n.tr);
        if (!found) throw err;
        issues = found;
      }
    }
    const errorOf = (name: string) => {
      const found = issues.find((i) => i.path === name);
      return found ? issueText(found, i18n.tr) : null;
    };
    const labelOf = (path: string) => t(path === 'action' ? 'settings:retention.action' : path === 'confirm' ? 'settings:retention.confirmLabel' : 'settings:retention.months');
    const previewText = !preview
      ? t('settings:retention.noPreview')
      : preview.cutoff === null
        ? t('settings:retention.previewOff')
        : t(preview.action === 'delete' ? 'settings:retention.previewDelete' : 'settings:retention.previewAnonymise', { count: preview.tickets, date: i18n.formats.date(preview.cutoff) });
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render(
        'settings-inbox-retention',
        {
          title: t('settings:retention.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          section: 'retention',
          readOnly: session.actor.role !== 'admin',
          maxMonths: MAX_RETENTION_MONTHS,
          form,
          actions: RETENTION_ACTIONS.map((value) => ({ value, selected: value === form.action, label: t(`settings:retention.actions.${value}`), hint: t(`settings:retention.actionHints.${value}`) })),
          errors: { months: errorOf('months'), action: errorOf('action'), confirm: errorOf('confirm') },
          problems: issues.map((i) => t('settings:form.problem', { label: labelOf(i.path), message: issueText(i, i18n.tr) })),
          previewText,
          unsaved: Boolean(state.unsaved),
          notice: state.notice ?? null,
        },
        i18n,
      ),
    );
  };

  const load = (res: Response, id: string) => getInbox(ctx.stores, requireSession(res).actor, id);

  const formFrom = (body: FormBody): RetentionForm => ({ months: field(body, 'months').slice(0, 20), action: actionOf(field(body, 'action')) });

  router.get('/settings/inboxes/:id/retention', ...guard, async (req, res) => {
    const inbox = await load(res, String(req.params.id));
    const { policy } = await previewRetention(deps, requireSession(res).actor, inbox.id);
    await render(res, inbox, { months: policy.months === null ? '' : String(policy.months), action: policy.action }, { notice: savedNotice(req.query.saved, pageI18n(res).tr.t) });
  });

  router.post('/settings/inboxes/:id/retention', ...guard, requireCsrf(ctx.publicUrl), async (req, res) => {
    const inbox = await load(res, String(req.params.id));
    const body = formOf(req);
    const form = formFrom(body);
    if (field(body, 'op') === 'preview') return render(res, inbox, form, { unsaved: true });
    const input = policyInput(form);
    const { t } = pageI18n(res).tr;
    if (input.action === 'delete' && input.months !== null && !checked(body, 'confirm_delete') && requireSession(res).actor.role === 'admin') {
      return render(res, inbox, form, { status: 400, unsaved: true, issues: [{ path: 'confirm', message: t('settings:retention.confirmRequired') }] });
    }
    try {
      await updateRetention(deps, requireSession(res).actor, inbox.id, input);
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return render(res, inbox, form, { status: 400, issues, unsaved: true });
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(inbox.id)}/retention?saved=1`);
  });
  return router;
}
