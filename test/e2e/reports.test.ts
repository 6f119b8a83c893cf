import type { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/store/passwords.js';
import { describeOverflow, horizontalOverflow, PHONE, signIn, watchCsp, watchPageProblems } from './browser-harness.js';
import { sendingInboxWithAgent, startBrowserDesk, type BrowserDesk } from './browser-desk.js';

// Issue 20: the reports page in a real browser. The charts are drawn by the bundled Chart.js
// (assets/report-charts.js) from the tables under the page CSP (script-src 'self'; style-src 'self'):
// every chart renders (pixels drawn), no CSP violation, each chart's numbers are its table's, on a
// desktop and at 390 px without sideways scrolling.
let desk: BrowserDesk;
let browser: Browser;
let base: string;
const MANAGER = { email: 'mara@reports.example.test', name: 'Mara Manager', password: 'mara password 123' };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  desk = await startBrowserDesk('reports', ['web']);
  ({ browser, base } = desk);
  const inbox: Types.ObjectId = await sendingInboxWithAgent(desk, { address: 'help@reports.example.test' }, { email: 'gina@reports.example.test', name: 'Gina Agent', password: 'gina password 123' });
  const { models } = desk.app;
  await models.User.create({ email: MANAGER.email, name: MANAGER.name, role: 'manager', inboxIds: [inbox], passwordHash: await hashPassword(MANAGER.password) });
  const gina = (await models.User.findOne({ email: 'gina@reports.example.test' }).lean())!._id;
  // A few days of work in the default period (the last 30 days), relative to now so the test passes on any date.
  const now = Date.now();
  const at = (ago: number) => new Date(now - ago);
  const base0 = { inboxId: inbox, requester: { email: 'c@customer.test' }, assigneeId: gina };
  const tickets = await models.Ticket.create([
    { ...base0, number: 1, subject: 'Invoice missing', status: 'solved', createdAt: at(6 * DAY),
      metrics: { firstResponseAt: at(6 * DAY - HOUR), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600, lastSolvedAt: at(5 * DAY), resolutionSeconds: 86_400, resolutionBusinessSeconds: 28_800, reopenCount: 0, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } },
    { ...base0, number: 2, subject: 'Printer jammed', status: 'open', priority: 'high', createdAt: at(3 * DAY),
      metrics: { firstResponseAt: at(3 * DAY - 2 * HOUR), firstResponseSeconds: 7200, firstResponseBusinessSeconds: 7200, reopenCount: 0, sla: { firstResponse: 'breached' } } },
    { ...base0, number: 3, subject: 'Password reset', status: 'new', assigneeId: null, createdAt: at(2 * HOUR) },
    { ...base0, number: 4, subject: 'Old request', status: 'pending', createdAt: at(10 * DAY) },
  ]);
  const byGina = { kind: 'user' as const, id: gina };
  await models.TicketEvent.create([
    { ticketId: tickets[0]!._id, type: 'reply_queued' as const, at: at(6 * DAY - HOUR), actor: byGina, data: {} },
    { ticketId: tickets[0]!._id, type: 'status_changed' as const, at: at(5 * DAY), actor: byGina, data: { from: 'open', to: 'solved' } },
    { ticketId: tickets[1]!._id, type: 'reply_queued' as const, at: at(3 * DAY - 2 * HOUR), actor: byGina, data: {} },
  ]);
  await models.SatisfactionRating.create({ ticketId: tickets[0]!._id, inboxId: inbox, teamId: null, assigneeId: gina, email: 'c@customer.test', askedAt: at(5 * DAY), solvedAt: at(5 * DAY), rating: 'good', comment: 'Quick and friendly', ratedAt: at(4 * DAY) });
}, 60_000);
afterAll(async () => desk?.stop());

interface Drawn {
  title: string;
  /** Pixels not left transparent on the canvas. */
  painted: number;
  /** What the chart drew, per series, in the table's unit. */
  drawn: Array<Array<number | null>>;
  /** The table's numbers, per series (its `data-value` cells), and the text of each cell. */
  table: Array<Array<number | null>>;
  texts: string[][];
}

/** Every chart of the page with what it drew and its table's numbers (runs in the page). */
function charts(page: Page): Promise<Drawn[]> {
  return page.evaluate<Drawn[]>(`[...document.querySelectorAll('table[data-chart]')].map((table) => {
    const wrap = table.previousElementSibling;
    const canvas = wrap && wrap.querySelector('canvas');
    let painted = 0;
    if (canvas) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    }
    const series = [...table.querySelectorAll('thead th[data-series]')].map((th) => th.getAttribute('data-series'));
    const rows = [...table.querySelectorAll('tbody tr')];
    const cell = (tr, s) => tr.querySelector('[data-series="' + s + '"]');
    return {
      title: table.getAttribute('data-chart-title'),
      painted,
      drawn: canvas ? JSON.parse(canvas.getAttribute('data-drawn') || '[]') : [],
      table: series.map((s) => rows.map((tr) => { const v = cell(tr, s).getAttribute('data-value'); return v === '' ? null : Number(v); })),
      texts: series.map((s) => rows.map((tr) => cell(tr, s).textContent.trim())),
    };
  })`);
}

async function openReports(page: Page): Promise<void> {
  await page.goto(`${base}/reports`);
  const tables = await page.locator('table[data-chart]').count();
  expect(tables).toBe(6);
  await expect.poll(() => page.locator('.report-chart[data-chart-ready] canvas').count(), { timeout: 10_000 }).toBe(tables);
}

describe('the reports page in a browser', () => {
  it('draws every chart from its table, with no CSP violation', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems = watchPageProblems(page);
    const violations = await watchCsp(page);
    await signIn(page, base, MANAGER.email, MANAGER.password);
    await openReports(page);
    const drawn = await charts(page);
    for (const chart of drawn) {
      expect(chart.painted, `${chart.title}: pixels drawn`).toBeGreaterThan(500);
      expect(chart.drawn, `${chart.title}: the chart's numbers are its table's`).toEqual(chart.table);
    }
    // The counts' tables show their numbers as text too: the chart says the same.
    const byTitle = new Map(drawn.map((c) => [c.title, c]));
    const volume = byTitle.get('Volume')!;
    // All four tickets came in during the last 30 days, one was solved, none reopened.
    expect(volume.drawn.map((s) => s.reduce<number>((a, b) => a + (b ?? 0), 0))).toEqual([4, 1, 0]);
    for (const name of ['SLA attainment', 'Backlog by age', 'Customer satisfaction', 'Per agent']) {
      const c = byTitle.get(name)!;
      expect(c.drawn.map((s) => s.map(String)), name).toEqual(c.texts);
    }
    expect(byTitle.get('Customer satisfaction')!.drawn).toEqual([[1, 0, 0]]);
    expect(byTitle.get('First response and resolution, in hours')!.drawn).toEqual([[3600, 86_400], [7200, 86_400], [3600, 28_800], [7200, 28_800]]);
    expect(await violations()).toEqual([]);
    expect(problems.errors).toEqual([]);
    expect(problems.missing).toEqual([]);
  }, 60_000);

  it('fits a 390 px phone, charts and tables, without sideways scrolling', async () => {
    const page = await (await browser.newContext({ viewport: PHONE })).newPage();
    const violations = await watchCsp(page);
    await signIn(page, base, MANAGER.email, MANAGER.password);
    await openReports(page);
    for (const chart of await charts(page)) expect(chart.painted, chart.title).toBeGreaterThan(200);
    const overflow = await horizontalOverflow(page);
    expect(overflow && describeOverflow('reports', `${base}/reports`, overflow)).toBeNull();
    expect(await violations()).toEqual([]);
  }, 60_000);
});
