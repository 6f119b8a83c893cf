import { Router } from 'express';
import { isAppError, type AppError } from '../../domain/errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { Translator } from '../../i18n/catalog.js';
import { issuesOf } from '../../i18n/error-text.js';
import { BULK_ACTION_NAMES, BULK_MAX_TICKETS, bulkUpdateTickets, type BulkActionName, type BulkRowResult } from '../../services/tickets/bulk-update-tickets.js';
import type { FilterTeam } from '../../services/tickets/list-filter-teams.js';
import type { UserLabel } from '../../services/tickets/list-assignees.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, fields, fixedMessage, formOf } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { listPageQuery, type ListPageQuery } from './ticket-list-filters.js';
import { scriptUrl } from './static-assets.js';


/**
 * Where each action's value comes from in the form (one control per kind of value), and whether an
 * empty choice means "none" (unassign, no team). A new action adds its entry here, its label in
 * `tickets:bulk.action.*`, and its control in tickets.hbs when it takes a value.
 */
const VALUE_FIELDS: Record<BulkActionName, { name: string; emptyIsNull?: true }> = {
  assign: { name: 'assigneeId', emptyIsNull: true },
  team: { name: 'teamId', emptyIsNull: true },
  status: { name: 'status' },
  priority: { name: 'priority' },
  addTag: { name: 'tag' },
  removeTag: { name: 'tag' },
  merge: { name: 'intoId' },
  spam: { name: 'spamBlock' },
};

/** Why a row failed, as the notice groups them; each names `tickets:bulk.reason.<reason>`. */
const REASONS = ['notFound', 'merged', 'assignee', 'team', 'otherRequester', 'tags', 'publicDomain', 'notInboxMember', 'invalid', 'other'] as const;
type Reason = (typeof REASONS)[number];

/** The `?bulkError=` codes of a refused request, each naming `tickets:bulk.error.<code>`. */
const ERRORS: Record<string, string> = Object.fromEntries(['none', 'tooMany', 'action', 'value', 'target'].map((c) => [c, `tickets:bulk.error.${c}`]));

/** The reason a row's error is shown under: the field its use case named, else its code. */
function reasonOf(error: AppError): Reason {
  if (error.code === 'NOT_FOUND') return 'notFound';
  if (error.code === 'CONFLICT') return 'merged';
  if (error.code === 'FORBIDDEN' && error.key === 'forbidden.spamInboxOnly') return 'notInboxMember';
  if (error.code !== 'VALIDATION_FAILED') return 'other';
  const issue = issuesOf(error)[0];
  if (issue?.path === 'assigneeId') return 'assignee';
  if (issue?.path === 'teamId') return 'team';
  if (issue?.key === 'errors:issue.merge.otherRequester') return 'otherRequester';
  if (issue?.key === 'errors:issue.spam.publicDomain' || issue?.key === 'errors:issue.spam.noDomain') return 'publicDomain';
  return issue?.path?.startsWith('tags') ? 'tags' : 'invalid';
}

/** A refused request's `?bulkError=` code, from the issue its use case named first. */
function errorCodeOf(error: AppError): string {
  const issue = issuesOf(error)[0];
  if (issue?.path === 'ids') return issue.code === 'too_big' ? 'tooMany' : 'none';
  if (issue?.path === 'action') return 'action';
  return issue?.key === 'errors:issue.bulk.mergeTarget' ? 'target' : 'value';
}

/** The failures as the notice's query carries them: `notFound.1,merged.2` (codes and counts, never text). */
function failedParam(results: BulkRowResult[]): string {
  const counts = new Map<Reason, number>();
  for (const r of results) if (!r.ok) counts.set(reasonOf(r.error), (counts.get(reasonOf(r.error)) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${reason}.${n}`).join(',');
}

/** The list's own query (filters and cursor), as a query string, so a bulk change comes back to the same page. */
export function listQueryString(filters: ListPageQuery): string {
  return new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();
}

/**
 * The notice after a bulk change, from `?updated=3&failed=notFound.1` (or `?bulkError=`), in the
 * page's language: "3 tickets updated, 1 failed: 1 not found". Null when the query has none.
 */
export function bulkNotice(query: Record<string, unknown>, t: Translator['t']): { text: string; failed: boolean } | null {
  const error = fixedMessage(ERRORS, query.bulkError, t, { max: BULK_MAX_TICKETS });
  if (error) return { text: error, failed: true };
  if (typeof query.updated !== 'string' || !/^\d{1,3}$/.test(query.updated)) return null;
  const updated = Number(query.updated);
  const reasons = (typeof query.failed === 'string' ? query.failed.split(',') : [])
    .map((part) => /^([a-zA-Z]+)\.(\d{1,3})$/.exec(part))
    .filter((m): m is RegExpExecArray => m !== null && (REASONS as readonly string[]).includes(m[1]!))
    .map((m) => ({ reason: m[1]!, count: Number(m[2]) }));
  const failed = reasons.reduce((sum, r) => sum + r.count, 0);
  if (failed === 0) return { text: t('tickets:bulk.notice.updated', { updated }), failed: false };
  const list = reasons.map((r) => t(`tickets:bulk.reason.${r.reason}`, { count: r.count })).join(', ');
  return { text: t('tickets:bulk.notice.someFailed', { updated, failed, reasons: list }), failed: true };
}

/** The statuses the bulk bar offers: spam is marked with its own action, never set as a bare status. */
const STATUSES = TICKET_STATUSES.filter((s) => s !== 'spam');

/** The bulk bar's fields for the list page: its form's target, the actions and each kind of value. */
export function bulkForm(
  filters: ListPageQuery,
  data: { tickets: Array<{ id: string; number: number; subject: string }>; assignees: UserLabel[]; teams: FilterTeam[] },
  t: Translator['t'],
) {
  const qs = listQueryString(filters);
  return {
    action: `/tickets/bulk${qs ? `?${qs}` : ''}`,
    scriptUrl: scriptUrl('bulk.js'),
    actions: BULK_ACTION_NAMES.map((name) => ({ value: name, label: t(`tickets:bulk.action.${name}`) })),
    assignees: data.assignees,
    teams: data.teams.map((team) => ({ id: team.id, label: `${team.name} (${t('common:level', { level: team.level })})` })),
    statuses: STATUSES.map((s) => ({ value: s, label: t(`common:status.${s}`) })),
    priorities: TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`common:priority.${p}`) })),
    keep: data.tickets.map((ticket) => ({ id: ticket.id, label: `#${ticket.number} ${ticket.subject || t('tickets:noSubject')}` })),
  };
}

/** `POST /tickets/bulk`: the list page's bulk bar (CSRF-checked); back to the same list with a notice. */
export function ticketBulkActions(ctx: PageContext): Router {
  const router = Router();
  router.post('/tickets/bulk', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const form = formOf(req);
    const back = new URLSearchParams(listQueryString(listPageQuery(req.query)));
    const action = field(form, 'action');
    const source = (BULK_ACTION_NAMES as string[]).includes(action) ? VALUE_FIELDS[action as BulkActionName] : null;
    const raw = source ? field(form, source.name) : '';
    const input = { ids: fields(form, 'ids'), action: action || undefined, value: source?.emptyIsNull && raw === '' ? null : raw };
    try {
      const result = await bulkUpdateTickets({ ...ctx.actions, ...ctx.stores }, requireSession(res).actor, input);
      back.set('updated', String(result.updated));
      if (result.failed > 0) back.set('failed', failedParam(result.results));
    } catch (err) {
      if (!isAppError(err, 'VALIDATION_FAILED')) throw err;
      back.set('bulkError', errorCodeOf(err));
    }
    res.redirect(303, `/tickets?${back.toString()}`);
  });
  return router;
}
