import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { FORMULA_SUBJECT, REPORT_NOW, REPORT_PERIOD, seedReports } from './reports-fixture.js';

// Issue 20: the reports' JSON API (`/api/v1/reports…`): the report, its ticket rows, its CSV files.
let h: ApiHarness;
const tokens: Record<string, string> = {};
const helpdesk = new Types.ObjectId();
const other = new Types.ObjectId();
let t: Awaited<ReturnType<typeof seedReports>>;
const period = new URLSearchParams(REPORT_PERIOD).toString();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

const get = (who: string, path: string, headers: Record<string, string> = {}) => call(h.base, 'GET', path, { token: tokens[who], headers });

/** The documented schema of a component, as zod (components become `$defs`). */
function documented(name: string) {
  const asDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
  return z.fromJSONSchema({ ...asDefs(doc.components.schemas[name]), $defs: asDefs(doc.components.schemas) });
}

beforeAll(async () => {
  h = await startApi('api_reports');
  const account = { imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } };
  await h.models.Inbox.create([{ _id: helpdesk, name: 'Helpdesk', address: 'help@example.com', ...account }, { _id: other, name: 'Other', address: 'other@example.com', ...account }]);
  await createUser(h.models, { email: 'ada@example.com', password: 'ada password 123', role: 'admin' });
  const max = await createUser(h.models, { email: 'max@example.com', password: 'max password 123', role: 'manager', inboxIds: [helpdesk] });
  const gina = await createUser(h.models, { email: 'gina@example.com', password: 'gina password 123', inboxIds: [helpdesk], name: 'Gina' });
  await h.models.User.updateOne({ _id: max._id }, { $set: { timeZone: 'Europe/Paris' } });
  for (const who of ['ada', 'max', 'gina']) tokens[who] = await login(h.base, `${who}@example.com`, `${who} password 123`);
  t = await seedReports(h.models, { helpdesk, other }, gina._id);
  doc = (await call(h.base, 'GET', '/openapi.json')).body;
  h.setNow(REPORT_NOW);
});
afterAll(() => h.close());

describe('GET /api/v1/reports', () => {
  it('answers the report as documented, over the caller’s inboxes and in their time zone', async () => {
    const res = await get('ada', `/reports?${period}`);
    expect(res.status).toBe(200);
    expect(documented('Report').safeParse(res.body).error?.issues ?? []).toEqual([]);
    expect(res.body.filter).toMatchObject({ from: '2026-05-01T00:00:00.000Z', to: '2026-05-15T00:00:00.000Z', timeZone: 'UTC', inboxIds: [] });
    expect(res.body.totals).toMatchObject({ new: 4, solved: 1, reopened: 0 });
    expect(res.body.firstResponse).toEqual({ count: 2, median: 3600, p90: 7200, businessMedian: 3600, businessP90: 7200 });
    expect(res.body.satisfaction.comments).toEqual([expect.objectContaining({ ticketId: t.t1, ticketNumber: 1, rating: 'good' })]);

    // Max reads in Paris: days are Paris days (UTC+2 in May), and he sees his inbox only.
    const max = await get('max', `/reports?${period}`);
    expect(max.status).toBe(200);
    expect(max.body.filter).toMatchObject({ from: '2026-04-30T22:00:00.000Z', to: '2026-05-14T22:00:00.000Z', timeZone: 'Europe/Paris' });
    expect(max.body.totals.new).toBe(3);
  });

  it('refuses agents (403), an inbox the manager cannot see (404) and a bad filter (400 naming it)', async () => {
    expect((await get('gina', `/reports?${period}`)).status).toBe(403);
    expect((await get('gina', `/reports/tickets?${period}`)).status).toBe(403);
    expect((await get('gina', `/reports/export/agents.csv?${period}`)).status).toBe(403);
    expect((await get('max', `/reports?${period}&inbox=${other.toHexString()}`)).status).toBe(404);
    const bad = await get('max', '/reports?from=2020-01-01&to=2026-01-01&level=L9');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['level', 'to']);
    expect((await get('max', `/reports/export/nonsense.csv?${period}`)).status).toBe(404);
    expect((await call(h.base, 'GET', `/reports?${period}`)).status).toBe(401);
  });
});

describe('GET /api/v1/reports/tickets', () => {
  it('pages the ticket rows by number with a cursor', async () => {
    const first = await get('ada', `/reports/tickets?${period}&limit=2`);
    expect(first.status).toBe(200);
    expect(documented('ReportTicketPage').safeParse(first.body).error?.issues ?? []).toEqual([]);
    expect(first.body.rows.map((r: { number: number }) => r.number)).toEqual([1, 2]);
    expect(first.body.rows[0]).toMatchObject({ id: t.t1, subject: FORMULA_SUBJECT, inbox: 'Helpdesk', assignee: 'Gina', firstResponseSeconds: 3600, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' }, satisfaction: 'good' });
    const second = await get('ada', `/reports/tickets?${period}&limit=2&after=${encodeURIComponent(first.body.next)}`);
    expect(second.body.rows.map((r: { number: number }) => r.number)).toEqual([3, 4]);
    expect(second.body.next).toBeNull();
    expect((await get('ada', `/reports/tickets?${period}&after=nonsense!`)).status).toBe(400);
  });
});

describe('GET /api/v1/reports/export/{table}.csv', () => {
  it('sends CSV in the caller’s language: commas in English, semicolons in French, the formula guard on text', async () => {
    const en = await fetch(`${h.base}/reports/export/tickets.csv?${period}`, { headers: { authorization: `Bearer ${tokens.ada}` } });
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await en.arrayBuffer());
    expect(body.startsWith('\uFEFFnumber,id,subject,')).toBe(true);
    expect(body).toContain(`1,${t.t1},"'=HYPERLINK(""http://evil.test"",""click"")",Helpdesk,`);

    const fr = await get('ada', `/reports/export/agents.csv?${period}`, { 'accept-language': 'fr' });
    expect(fr.status).toBe(200);
    const [header, gina] = fr.text.split('\r\n');
    expect(header!.split(';').slice(0, 4)).toEqual(['agentId', 'name', 'solved', 'replies']);
    expect(gina!.split(';').slice(1, 4)).toEqual(['Gina', '1', '2']);
  });
});
