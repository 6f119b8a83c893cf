import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';
import { FORMULA_SUBJECT, QUOTED_SUBJECT, REPORT_NOW, REPORT_PERIOD, seedReports } from './reports-fixture.js';

// Issue 20: the reports page (/reports) and its CSV files, through the real pages on a real database.
let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;
let gina: string;
/** Max again, in a browser asking for French. */
let french: Client;
const fr = { 'accept-language': 'fr-FR,fr;q=0.9' };
let t: Awaited<ReturnType<typeof seedReports>>;
const helpdesk = new Types.ObjectId();
const other = new Types.ObjectId();
const period = new URLSearchParams(REPORT_PERIOD).toString();

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The HTML of the section titled by this heading id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`aria-labelledby="${id}"`);
  expect(start, id).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** A charted table's rows: label → { series: raw number }. */
function charted(html: string): Map<string, Record<string, number | null>> {
  const rows = new Map<string, Record<string, number | null>>();
  for (const [, label, inner] of html.matchAll(/<tr data-chart-label="([^"]*)">([\s\S]*?)<\/tr>/g)) {
    const cells: Record<string, number | null> = {};
    for (const [, series, value] of inner!.matchAll(/data-series="(\w+)" data-value="([^"]*)"/g)) cells[series!] = value === '' ? null : Number(value);
    rows.set(decode(label!), cells);
  }
  return rows;
}

/** A CSV download's bytes as text, the byte order mark kept (fetch's text() would drop it). */
async function download(client: Client, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.base}${path}`, { headers: { ...headers, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()) };
}

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } };
  await h.models.Inbox.create([{ _id: helpdesk, name: 'Helpdesk', address: 'help@example.test', ...account }, { _id: other, name: 'Other', address: 'other@example.test', ...account }]);
  const signed = await signInEveryRole(h, helpdesk);
  ({ admin, manager, agent } = signed);
  gina = signed.agentId;
  french = new Client(h.base, undefined, fr);
  await french.login('max@example.test', 'max password 123');
  t = await seedReports(h.models, { helpdesk, other }, new Types.ObjectId(gina));
  // Signed in first: the sessions are made at the real time.
  h.setNow(REPORT_NOW);
});
afterAll(async () => h.close());

describe('/reports access', () => {
  it('is linked in the menu for managers and admins, not for agents, who get 403', async () => {
    const page = await manager.get(`/reports?${period}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Reports</h1>');
    expect(page.text).toMatch(/<a href="\/reports" aria-current="page">Reports<\/a>/);
    expect((await admin.get('/reports')).status).toBe(200);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('href="/reports"');
    expect((await agent.get('/reports')).status).toBe(403);
    expect((await agent.get('/reports?priority=nonsense')).status).toBe(403);
    expect((await download(agent, `/reports/export/volume.csv?${period}`)).status).toBe(403);
    expect((await download(agent, `/reports/export/tickets.csv?${period}`)).status).toBe(403);
    expect((await new Client(h.base).get('/reports')).status).toBe(303);
  });

  it('refuses a manager an inbox that is not theirs (404), and lets an admin pick it', async () => {
    expect((await manager.get(`/reports?${period}&inbox=${other.toHexString()}`)).status).toBe(404);
    expect((await download(manager, `/reports/export/tickets.csv?${period}&inbox=${other.toHexString()}`)).status).toBe(404);
    const page = await admin.get(`/reports?${period}&inbox=${other.toHexString()}`);
    expect(page.status).toBe(200);
    expect(charted(section(page.text, 'report-volume')).get('May 4')).toEqual({ new: 1, solved: 0, reopened: 0 });
  });
});

describe('/reports figures', () => {
  it('shows each table with its raw numbers and readable durations, over the manager’s inboxes only', async () => {
    const page = await manager.get(`/reports?${period}`);
    const volume = charted(section(page.text, 'report-volume'));
    expect([...volume.keys()]).toHaveLength(14);
    expect(volume.get('May 2')).toEqual({ new: 1, solved: 0, reopened: 0 });
    expect(volume.get('May 3')).toEqual({ new: 0, solved: 1, reopened: 0 });
    expect(volume.get('May 4')).toEqual({ new: 0, solved: 0, reopened: 0 }); // #3 is in the other inbox
    expect(volume.get('May 12')).toEqual({ new: 1, solved: 0, reopened: 0 });

    const durations = section(page.text, 'report-durations');
    expect(charted(durations).get('First response')).toEqual({ median: 3600, p90: 7200, businessMedian: 3600, businessP90: 7200 });
    expect(charted(durations).get('Resolution')).toEqual({ median: 86_400, p90: 86_400, businessMedian: 28_800, businessP90: 28_800 });
    expect(durations).toContain('>1 h<');
    expect(durations).toContain('>1 d<');
    expect(durations).toContain('>8 h<');

    const sla = section(page.text, 'report-sla');
    expect(charted(sla).get('First response')).toEqual({ met: 1, breached: 1 });
    expect(charted(sla).get('Resolution')).toEqual({ met: 1, breached: 0 });
    expect(sla).toContain('>50%<');
    expect(sla).toContain('SLA breaches recorded in the period: 1');

    expect(charted(section(page.text, 'report-backlog')).get('7 to 30 days')).toEqual({ count: 2 });
    expect(charted(section(page.text, 'report-satisfaction'))).toEqual(new Map([['Good', { count: 1 }], ['Okay', { count: 0 }], ['Bad', { count: 0 }]]));
    // A comment links to its ticket by id.
    const comments = section(page.text, 'report-satisfaction');
    expect(comments).toContain(`<a href="/tickets/${t.t1}">#1 ${FORMULA_SUBJECT.replace(/"/g, '&quot;').replace(/=/g, '&#x3D;')}</a>`);
    expect(comments).toContain('@admin: très bien, merci');

    const agents = section(page.text, 'report-agents');
    expect(charted(agents).get('Gina')).toEqual({ solved: 1, replies: 2 });
  });

  it('links each table’s CSV with the same filter, and loads the chart script by its hash', async () => {
    const page = await manager.get(`/reports?${period}&priority=high&tag=printer`);
    expect(page.status).toBe(200);
    const links = [...page.text.matchAll(/href="(\/reports\/export\/(\w+)\.csv\?[^"]+)" download/g)].map((m) => [m[2], decode(m[1]!)] as const);
    // Every table's (no comment matches this filter, so no comments table).
    expect(links.map(([table]) => table).sort()).toEqual(['agents', 'backlog', 'durations', 'satisfaction', 'sla', 'tickets', 'volume']);
    for (const [, href] of links) {
      const q = new URL(href, 'http://x').searchParams;
      expect(q.get('from')).toBe('2026-05-01T00:00:00.000Z');
      expect(q.get('to')).toBe('2026-05-15T00:00:00.000Z');
      expect(q.get('priority')).toBe('high');
      expect(q.get('tag')).toBe('printer');
    }
    expect(decode(page.text)).toMatch(/<script src="\/static\/assets\/report-charts\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    // Only #2 is high priority with that tag: one new ticket, no solve.
    expect(charted(section(page.text, 'report-volume')).get('May 5')).toEqual({ new: 1, solved: 0, reopened: 0 });
    expect(charted(section(page.text, 'report-volume')).get('May 2')).toEqual({ new: 0, solved: 0, reopened: 0 });
  });

  it('filters by agent, and keeps the chosen values in the form', async () => {
    const page = await manager.get(`/reports?${period}&agent=${gina}&level=L2`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(new RegExp(`<option value="${gina}" selected>Gina</option>`));
    expect(page.text).toContain('<option value="L2" selected>');
    expect(page.text).toContain('name="from" value="2026-05-01"');
    expect(page.text).toContain('name="to" value="2026-05-14"');
    // No ticket has a level-2 team: nothing counted.
    expect([...charted(section(page.text, 'report-volume')).values()].every((r) => r.new === 0)).toBe(true);
  });

  it('groups a period longer than 62 days by week, from Monday', async () => {
    const weeks = charted(section((await manager.get('/reports?from=2026-03-01&to=2026-05-14')).text, 'report-volume'));
    expect([...weeks.keys()].slice(0, 2)).toEqual(['Week of Feb 23', 'Week of Mar 2']);
    expect(weeks.get('Week of Apr 27')).toEqual({ new: 1, solved: 1, reopened: 0 });
    expect(weeks.get('Week of May 11')).toEqual({ new: 1, solved: 0, reopened: 0 });
    expect(weeks.size).toBe(12);
  });
});

describe('/reports without JavaScript and on a phone', () => {
  it('is a GET form with every filter, scripts only from files, and every cell labelled for the card layout', async () => {
    const page = await manager.get(`/reports?${period}`);
    const form = /<form class="filters report-filters" method="get" action="\/reports">([\s\S]*?)<\/form>/.exec(page.text)?.[1];
    expect(form).toBeDefined();
    for (const name of ['from', 'to', 'inbox', 'team', 'level', 'agent', 'category', 'priority', 'tag']) expect(form, name).toMatch(new RegExp(`name="${name}"`));
    expect(form).toContain(`<input type="checkbox" name="inbox" value="${helpdesk.toHexString()}"`);
    expect(form).not.toContain(other.toHexString());
    expect(form).toMatch(/<button type="submit">Show report<\/button>/);
    // CSP: no inline script or style anywhere.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text).not.toMatch(/\son[a-z]+=/);
    // Each data cell of each table has its column's name, so on a phone the rows become labelled cards.
    for (const [, table] of page.text.matchAll(/<table class="tickets report-[^"]*"[^>]*>([\s\S]*?)<\/table>/g)) {
      for (const [, td] of table!.matchAll(/<td([^>]*)>/g)) expect(td, td).toMatch(/data-label="/);
    }
  });

  it('shows what is wrong with a filter, in the form as sent (400)', async () => {
    const page = await manager.get('/reports?from=2026-05-10&to=2026-05-01&priority=nonsense&tag=x');
    expect(page.status).toBe(400);
    expect(page.text).toContain('role="alert"');
    expect(page.text).toMatch(/<li>priority: [^<]+<\/li>/);
    expect(page.text).toMatch(/<li>from: [^<]+<\/li>/);
    expect(page.text).toContain('name="from" value="2026-05-10"');
    expect(page.text).toContain('name="tag" value="x"');
    expect(page.text).not.toContain('report-charts.js');
  });
});

describe('/reports/export/<table>.csv', () => {
  it('sends a table as CSV: byte order mark, CRLF, commas for an English reader, raw numbers, ISO moments', async () => {
    const res = await download(manager, `/reports/export/volume.csv?${period}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report-volume-2026-05-01-2026-05-14.csv"');
    expect(res.body.startsWith('\uFEFFstart,new,solved,reopened\r\n')).toBe(true);
    const lines = res.body.slice(1).split('\r\n');
    expect(lines).toHaveLength(16); // header, 14 days, the empty string after the last CRLF
    expect(lines[2]).toBe('2026-05-02T00:00:00Z,1,0,0');
    const durations = await download(manager, `/reports/export/durations.csv?${period}`);
    expect(durations.body.slice(1).split('\r\n').slice(0, 3)).toEqual(['metric,count,medianSeconds,p90Seconds,businessMedianSeconds,businessP90Seconds', 'firstResponse,2,3600,7200,3600,7200', 'resolution,1,86400,86400,28800,28800']);
    expect((await download(manager, `/reports/export/nonsense.csv?${period}`)).status).toBe(404);
    expect((await download(manager, '/reports/export/volume.csv?priority=nonsense')).status).toBe(400);
  });

  it('streams the ticket rows, keeping a formula-like subject as text and quoting separators', async () => {
    const res = await download(manager, `/reports/export/tickets.csv?${period}`);
    expect(res.status).toBe(200);
    const lines = res.body.slice(1).split('\r\n');
    expect(lines[0]!.startsWith('number,id,subject,inbox,team,level,assignee,category,priority,status,tags,createdAt,')).toBe(true);
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(['1', '2', '4']);
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil.test"",""click"")",Helpdesk,`);
    expect(lines[2]).toContain(`,"${QUOTED_SUBJECT.replace(/"/g, '""')}",`);
    expect(lines[1]).toContain(',2026-05-02T08:00:00Z,2026-05-02T09:00:00Z,3600,3600,2026-05-03T08:00:00Z,86400,28800,0,met,,met,good');
  });

  it('uses semicolons for a French reader, and writes the comments with the formula guard', async () => {
    const page = await french.get(`/reports?${period}`);
    expect(page.text).toContain('<h1>Rapports</h1>');
    expect(page.text).toContain('>Télécharger en CSV<');
    const res = await download(french, `/reports/export/comments.csv?${period}`, fr);
    expect(res.status).toBe(200);
    const lines = res.body.slice(1).split('\r\n');
    expect(lines[0]).toBe('ticketNumber;ticketId;subject;rating;comment;ratedAt');
    expect(lines[1]).toBe(`1;${t.t1};'=HYPERLINK("http://evil.test","click");good;'@admin: très bien, merci;2026-05-04T10:00:00Z`.replace(/'=HYPERLINK\("http:\/\/evil.test","click"\)/, `"'=HYPERLINK(""http://evil.test"",""click"")"`));
    const sla = await download(french, `/reports/export/sla.csv?${period}`, fr);
    expect(sla.body.slice(1).split('\r\n').slice(0, 2)).toEqual(['target;met;breached;attainment', 'firstResponse;1;1;0.5']);
  });
});
