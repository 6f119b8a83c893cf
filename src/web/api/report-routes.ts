import { Router, type Request, type Response } from 'express';
import { csvSeparatorFor } from '../../domain/csv.js';
import { parseReportFilter } from '../../domain/report-filter.js';
import type { ReportFilter } from '../../domain/report.js';
import { buildReport, type BuildReportDeps } from '../../services/reports/build-report.js';
import { listReportTickets, reportTicketRows, type ReportTicketsDeps } from '../../services/reports/list-report-tickets.js';
import type { UserStore } from '../../store/user-store.js';
import { apiLocale } from '../errors.js';
import { reportTableOf, sendReportTable, streamReportTickets } from '../report-csv.js';
import { principalOf } from './authenticate.js';

/** What the report routes read: the reports' use cases, and the caller's time zone. */
export type ReportRouteDeps = BuildReportDeps & ReportTicketsDeps & { users: BuildReportDeps['users'] & ReportTicketsDeps['users'] & Pick<UserStore, 'findById'>; now: () => Date };

/** The page size of `GET /reports/tickets` unless `limit` says otherwise. */
const DEFAULT_LIMIT = 100;

/**
 * `GET /reports` (the report as JSON), `GET /reports/tickets` (its ticket rows, paged by `after`) and
 * `GET /reports/export/{table}.csv`, with the page's query parameters. Days (`YYYY-MM-DD`) and the
 * volume buckets are read in the caller's time zone (their account's, else UTC); the CSV separator is
 * their language's. Access is the use cases' (admins and managers; a manager's own inboxes).
 */
export function reportRoutes(deps: ReportRouteDeps): Router {
  const router = Router();

  /** The filter of a request, in the caller's zone. */
  async function filterOf(req: Request, res: Response): Promise<ReportFilter> {
    const { actor } = principalOf(res);
    const user = actor.userId ? await deps.users.findById(actor.userId) : null;
    return parseReportFilter(req.query, { timeZone: user?.timeZone ?? null, now: deps.now() });
  }

  router.get('/reports', async (req, res) => {
    const filter = await filterOf(req, res);
    res.json(await buildReport(deps, principalOf(res).actor, filter, deps.now()));
  });

  router.get('/reports/tickets', async (req, res) => {
    const filter = await filterOf(req, res);
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    const limitText = typeof req.query.limit === 'string' ? req.query.limit : '';
    const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : DEFAULT_LIMIT;
    res.json(await listReportTickets(deps, principalOf(res).actor, filter, { ...(after ? { after } : {}), limit }));
  });

  router.get('/reports/export/:table.csv', async (req, res) => {
    const table = reportTableOf(req.params.table);
    const filter = await filterOf(req, res);
    const format = { separator: csvSeparatorFor(apiLocale(req, res)), timeZone: filter.timeZone };
    const { actor } = principalOf(res);
    if (table === 'tickets') await streamReportTickets(res, reportTicketRows(deps, actor, filter), filter, format);
    else sendReportTable(res, await buildReport(deps, actor, filter, deps.now()), table, format);
  });

  return router;
}
