import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { ReportFilter, ReportTicketRow } from '../../domain/report.js';
import { toTicketMetrics } from '../../domain/ticket-metrics.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { ReportStore, ReportTicketDoc } from '../../store/report-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { checkReportAccess, reportScopeOf, type ReportScopeDeps } from './report-scope.js';

/** What the ticket rows of a report read. */
export type ReportTicketsDeps = ReportScopeDeps & {
  reports: Pick<ReportStore, 'listTicketRows'>;
  inboxes: ReportScopeDeps['inboxes'];
  teams: ReportScopeDeps['teams'] & Pick<TeamStore, 'listByIds'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
  categories: Pick<CategoryStore, 'listForInboxes'>;
};

/** The most rows a page of ticket rows holds. */
export const REPORT_TICKETS_PAGE_MAX = 1000;
/** The most rows an export (CSV) of a report's tickets holds. */
export const REPORT_TICKETS_EXPORT_MAX = 100_000;

const CURSOR_PREFIX = 'n1.';

/** The opaque cursor after a ticket number. */
function cursorOf(number: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${number}`, 'utf8').toString('base64url');
}

/** The ticket number a cursor of {@link cursorOf} stands after; VALIDATION_FAILED naming `after` for anything else. */
function numberAfter(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const n = text.startsWith(CURSOR_PREFIX) && /^\d{1,15}$/.test(text.slice(CURSOR_PREFIX.length)) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new AppError('VALIDATION_FAILED', 'Report tickets query is invalid: after: is not a cursor this list gave', {
      details: { issues: [{ path: 'after', message: 'is not a cursor this list gave', code: 'custom', key: 'errors:issue.cursor' }] },
      key: 'input.invalid',
      params: { what: 'Query' },
    });
  }
  return n;
}

/** Names the stored rows' inboxes, teams (and levels), assignees and categories, each kind in one read. */
async function rowsOf(deps: ReportTicketsDeps, docs: ReportTicketDoc[]): Promise<ReportTicketRow[]> {
  const unique = (ids: Array<Types.ObjectId | null | undefined>) => [...new Map(ids.filter((id): id is Types.ObjectId => Boolean(id)).map((id) => [id.toHexString(), id])).values()];
  const inboxIds = unique(docs.map((d) => d.inboxId));
  const teamIds = unique(docs.map((d) => d.teamId));
  const userIds = unique(docs.map((d) => d.assigneeId));
  const [inboxes, teams, users, categories] = await Promise.all([
    inboxIds.length ? deps.inboxes.listNamesByIds(inboxIds) : [],
    teamIds.length ? deps.teams.listByIds(teamIds) : [],
    userIds.length ? deps.users.listLabelsByIds(userIds) : [],
    docs.some((d) => d.categoryId) ? deps.categories.listForInboxes(inboxIds) : [],
  ]);
  const inboxName = new Map(inboxes.map((i) => [i._id.toHexString(), i.name]));
  const team = new Map(teams.map((t) => [t._id.toHexString(), t]));
  const userName = new Map(users.map((u) => [u._id.toHexString(), u.name || u.email]));
  const categoryName = new Map(categories.map((c) => [c._id.toHexString(), c.name]));
  return docs.map((d) => {
    const t = d.teamId ? team.get(d.teamId.toHexString()) : undefined;
    return {
      id: d._id.toHexString(),
      number: d.number,
      subject: d.subject,
      inbox: inboxName.get(d.inboxId.toHexString()) ?? '',
      team: t?.name ?? null,
      level: t?.level ?? null,
      assignee: d.assigneeId ? (userName.get(d.assigneeId.toHexString()) ?? null) : null,
      category: d.categoryId ? (categoryName.get(d.categoryId.toHexString()) ?? null) : null,
      priority: d.priority,
      status: d.status,
      tags: d.tags ?? [],
      createdAt: d.createdAt,
      ...toTicketMetrics(d.metrics),
      satisfaction: d.satisfaction?.rating ?? null,
    };
  });
}

/**
 * One page of the tickets behind a report (managers and admins, as the report): the tickets in scope
 * created, first answered or last solved in the period, by number; `next` is the opaque cursor of the
 * page after (null on the last). `limit` is held to 1..{@link REPORT_TICKETS_PAGE_MAX}.
 */
export async function listReportTickets(deps: ReportTicketsDeps, actor: Actor, filter: ReportFilter, page: { after?: string; limit: number }): Promise<{ rows: ReportTicketRow[]; next: string | null }> {
  const scope = await reportScopeOf(deps, actor, filter);
  const after = numberAfter(page.after);
  const limit = Math.max(1, Math.min(REPORT_TICKETS_PAGE_MAX, Math.floor(page.limit) || 1));
  // One more than the page tells whether another follows.
  const docs = await deps.reports.listTicketRows(scope, filter.from, filter.to, after, limit + 1);
  const shown = docs.slice(0, limit);
  return { rows: await rowsOf(deps, shown), next: docs.length > limit ? cursorOf(shown[shown.length - 1]!.number) : null };
}

/**
 * Every ticket row behind a report, by number, for an export (CSV), read a page at a time, at most
 * {@link REPORT_TICKETS_EXPORT_MAX}. An agent, or a manager's filter naming an inbox not theirs, is
 * refused at once (before anything is sent); the rest of the access check comes with the first read.
 */
export function reportTicketRows(deps: ReportTicketsDeps, actor: Actor, filter: ReportFilter): AsyncIterable<ReportTicketRow> {
  checkReportAccess(actor, filter);
  return exportRows(deps, actor, filter);
}

async function* exportRows(deps: ReportTicketsDeps, actor: Actor, filter: ReportFilter): AsyncIterable<ReportTicketRow> {
  const scope = await reportScopeOf(deps, actor, filter);
  let after = 0;
  let left = REPORT_TICKETS_EXPORT_MAX;
  while (left > 0) {
    const docs = await deps.reports.listTicketRows(scope, filter.from, filter.to, after, Math.min(REPORT_TICKETS_PAGE_MAX, left));
    if (docs.length === 0) return;
    yield* await rowsOf(deps, docs);
    left -= docs.length;
    after = docs[docs.length - 1]!.number;
    if (docs.length < Math.min(REPORT_TICKETS_PAGE_MAX, left + docs.length)) return;
  }
}
