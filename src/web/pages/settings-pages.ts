import { Router, type RequestHandler } from 'express';
import { getDigestSchedule, setDigestSchedule } from '../../services/digest/digest-schedule.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { autoReplySettingsPages } from './auto-reply-settings-pages.js';
import { retentionSettingsPages } from './retention-settings-pages.js';
import { routingSettingsPages } from './routing-settings-pages.js';
import { categorySettingsPages } from './category-settings-pages.js';
import { kbCategorySettingsPages } from './kb-category-settings-pages.js';
import { partnerSettingsPages } from './partner-settings-pages.js';
import { teamSettingsPages } from './team-settings-pages.js';
import { cronFromPicker, pickerFromCron } from './digest-form.js';
import type { Translator } from '../../i18n/catalog.js';
import { checked, field, fields, fixedText, formOf, issueText, savedNotice, validationIssues, WEEK_DAYS, type FormBody, type FormIssue } from './form-fields.js';
import { inboxOAuthPages } from './inbox-oauth-pages.js';
import { inboxSettingsPages } from './inbox-settings-pages.js';
import { inboxLifecyclePages } from './inbox-lifecycle-pages.js';
import { pageI18n } from './page-i18n.js';
import { spamBlockPages } from './spam-pages.js';
import { quarantinePages } from './quarantine-pages.js';
import { requireSettingsAccess, TIME_ZONES, type SettingsContext } from './settings-access.js';
import { slaSettingsPages } from './sla-settings-pages.js';

/** The digest form's inputs, by the use case's input path, for the list of problems. */
const DIGEST_LABELS: Record<string, string> = {
  enabled: 'settings:digest.label.enabled',
  days: 'settings:digest.label.days',
  cron: 'settings:digest.label.cron',
  timeZone: 'settings:digest.label.timeZone',
  inboxIds: 'settings:digest.label.inboxes',
};

/** The digest form: the picker when the stored cron fits it, raw cron otherwise. */
function digestView(body: FormBody, inboxes: Array<{ id: string; name: string }>, issues: FormIssue[], tr: Translator) {
  const { t } = tr;
  const errorOf = (path: string) => {
    const found = issues.find((i) => i.path === path || i.path.startsWith(`${path}.`));
    return found ? issueText(found, tr) : null;
  };
  const labelOf = (path: string) => {
    const key = fixedText(DIGEST_LABELS, path.split('.')[0]);
    return key ? t(key) : path;
  };
  const days = new Set(fields(body, 'days').map(Number));
  const chosen = new Set(fields(body, 'inboxIds'));
  const mode = field(body, 'mode') === 'cron' ? 'cron' : 'picker';
  return {
    enabled: checked(body, 'enabled'),
    pickerMode: mode === 'picker',
    days: WEEK_DAYS.map((d) => ({ value: d.day, label: t(`settings:day.short.${d.day}`), checked: days.has(d.day) })),
    time: field(body, 'time'),
    cron: field(body, 'cron'),
    timeZone: field(body, 'timeZone'),
    inboxes: inboxes.map((i) => ({ ...i, checked: chosen.has(i.id) })),
    errors: { days: errorOf('days'), cron: errorOf('cron'), timeZone: errorOf('timeZone'), inboxIds: errorOf('inboxIds') },
    problems: issues.map((i) => (i.path ? t('settings:form.problem', { label: labelOf(i.path), message: issueText(i, tr) }) : issueText(i, tr))),
  };
}

/**
 * `/settings` and everything under it that this module owns: the index, the caller's digest
 * schedule, and (through their own routers) the inbox, SLA and auto-reply settings.
 */
export function settingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];

  router.get('/settings', ...guard, async (_req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const inboxes = await listInboxes(ctx.stores, session.actor);
    res.type('html').send(
      ctx.views.render('settings', { title: i18n.tr.t('settings:index.title'), session, nav: 'settings', isAdmin: session.actor.role === 'admin', showQuarantine: session.actor.role === 'admin' && Boolean(ctx.settings.quarantine), inboxCount: inboxes.length }, i18n),
    );
  });

  const renderDigest = async (res: Parameters<RequestHandler>[1], status: number, body: FormBody, issues: FormIssue[], notice: string | null) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const inboxes = await listInboxes(ctx.stores, session.actor);
    res.status(status).type('html').send(
      ctx.views.render(
        'settings-digest',
        {
          title: i18n.tr.t('settings:digest.title'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          notice,
          timeZones: TIME_ZONES,
          form: digestView(body, inboxes, issues, i18n.tr),
        },
        i18n,
      ),
    );
  };

  router.get('/settings/digest', ...guard, async (req, res) => {
    const schedule = await getDigestSchedule({ users: ctx.stores.users }, requireSession(res).actor);
    const picker = pickerFromCron(schedule.cron);
    const body: FormBody = {
      ...(schedule.enabled ? { enabled: 'on' } : {}),
      mode: picker ? 'picker' : 'cron',
      days: (picker?.days ?? [1, 2, 3, 4, 5]).map(String),
      time: picker?.time ?? '08:00',
      cron: schedule.cron,
      timeZone: schedule.timeZone,
      inboxIds: schedule.inboxIds,
    };
    await renderDigest(res, 200, body, [], savedNotice(req.query.saved, pageI18n(res).tr.t));
  });

  router.post('/settings/digest', ...guard, requireCsrf(ctx.publicUrl), async (req, res) => {
    const body = formOf(req);
    const { actor } = requireSession(res);
    let cron = field(body, 'cron').trim();
    if (field(body, 'mode') !== 'cron') {
      const picked = cronFromPicker({ days: fields(body, 'days').map(Number), time: field(body, 'time') });
      if (!picked) return renderDigest(res, 400, body, [{ path: 'days', message: '', key: 'settings:digest.error.picker' }], null);
      cron = picked;
    }
    const input = { enabled: checked(body, 'enabled'), cron, timeZone: field(body, 'timeZone').trim(), inboxIds: fields(body, 'inboxIds') };
    try {
      await setDigestSchedule({ users: ctx.stores.users, scheduler: ctx.settings.scheduler }, actor, input);
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      // A failed save shows the form again with what was typed; only a saved change redirects.
      return renderDigest(res, 400, body, issues, null);
    }
    res.redirect(303, '/settings/digest?saved=1');
  });

  router.use(inboxOAuthPages(ctx));
  router.use(inboxSettingsPages(ctx));
  router.use(inboxLifecyclePages(ctx));
  router.use(slaSettingsPages(ctx));
  router.use(autoReplySettingsPages(ctx));
  router.use(retentionSettingsPages(ctx));
  router.use(categorySettingsPages(ctx));
  router.use(kbCategorySettingsPages(ctx));
  router.use(partnerSettingsPages(ctx));
  router.use(teamSettingsPages(ctx));
  router.use(routingSettingsPages(ctx));
  router.use(spamBlockPages(ctx));
  if (ctx.settings.quarantine) router.use(quarantinePages(ctx, ctx.settings.quarantine));
  return router;
}
