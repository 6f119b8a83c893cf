import { Router, type Request, type Response } from 'express';
import { IMPACT_LEVELS, URGENCY_LEVELS } from '../../domain/priority-matrix.js';
import { HEADER_OPS } from '../../domain/routing-rules.js';
import { isAppError } from '../../domain/errors.js';
import { LOCALES, LOCALE_NAMES } from '../../i18n/locales.js';
import { listCategories } from '../../services/categories/categories.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { createRoutingRule } from '../../services/routing/create-routing-rule.js';
import { deleteRoutingRule } from '../../services/routing/delete-routing-rule.js';
import { dryRunRoutingRule, DRY_RUN_TICKETS, type DryRunResult } from '../../services/routing/dry-run-routing-rule.js';
import { getRoutingRule } from '../../services/routing/get-routing-rule.js';
import { listRoutingRules } from '../../services/routing/list-routing-rules.js';
import { moveRoutingRule } from '../../services/routing/reorder-routing-rules.js';
import { ROUTING_RULE_NAME_MAX, type RoutingRuleView } from '../../services/routing/routing-rule-input.js';
import { updateRoutingRule } from '../../services/routing/update-routing-rule.js';
import { listTeams } from '../../services/teams/teams.js';
import { listUsers } from '../../services/users/list-users.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, fixedMessage, formOf, issueText, validationIssues, type FormIssue } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { fitsForm, postedRuleForm, ruleForm, ruleInput, type RuleForm } from './routing-form.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

const NOTICES: Record<string, string> = {
  created: 'settings:routing.notice.created',
  updated: 'settings:routing.notice.updated',
  deleted: 'settings:routing.notice.deleted',
  moved: 'settings:routing.notice.moved',
  enabled: 'settings:routing.notice.enabled',
  disabled: 'settings:routing.notice.disabled',
};
const ERRORS: Record<string, string> = { taken: 'settings:routing.error.taken' };
/** Without stored files, header conditions read an empty header block (they do not hold). */
const NO_BLOBS = { read: async () => Buffer.alloc(0) };

/** What a page reads about the tickets' world: inboxes, teams, categories and users, for the form's choices and the list's summaries. */
async function choices(ctx: SettingsContext, res: Response) {
  const { actor } = requireSession(res);
  const [inboxes, teams, categories, users] = await Promise.all([listInboxes(ctx.stores, actor), listTeams(ctx.stores, actor), listCategories(ctx.stores, actor), listUsers(ctx.stores, actor)]);
  return { inboxes, teams, categories: categories.filter((c) => !c.archived), users: users.filter((u) => !u.disabled) };
}

/** The label of the form part an issue's path names (`conditions.2.words.0` → that condition's kind). */
function issueLabel(path: string, input: ReturnType<typeof ruleInput> | null, t: (key: string) => string): string {
  const [part, index] = path.split('.');
  if (part === 'conditions' && input) return t(`settings:routing.condition.${input.conditions[Number(index)]?.kind ?? 'any'}`);
  if (part === 'actions' && input) return t(`settings:routing.action.${input.actions[Number(index)]?.kind ?? 'any'}`);
  if (part === 'name') return t('settings:routing.name');
  return t('settings:routing.rule');
}

/**
 * `/settings/routing`: the routing rules, in the order they run (admins; others get 403 from the use
 * cases). Move up and down, switch on and off, add, edit and delete, all as plain forms; the edit
 * page's dry-run lists which of the newest tickets the rule would match and what it would change.
 */
export function routingSettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];

  router.get('/settings/routing', ...guard, async (req, res) => {
    const session = requireSession(res);
    const items = await listRoutingRules(ctx.stores, session.actor);
    const { teams } = await choices(ctx, res);
    const teamNames = new Map(teams.map((t) => [t.id, t.name]));
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'settings-routing',
        {
          title: t('settings:routing.title'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          items: items.map((r, i) => ({
            ...r,
            position: i + 1,
            first: i === 0,
            last: i === items.length - 1,
            conditionCount: r.conditions.length,
            actionNames: r.actions.map((a) => (a.kind === 'team' ? t('settings:routing.summary.team', { name: teamNames.get(a.teamId) ?? '?' }) : t(`settings:routing.action.${a.kind}`))),
          })),
          notice: fixedMessage(NOTICES, req.query.saved, t),
        },
        i18n,
      ),
    );
  });

  /** The add or edit form, with what was posted and its problems after a refused save, or the dry-run's results. */
  async function renderForm(res: Response, rule: RoutingRuleView | null, state: { form?: RuleForm; issues?: FormIssue[]; error?: string | null; dryRun?: DryRunResult | null }) {
    const session = requireSession(res);
    const form = state.form ?? ruleForm(rule);
    const { inboxes, teams, categories, users } = await choices(ctx, res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const input = state.form ? ruleInput(state.form) : null;
    const select = (values: readonly string[], chosen: string) => values.map((value) => ({ value, selected: value === chosen }));
    res.status(state.issues || state.error ? 400 : 200).type('html').send(
      ctx.views.render(
        'settings-routing-rule',
        {
          title: rule ? t('settings:routing.editTitle', { name: rule.name }) : t('settings:routing.newTitle'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          rule,
          readOnly: rule !== null && !fitsForm(rule),
          action: rule ? `/settings/routing/${rule.id}` : '/settings/routing',
          maxName: ROUTING_RULE_NAME_MAX,
          form,
          inboxes: inboxes.map((i) => ({ id: i.id, name: i.name, checked: form.inboxIds.includes(i.id) })),
          headerOps: select(HEADER_OPS, form.headerOp),
          languages: LOCALES.map((code) => ({ code, name: LOCALE_NAMES[code], checked: form.languages.includes(code) })),
          attachments: select(['', 'yes', 'no'], form.attachment),
          hours: select(['', 'within', 'outside'], form.hours),
          teams: teams.map((tm) => ({ id: tm.id, name: tm.name, level: tm.level, selected: tm.id === form.teamId })),
          categories: categories.map((c) => ({ id: c.id, name: c.name, selected: c.id === form.categoryId })),
          impacts: select(IMPACT_LEVELS, form.impact).map((o) => ({ ...o, label: t(`common:impact.${o.value}`) })),
          urgencies: select(URGENCY_LEVELS, form.urgency).map((o) => ({ ...o, label: t(`common:urgency.${o.value}`) })),
          dryRunMax: DRY_RUN_TICKETS,
          autoSelected: form.assignee === 'auto',
          users: users.map((u) => ({ id: u.id, label: u.name ?? u.email, selected: u.id === form.assignee })),
          problems: (state.issues ?? []).map((issue) => ({ label: issueLabel(issue.path, input, t), message: issueText(issue, i18n.tr) })),
          error: state.error ?? null,
          dryRun: state.dryRun
            ? {
                ...state.dryRun,
                matches: state.dryRun.matches.map((m) => ({
                  ...m,
                  sentences: m.changes.map((c) => dryRunSentence(t, state.dryRun!.rule, c)),
                  skippedText: m.skipped.map((s) => t(`settings:routing.skipped.${s.reason}`)),
                })),
              }
            : null,
        },
        i18n,
      ),
    );
  }

  router.get('/settings/routing/new', ...guard, async (_req, res) => {
    // Only admins edit rules: a manager's request is refused like the list's.
    await listRoutingRules(ctx.stores, requireSession(res).actor);
    await renderForm(res, null, {});
  });

  router.get('/settings/routing/:id', ...guard, async (req, res) => {
    const { actor } = requireSession(res);
    const rule = await getRoutingRule(ctx.stores, actor, String(req.params.id));
    const dryRun = req.query.dryRun === '1' ? await dryRunRoutingRule({ ...ctx.stores, blobs: ctx.blobs ?? NO_BLOBS }, actor, rule.id) : null;
    await renderForm(res, rule, { dryRun });
  });

  /** Saves an add (`rule` null) or a change; a refused one shows the form again with what was posted and why. */
  const save = async (req: Request, res: Response, rule: RoutingRuleView | null) => {
    const form = postedRuleForm(formOf(req));
    const { actor } = requireSession(res);
    let saved: RoutingRuleView;
    try {
      saved = rule === null ? await createRoutingRule(ctx.stores, actor, ruleInput(form)) : await updateRoutingRule(ctx.stores, actor, rule.id, ruleInput(form));
    } catch (err) {
      if (isAppError(err, 'CONFLICT')) return renderForm(res, rule, { form, error: fixedMessage(ERRORS, 'taken', pageI18n(res).tr.t) });
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return renderForm(res, rule, { form, issues });
    }
    res.redirect(303, rule === null ? `/settings/routing/${saved.id}?saved=created` : '/settings/routing?saved=updated');
  };

  router.post('/settings/routing', ...post, (req, res) => save(req, res, null));
  router.post('/settings/routing/:id', ...post, async (req, res) => save(req, res, await getRoutingRule(ctx.stores, requireSession(res).actor, String(req.params.id))));

  router.post('/settings/routing/:id/move', ...post, async (req, res) => {
    const direction = field(formOf(req), 'direction') === 'down' ? 'down' : 'up';
    await moveRoutingRule(ctx.stores, requireSession(res).actor, String(req.params.id), direction);
    res.redirect(303, '/settings/routing?saved=moved');
  });

  router.post('/settings/routing/:id/enabled', ...post, async (req, res) => {
    const enabled = field(formOf(req), 'enabled') === '1';
    await updateRoutingRule(ctx.stores, requireSession(res).actor, String(req.params.id), { enabled });
    res.redirect(303, `/settings/routing?saved=${enabled ? 'enabled' : 'disabled'}`);
  });

  router.post('/settings/routing/:id/delete', ...post, async (req, res) => {
    await deleteRoutingRule(ctx.stores, requireSession(res).actor, String(req.params.id));
    res.redirect(303, '/settings/routing?saved=deleted');
  });
  return router;
}

/** One change of a dry-run as the trail would say it. */
function dryRunSentence(t: (key: string, params?: Record<string, unknown>) => string, rule: string, c: { action: string; detail: Record<string, unknown> }): string {
  const d = c.detail;
  const name = typeof d.name === 'string' ? d.name : '?';
  const level = (ns: 'impact' | 'urgency', v: unknown) => (typeof v === 'string' && v !== '' ? t(`common:${ns}.${v}`) : t('tickets:trail.notAssessed'));
  switch (c.action) {
    case 'team': return t('tickets:trail.routed.team', { rule, name });
    case 'category': return t('tickets:trail.routed.category', { rule, name });
    case 'impactUrgency': return t('tickets:trail.routed.impactUrgency', { rule, impact: level('impact', d.impact), urgency: level('urgency', d.urgency) });
    case 'tags': return t('tickets:trail.routed.tags', { rule, tags: Array.isArray(d.added) ? d.added.join(', ') : '' });
    case 'assignee': return t('tickets:trail.routed.assignee', { rule, assignee: name });
    case 'autoAssign': return t('tickets:trail.routed.autoAssign', { rule, name });
    default: return t('tickets:trail.routed.other', { rule });
  }
}
