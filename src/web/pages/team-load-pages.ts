import { Router } from 'express';
import { TICKET_AGE_BUCKETS } from '../../domain/ticket-age.js';
import { LOAD_PRIORITIES, teamLoad, type LoadCounts, type TeamLoadSection } from '../../services/teams/team-load.js';
import type { Translator } from '../../i18n/catalog.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { satisfactionTables } from './satisfaction-table.js';

/** Which tickets a row counts, as ticket list parameters. */
type RowFilter = { assignee?: string; team?: string };

/**
 * The ticket list of a row, narrowed to one priority or age bucket when given: `status=active` with the
 * row's `assignee` and `team`, so each number links to the tickets it counts.
 */
export function teamLoadListUrl(row: RowFilter, narrow: { priority?: string; age?: string } = {}): string {
  const params = new URLSearchParams({ ...(row.assignee ? { assignee: row.assignee } : {}), ...(row.team ? { team: row.team } : {}), status: 'active', ...narrow });
  return `/tickets?${params.toString()}`;
}

/** The cells of a row: the total, then one per priority and one per age bucket, each with its link and column name. */
function cells(counts: LoadCounts, row: RowFilter, t: Translator['t']) {
  return [
    { label: t('tickets:teamLoad.col.total'), count: counts.total, url: teamLoadListUrl(row), total: true },
    ...LOAD_PRIORITIES.map((priority) => ({ label: t(`tickets:teamLoad.col.${priority}`), count: counts.priority[priority], url: teamLoadListUrl(row, { priority }), total: false })),
    ...TICKET_AGE_BUCKETS.map((age) => ({ label: t(`tickets:teamLoad.age.${age}`), count: counts.age[age], url: teamLoadListUrl(row, { age }), total: false })),
  ];
}

/** A table's rows: one per agent, the unassigned tickets, and the whole (team or not in a team). */
function rows(section: TeamLoadSection, teamId: string | null, t: Translator['t']) {
  const team: RowFilter = { team: teamId ?? 'none' };
  return {
    agents: section.agents.map((a) => ({ ...a, label: a.name ?? (a.email || a.id), cells: cells(a.counts, { assignee: a.id, ...team }, t) })),
    unassigned: cells(section.unassigned, { assignee: 'unassigned', ...team }, t),
    total: cells(section.total, team, t),
    empty: section.total.total === 0 && section.agents.length === 0,
  };
}

/**
 * `/team-load`: the open tickets per team and agent, by priority and age, each number a link to the
 * ticket list it counts (admins and managers; agents get 403, like the settings).
 */
export function teamLoadPages(ctx: PageContext): Router {
  const router = Router();
  router.get('/team-load', requireLogin, async (_req, res) => {
    const session = requireSession(res);
    const load = await teamLoad({ ...ctx.stores, now: ctx.now }, session.actor);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    // The customers' ratings of the last 30 days, per team and per agent (services/satisfaction).
    const satisfaction = await satisfactionTables(ctx.stores, session.actor, ctx.now, { none: t('tickets:satisfaction.table.none') });
    res.type('html').send(
      ctx.views.render(
        'team-load',
        {
          title: t('tickets:teamLoad.title'),
          session,
          nav: 'team-load',
          at: load.at,
          columns: [t('tickets:teamLoad.col.total'), ...LOAD_PRIORITIES.map((p) => t(`tickets:teamLoad.col.${p}`)), ...TICKET_AGE_BUCKETS.map((b) => t(`tickets:teamLoad.age.${b}`))],
          teams: load.teams.map((team) => ({
            id: team.id, name: team.name, level: team.level, ...rows(team, team.id, t),
            // Auto-assignment, when the team hands out tickets: its mode and cap beside its name.
            assignment: team.assignment,
            capText: team.assignment.cap !== null ? t('settings:teams.assignment.capSummary', { cap: team.assignment.cap }) : '',
          })),
          noTeam: rows(load.noTeam, null, t),
          satisfaction,
        },
        i18n,
      ),
    );
  });
  return router;
}
