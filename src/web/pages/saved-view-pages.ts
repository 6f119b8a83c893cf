import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { TICKET_AGE_BUCKETS } from '../../domain/ticket-age.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import { listCategories } from '../../services/categories/categories.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { FILTER_KEYS, filtersOf } from '../../services/tickets/count-views.js';
import { listFilterTeams } from '../../services/tickets/list-filter-teams.js';
import { userLabels } from '../../services/tickets/list-assignees.js';
import { createSavedView, deleteSavedView, listSavedViews, SAVED_VIEW_LIMITS, updateSavedView } from '../../services/views/saved-views.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

/** The catalog keys of the texts `?error=` and `?saved=` name on the views page. */
const ERRORS: Record<string, string> = { invalid: 'tickets:views.error.invalid', limit: 'tickets:views.error.limit' };
const NOTICES: Record<string, string> = { created: 'tickets:views.notice.created', renamed: 'tickets:views.notice.renamed', deleted: 'tickets:views.notice.deleted' };

/** The names a view's filters may refer to by id, by id (hex). */
interface FilterNames {
  inboxes: ReadonlyMap<string, string>;
  teams: ReadonlyMap<string, string>;
  categories: ReadonlyMap<string, string>;
  users: ReadonlyMap<string, string>;
}

/**
 * A filter's value as the page shows it, in the page's language: the inbox, team, category and person
 * by name, statuses, priorities, level, age and SLA in words; a tag and search words as typed.
 */
function filterValue(key: string, value: string, t: (key: string, params?: Record<string, unknown>) => string, names: FilterNames): string {
  const status = (s: string) => (s === 'active' ? t('tickets:views.value.active') : (TICKET_STATUSES as readonly string[]).includes(s) ? t(`common:status.${s}`) : s);
  const priority = (p: string) => ((TICKET_PRIORITIES as readonly string[]).includes(p) ? t(`common:priority.${p}`) : p);
  switch (key) {
    case 'inbox': return names.inboxes.get(value) ?? t('tickets:views.unknownInbox');
    case 'status': return value.split(',').map((s) => status(s.trim())).join(', ');
    case 'assignee': return value === 'me' ? t('tickets:views.value.assignedToMe') : value === 'unassigned' ? t('tickets:views.value.unassigned') : names.users.get(value) ?? t('tickets:list.filter.someone');
    case 'teams': return value === 'mine' ? t('tickets:views.value.teamsMine') : value;
    case 'team': return names.teams.get(value) ?? t('tickets:list.filter.unknownTeam');
    case 'category': return names.categories.get(value) ?? value;
    case 'level': return t('common:level', { level: value });
    case 'priority': return value.split(',').map((p) => priority(p.trim())).join(', ');
    case 'age': return (TICKET_AGE_BUCKETS as readonly string[]).includes(value) ? t(`tickets:list.filter.ageBucket.${value}`) : value;
    case 'due': return value === 'soon' ? t('tickets:views.value.dueSoon') : value === 'breached' ? t('tickets:views.value.breached') : value;
    case 'snoozed': return value === 'only' ? t('tickets:list.filter.snoozedOnly') : value === 'any' ? t('tickets:list.filter.snoozedAny') : value;
    default: return value;
  }
}

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const field = (req: Request, name: string) => {
  const v = body(req)[name];
  return typeof v === 'string' ? v : '';
};

/** Runs a change and goes to the views page (303), naming what happened or a fixed error code. */
async function act(res: Response, saved: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    if (isAppError(err, 'VALIDATION_FAILED')) return res.redirect(303, '/tickets/views?error=invalid');
    if (isAppError(err, 'CONFLICT')) return res.redirect(303, '/tickets/views?error=limit');
    throw err;
  }
  res.redirect(303, `/tickets/views?saved=${saved}`);
}

/** `/tickets/views`: the user's saved views of the ticket list; save the current filters, rename, delete. */
export function savedViewPages(ctx: PageContext): Router {
  const router = Router();
  const guard = [requireLogin, requireCsrf(ctx.publicUrl)];

  router.get('/tickets/views', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const [views, inboxes, teams, categories] = await Promise.all([
      listSavedViews(ctx.stores, session.actor), listInboxes(ctx.stores, session.actor), listFilterTeams(ctx.stores, session.actor), listCategories(ctx.stores, session.actor),
    ]);
    const names: FilterNames = {
      inboxes: new Map(inboxes.map((i) => [i.id, i.name])),
      teams: new Map(teams.map((team) => [team.id, team.name])),
      categories: new Map(categories.map((c) => [c.id, c.name])),
      users: await userLabels(ctx.stores, views.map((v) => v.filters.assignee)),
    };
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render('saved-views', {
        title: t('tickets:views.page.title'),
        session,
        nav: 'tickets',
        csrf: session.csrfToken,
        views: views.map((v) => {
          const qs = new URLSearchParams(v.filters as Record<string, string>).toString();
          return { ...v, url: qs ? `/tickets?${qs}` : '/tickets', filterText: Object.entries(v.filters).map(([k, val]) => `${t(`tickets:views.filter.${k}`)} ${filterValue(k, val, t, names)}`).join(' · ') };
        }),
        limits: SAVED_VIEW_LIMITS,
        error: fixedMessage(ERRORS, req.query.error, t, { max: SAVED_VIEW_LIMITS.perUser, name: SAVED_VIEW_LIMITS.name }),
        notice: fixedMessage(NOTICES, req.query.saved, t),
      }, i18n),
    );
  });

  router.post('/tickets/views', ...guard, async (req, res) => {
    const filters = filtersOf(Object.fromEntries(FILTER_KEYS.map((k) => [k, field(req, k)])));
    await act(res, 'created', () => createSavedView(ctx.stores, requireSession(res).actor, { name: field(req, 'name'), filters }));
  });

  router.post('/tickets/views/:id', ...guard, async (req, res) => {
    await act(res, 'renamed', () => updateSavedView(ctx.stores, requireSession(res).actor, String(req.params.id), { name: field(req, 'name') }));
  });

  router.post('/tickets/views/:id/delete', ...guard, async (req, res) => {
    await act(res, 'deleted', () => deleteSavedView(ctx.stores, requireSession(res).actor, String(req.params.id)));
  });
  return router;
}
