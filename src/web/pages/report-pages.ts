import { Router, type Response } from 'express';
import { DateTime } from 'luxon';
import { csvSeparatorFor, type CsvFormat } from '../../domain/csv.js';
import { parseReportFilter, reportQuery } from '../../domain/report-filter.js';
import type { ReportFilter } from '../../domain/report.js';
import { TEAM_LEVELS } from '../../domain/teams.js';
import { TICKET_PRIORITIES } from '../../domain/ticket-status.js';
import { listCategories } from '../../services/categories/categories.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { buildReport } from '../../services/reports/build-report.js';
import { reportTicketRows } from '../../services/reports/list-report-tickets.js';
import { listBulkAssignees } from '../../services/tickets/list-assignees.js';
import { listFilterTeams } from '../../services/tickets/list-filter-teams.js';
import type { WebSessionView } from '../../services/auth/web-sessions.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import { reportTableOf, sendReportTable, streamReportTickets } from '../report-csv.js';
import { issueText, queryText, validationIssues } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n, type PageI18n } from './page-i18n.js';
import { exportLinks, reportView } from './report-view.js';
import { assetUrl } from './static-assets.js';

/** The filter form as sent: each field's text, the inboxes ticked. */
interface FormValues {
  from: string;
  to: string;
  inbox: string[];
  team: string;
  level: string;
  agent: string;
  category: string;
  priority: string;
  tag: string;
}

const text = (v: unknown) => queryText(v)?.trim() ?? '';
const list = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');

/** The form's values as the reader sent them (shown again when they are wrong). */
function sentValues(query: Record<string, unknown>): FormValues {
  return { from: text(query.from), to: text(query.to), inbox: list(query.inbox), team: text(query.team), level: text(query.level), agent: text(query.agent), category: text(query.category), priority: text(query.priority), tag: text(query.tag) };
}

/** The form's values of a filter: the period as the days it covers in the reader's zone (`to` the last day, included). */
function filterValues(filter: ReportFilter): FormValues {
  const day = (d: Date) => DateTime.fromJSDate(d, { zone: filter.timeZone }).toISODate() ?? '';
  return {
    from: day(filter.from), to: day(new Date(filter.to.getTime() - 1)), inbox: filter.inboxIds, team: filter.teamId ?? '', level: filter.level ?? '',
    agent: filter.agentId ?? '', category: filter.categoryId ?? '', priority: filter.priority ?? '', tag: filter.tag ?? '',
  };
}

/** The CSV format of this reader: their language's separator, their time zone. */
function csvFormatOf(i18n: PageI18n): CsvFormat {
  return { separator: csvSeparatorFor(i18n.tr.locale), timeZone: i18n.formats.timeZone };
}

/** The select options of the form (what the reader may see), the current values chosen. */
async function formOptions(ctx: PageContext, session: WebSessionView, values: FormValues, i18n: PageI18n) {
  const { t } = i18n.tr;
  const actor = session.actor;
  const [inboxes, teams, categories] = await Promise.all([listInboxes(ctx.stores, actor), listFilterTeams(ctx.stores, actor, { include: values.team }), listCategories(ctx.stores, actor)]);
  const agents = await listBulkAssignees(ctx.stores, inboxes.map((i) => i.id));
  const option = (value: string, label: string, current: string) => ({ value, label, selected: value === current });
  return {
    inboxOptions: inboxes.map((i) => ({ value: i.id, label: i.name, checked: values.inbox.includes(i.id) })),
    teamOptions: teams.map((team) => option(team.id, `${team.name} (${t('common:level', { level: team.level })})`, values.team)),
    levelOptions: TEAM_LEVELS.map((l) => option(l, t('common:level', { level: l }), values.level)),
    agentOptions: agents.map((a) => option(a.id, a.label, values.agent)),
    categoryOptions: categories.filter((c) => !c.archived || c.id === values.category).map((c) => option(c.id, c.name, values.category)),
    priorityOptions: TICKET_PRIORITIES.map((p) => option(p, t(`common:priority.${p}`), values.priority)),
  };
}

/**
 * `/reports`: the figures a manager steers by over a period (volume, first response and resolution,
 * SLA attainment and breaches, backlog by age, satisfaction, per agent), filtered by a GET form that
 * needs no script; each table has its chart (assets/report-charts.js draws it from the table) and its
 * CSV file (`/reports/export/<table>.csv` with the same filter; `tickets.csv`: the tickets behind
 * them, streamed). Admins and managers: buildReport refuses agents (403), and names of inboxes a
 * manager cannot see (404).
 */
export function reportPages(ctx: PageContext): Router {
  const router = Router();
  const deps = { ...ctx.stores, now: ctx.now };

  router.get('/reports', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const page = { title: t('tickets:reports.title'), session, nav: 'reports' };
    let filter: ReportFilter;
    try {
      filter = parseReportFilter(req.query, { timeZone: i18n.formats.timeZone, now: ctx.now() });
    } catch (err) {
      const issues = validationIssues(err, i18n.tr);
      if (!issues) throw err;
      // An agent is refused before being shown the form (the use case would refuse the report anyway).
      if (session.actor.role === 'agent') {
        await buildReport(deps, session.actor, parseReportFilter({}, { timeZone: 'UTC', now: ctx.now() }), ctx.now());
        throw err;
      }
      const values = sentValues(req.query);
      res.status(400).type('html').send(
        ctx.views.render('reports', { ...page, form: values, ...(await formOptions(ctx, session, values, i18n)), problems: issues.map((i) => `${i.path}: ${issueText(i, i18n.tr)}`) }, i18n),
      );
      return;
    }
    const report = await buildReport(deps, session.actor, filter, ctx.now());
    const values = filterValues(filter);
    const query = reportQuery(filter);
    res.type('html').send(
      ctx.views.render(
        'reports',
        {
          ...page,
          form: values,
          ...(await formOptions(ctx, session, values, i18n)),
          period: { from: filter.from, to: new Date(filter.to.getTime() - 1) },
          exports: exportLinks(query),
          chartsUrl: assetUrl('report-charts.js'),
          ...reportView(report, i18n.tr),
        },
        i18n,
      ),
    );
  });

  router.get('/reports/export/:table.csv', requireLogin, async (req, res: Response) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const table = reportTableOf(req.params.table);
    const filter = parseReportFilter(req.query, { timeZone: i18n.formats.timeZone, now: ctx.now() });
    const format = csvFormatOf(i18n);
    if (table === 'tickets') await streamReportTickets(res, reportTicketRows(deps, session.actor, filter), filter, format);
    else sendReportTable(res, await buildReport(deps, session.actor, filter, ctx.now()), table, format);
  });

  return router;
}
