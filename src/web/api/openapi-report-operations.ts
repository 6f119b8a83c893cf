import { BACKLOG_AGE_BUCKETS, REPORT_SLA_TARGETS, REPORT_TABLES } from '../../domain/report.js';
import { SATISFACTION_RATINGS } from '../../domain/satisfaction.js';
import { TEAM_LEVELS } from '../../domain/teams.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import { arrayOf, dateTime, enumOf, integer, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

const number: JsonSchema = { type: 'number' };
const seconds = (what: string): JsonSchema => ({ ...nullable(integer), description: `${what}, in whole seconds; null without tickets.` });
const attainment = nullable(enumOf(['met', 'breached']));

/** The reports' answers (src/domain/report.ts). */
export const REPORT_SCHEMAS: Record<string, JsonSchema> = {
  ReportFilter: object({
    from: { ...dateTime, description: 'Start of the period (included).' },
    to: { ...dateTime, description: 'End of the period (excluded).' },
    timeZone: { ...string, description: 'The IANA zone days and volume buckets are read in: the caller’s (their account’s, else UTC).' },
    inboxIds: { ...arrayOf(objectId), description: 'Empty: every inbox the caller sees.' },
    teamId: nullable(objectId),
    level: nullable(enumOf(TEAM_LEVELS)),
    agentId: nullable(objectId),
    categoryId: nullable(objectId),
    priority: nullable(enumOf(TICKET_PRIORITIES)),
    tag: nullable(string),
  }),
  DurationStats: object({
    count: { ...integer, description: 'How many tickets the figures are taken over.' },
    median: seconds('Median (nearest rank), calendar time'),
    p90: seconds('90th percentile (nearest rank), calendar time'),
    businessMedian: seconds('Median in the business hours of the ticket’s SLA calendar'),
    businessP90: seconds('90th percentile in business hours'),
  }),
  Report: object({
    filter: ref('ReportFilter'),
    granularity: { ...enumOf(['day', 'week', 'month']), description: 'How `volume` is cut: by day up to 62 days, by week (from Monday) up to 366, else by month.' },
    generatedAt: { ...dateTime, description: 'The moment backlog ages are measured at.' },
    totals: object({
      new: integer,
      solved: integer,
      reopened: integer,
      reopenRate: { ...nullable(number), description: 'Of the tickets solved in the period, the share ever reopened (0 to 1); null for none.' },
    }),
    volume: { ...arrayOf(object({ start: { ...dateTime, description: 'The bucket’s first instant in the filter’s zone.' }, new: integer, solved: integer, reopened: integer })), description: 'New tickets (by creation), solves and reopens (trail events) per bucket.' },
    firstResponse: { ...ref('DurationStats'), description: 'Tickets first answered by an agent in the period.' },
    resolution: { ...ref('DurationStats'), description: 'Tickets last solved in the period.' },
    sla: arrayOf(object({ target: enumOf(REPORT_SLA_TARGETS), met: integer, breached: integer, attainment: { ...nullable(number), description: 'met ÷ (met + breached), 0 to 1; null when none was judged.' } })),
    breaches: { ...integer, description: 'SLA breaches recorded in the period.' },
    backlog: { ...arrayOf(object({ bucket: enumOf(BACKLOG_AGE_BUCKETS.map((b) => b.key)), count: integer })), description: 'Active tickets now, by age since creation (the period does not apply).' },
    backlogTotal: integer,
    satisfaction: object({
      good: integer, okay: integer, bad: integer, total: integer,
      score: { ...nullable(number), description: 'Share of good ratings, 0 to 100 (one decimal); null without ratings.' },
      comments: { ...arrayOf(object({ ticketId: objectId, ticketNumber: integer, subject: string, rating: enumOf(SATISFACTION_RATINGS), comment: string, ratedAt: dateTime })), description: 'At most 50, newest first.' },
    }),
    agents: {
      ...arrayOf(object({
        agentId: { ...nullable(objectId), description: 'null: the unassigned tickets.' },
        name: string,
        solved: integer,
        replies: integer,
        firstResponse: ref('DurationStats'),
        resolution: ref('DurationStats'),
        satisfaction: object({ good: integer, okay: integer, bad: integer, score: nullable(number) }),
        backlog: { ...integer, description: 'Their active tickets now.' },
      })),
      description: 'One row per assignee with anything in the period, by solves and replies.',
    },
  }),
  ReportTicketRow: object({
    id: objectId, number: integer, subject: string, inbox: string, team: nullable(string), level: nullable(enumOf(TEAM_LEVELS)),
    assignee: nullable(string), category: nullable(string), priority: enumOf(TICKET_PRIORITIES), status: enumOf(TICKET_STATUSES), tags: arrayOf(string),
    createdAt: dateTime, firstResponseAt: nullable(dateTime), firstResponseSeconds: nullable(integer), firstResponseBusinessSeconds: nullable(integer),
    lastSolvedAt: nullable(dateTime), resolutionSeconds: nullable(integer), resolutionBusinessSeconds: nullable(integer), reopenCount: integer,
    sla: object(Object.fromEntries(REPORT_SLA_TARGETS.map((t) => [t, attainment]))),
    satisfaction: nullable(enumOf(SATISFACTION_RATINGS)),
  }),
  ReportTicketPage: object({
    rows: arrayOf(ref('ReportTicketRow')),
    next: { ...nullable(string), description: 'Pass as `after` for the next page; null on the last.' },
  }),
};

const q = (name: string, description: string, schema: JsonSchema = string) => ({ name, in: 'query', required: false, description, schema });

/** The report's filter parameters, shared by every report route (and the `/reports` page). */
const FILTER_PARAMETERS = [
  q('from', 'Start of the period: an ISO date-time with its zone, or a day `YYYY-MM-DD` (its first instant in the caller’s zone). By default 30 days before `to`.'),
  q('to', 'End of the period (excluded): an ISO date-time, or a day `YYYY-MM-DD` meaning the END of that day. By default the end of today.'),
  { ...q('inbox', 'Only these inboxes (repeatable ids); each must be one the caller sees (404 otherwise).', arrayOf(string)), style: 'form', explode: true },
  q('team', 'Only tickets of this team (an id).'),
  q('level', 'Only tickets whose team is of this level.', enumOf(TEAM_LEVELS)),
  q('agent', 'Only tickets assigned to this user (an id).'),
  q('category', 'Only tickets of this category (an id).'),
  q('priority', 'Only tickets of this priority.', enumOf(TICKET_PRIORITIES)),
  q('tag', 'Only tickets with this tag.'),
];

const ACCESS = 'Admins and managers (403 for agents); a manager sees the tickets of their inboxes. The period is at most 366 days (400 naming the parameter, as for any bad value). Figures follow the metric definitions of the README.';

/** `/reports…`: the reports page's figures, ticket rows and CSV files. */
export function reportOperations(): Record<string, Record<string, Operation>> {
  return {
    '/reports': {
      get: {
        id: 'getReport', tag: 'Reports', summary: 'The report of a period: volume, first response and resolution, SLA, backlog, satisfaction, per agent',
        description: ACCESS, query: FILTER_PARAMETERS, ok: [200, ref('Report')], errors: [400, 403, 404],
      },
    },
    '/reports/tickets': {
      get: {
        id: 'listReportTickets', tag: 'Reports', summary: 'The tickets behind a report, by number, paged',
        description: `Tickets in scope created, first answered or last solved in the period. ${ACCESS}`,
        query: [...FILTER_PARAMETERS, q('after', 'The `next` of the previous page.'), q('limit', 'Page size, 1 to 1000; 100 unless given.', integer)],
        ok: [200, ref('ReportTicketPage')], errors: [400, 403, 404],
      },
    },
    '/reports/export/{table}.csv': {
      get: {
        id: 'exportReportTable', tag: 'Reports', summary: 'One table of a report, or its tickets, as CSV',
        description:
          `\`table\`: ${REPORT_TABLES.map((t) => `\`${t}\``).join(', ')} (\`tickets\`: the rows of \`GET /reports/tickets\`, at most 100,000, streamed). ` +
          'RFC 4180 with a UTF-8 byte order mark and CRLF line ends; the separator is `;` for a French caller (account language, else `Accept-Language`), `,` otherwise. ' +
          'Columns are named like the JSON fields; numbers are unformatted, durations whole seconds, moments ISO 8601 in the caller’s zone with its offset; text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `\'` so spreadsheets do not run it. ' +
          ACCESS,
        query: FILTER_PARAMETERS,
        ok: [200, { type: 'string', contentMediaType: 'text/csv' }, 'The file, with `Content-Disposition: attachment`.'], mediaType: 'text/csv', errors: [400, 403, 404],
      },
    },
  };
}
