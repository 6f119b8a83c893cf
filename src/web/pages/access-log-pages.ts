import { Router } from 'express';
import { ACCESS_ACTIONS } from '../../domain/access-log.js';
import { listAccessLog, requireAccessLogAccess, type AccessLogPage } from '../../services/access-log/list-access-log.js';
import { listUsers } from '../../services/users/list-users.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import { issueText, queryText, validationIssues } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

const BASE = '/settings/access-log';
/** The filter's parameters, kept in the form and the pager's links. */
const FILTER_NAMES = ['user', 'action', 'ticket', 'from', 'to'] as const;

/**
 * `/settings/access-log`: who opened which ticket, downloaded which attachment, viewed, exported or
 * erased a person's data, newest first, filtered by user, action, ticket number and period (days
 * in the admin's time zone). Admins only (403 for others); a plain GET form, no script.
 */
export function accessLogPages(ctx: PageContext): Router {
  const router = Router();

  router.get(BASE, requireLogin, async (req, res) => {
    const session = requireSession(res);
    requireAccessLogAccess(session.actor);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    // Only plain single values go back into the form; anything else the filter refuses by name.
    const form = Object.fromEntries(FILTER_NAMES.map((name) => [name, (queryText(req.query[name]) ?? '').slice(0, 100)])) as Record<(typeof FILTER_NAMES)[number], string>;
    let page: AccessLogPage = { items: [], nextCursor: null };
    let problems: string[] = [];
    try {
      page = await listAccessLog(ctx.stores, session.actor, req.query, { timeZone: i18n.formats.timeZone });
    } catch (err) {
      const issues = validationIssues(err, i18n.tr);
      if (!issues) throw err;
      problems = issues.map((i) => (i.path ? `${i.path}: ${issueText(i, i18n.tr)}` : issueText(i, i18n.tr)));
    }
    const users = await listUsers(ctx.stores, session.actor);
    const filters = FILTER_NAMES.flatMap((name) => (form[name] ? [[name, form[name]] as [string, string]] : []));
    res.status(problems.length ? 400 : 200).type('html').send(
      ctx.views.render(
        'settings-access-log',
        {
          title: t('settings:accessLog.title'),
          session,
          nav: 'settings',
          form,
          problems,
          userOptions: users.map((u) => ({ id: u.id, label: u.name ? `${u.name} (${u.email})` : u.email, selected: u.id === form.user })),
          actionOptions: ACCESS_ACTIONS.map((code) => ({ code, selected: code === form.action })),
          items: page.items,
          nextUrl: page.nextCursor ? `${BASE}?${new URLSearchParams([...filters, ['cursor', page.nextCursor]])}` : null,
          firstUrl: queryText(req.query.cursor) ? `${BASE}${filters.length ? `?${new URLSearchParams(filters)}` : ''}` : null,
          filtered: filters.length > 0,
        },
        i18n,
      ),
    );
  });

  return router;
}
