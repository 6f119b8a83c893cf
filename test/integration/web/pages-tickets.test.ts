import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slaNextDueAt } from '../../../src/domain/sla-due.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let c: Client;
let agentId: Types.ObjectId;
const inbox = new Types.ObjectId();
const BASE = Date.parse('2026-03-01T12:00:00Z');

const subjects = (html: string) => [...html.matchAll(/<td class="subject"[^>]*><a href="\/tickets\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
const unescapeUrl = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
/** Every subject of a list, following its next-page links. */
async function listAll(url: string): Promise<string[]> {
  const seen: string[] = [];
  for (let next: string | null = url; next; ) {
    const page = await c.get(next);
    expect(page.status).toBe(200);
    seen.push(...subjects(page.text));
    next = nextLink(page.text);
  }
  return seen;
}
const nextLink = (html: string) => /<a rel="next" href="([^"]+)"/.exec(html)?.[1]?.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&') ?? null;

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Gamma help', address: 'gamma@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} });
  await h.models.InboxStatus.create({ _id: inbox, state: 'error', lastError: { code: 'IMAP_AUTH_FAILED', message: 'Authentication failed', at: new Date() } });
  agentId = (await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina' }))._id;
  const past = new Date(Date.now() - 3600_000);
  const future = new Date(Date.now() + 3600_000 * 5);
  // 30 tickets, newest activity = highest number; a few with assignees, statuses and SLA states.
  for (let n = 1; n <= 30; n++) {
    const status = n <= 5 ? 'pending' : n <= 8 ? 'solved' : 'open';
    const sla = n === 29 ? { firstResponseDueAt: past } : n === 28 ? { firstResponseDueAt: future } : n === 27 ? { breachedAt: past } : {};
    await h.models.Ticket.create({
      number: n,
      inboxId: inbox,
      subject: `Question ${n}`,
      requester: { email: `c${n}@customer.test` },
      lastActivityAt: new Date(BASE + n * 60_000),
      status,
      assigneeId: n % 10 === 0 ? agentId : null,
      // With the next due time every SLA write stores (what the Breaching list and count filter on).
      sla: { ...sla, nextDueAt: slaNextDueAt({ status, sla }) },
    });
  }
  c = new Client(h.base);
  await c.login('gina@example.test', 'gina password 123');
});
afterAll(async () => h.close());

describe('inbox overview', () => {
  it('counts unassigned, mine, open, pending and breaching tickets, and shows the poller error', async () => {
    const page = await c.get('/');
    expect(page.status).toBe(200);
    // Each card: its label and its count, both links to the same list.
    const cards = [...page.text.matchAll(/<dt><a href="([^"]+)"[^>]*>([^<]+)<\/a><\/dt><dd><a href="([^"]+)">(\d+)<\/a><\/dd>/g)].map((m) => ({
      url: unescapeUrl(m[1]!), label: m[2], countUrl: unescapeUrl(m[3]!), count: Number(m[4]),
    }));
    // active = 30 - 3 solved = 27; mine = 10, 20, 30; open = 22 (9..30); pending = 5; breaching = 27 and 29.
    expect(cards.map((card) => [card.label, card.count])).toEqual([['Unassigned', 24], ['Mine', 3], ['Open', 22], ['Pending', 5], ['Breaching', 2]]);
    const id = inbox.toHexString();
    expect(cards.map((card) => card.url)).toEqual([
      `/tickets?inbox=${id}&assignee=unassigned&status=active`,
      `/tickets?inbox=${id}&assignee=me&status=active`,
      `/tickets?inbox=${id}&status=new%2Copen`,
      `/tickets?inbox=${id}&status=pending`,
      `/tickets?inbox=${id}&due=breached`,
    ]);
    // Every count is exactly the list it links to (walking its pages).
    for (const card of cards) {
      expect(card.countUrl).toBe(card.url);
      expect(await listAll(card.url), card.label).toHaveLength(card.count);
    }
    // An agent gets the error in words: the stored message is for admins (it names the host and user).
    expect(page.text).toContain('IMAP_AUTH_FAILED: the server rejected the user name or password');
    expect(page.text).toContain('<strong>error</strong>');
  });
});

describe('ticket list', () => {
  it('pages newest activity first through every ticket exactly once', async () => {
    const seen: string[] = [];
    let url: string | null = `/tickets?inbox=${inbox.toHexString()}`;
    let pages = 0;
    while (url && pages < 5) {
      const page = await c.get(url);
      expect(page.status).toBe(200);
      seen.push(...subjects(page.text));
      url = nextLink(page.text);
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `Question ${30 - i}`));
  });

  it('filters by status and by assignee, keeping the filters on the next page link', async () => {
    expect(subjects((await c.get('/tickets?status=pending')).text)).toEqual(['Question 5', 'Question 4', 'Question 3', 'Question 2', 'Question 1']);
    expect(subjects((await c.get('/tickets?assignee=me')).text)).toEqual(['Question 30', 'Question 20', 'Question 10']);
    const unassigned = await c.get('/tickets?assignee=unassigned&status=open');
    // open = 9..30 (22 tickets), less the three assigned to Gina.
    expect(subjects(unassigned.text)).toHaveLength(19);
    expect(subjects(unassigned.text)).not.toContain('Question 30');
    expect(nextLink(unassigned.text)).toBeNull();
    const first = await c.get('/tickets?assignee=unassigned');
    const next = nextLink(first.text)!;
    expect(next).toMatch(/assignee=unassigned&cursor=/);
    const rest = subjects((await c.get(next)).text);
    expect(rest).toEqual(expect.arrayContaining(['Question 1']));
    expect(rest).not.toContain('Question 20');
  });

  it('shows SLA badges: breached for a recorded breach or a past due time, due for a future one', async () => {
    const html = (await c.get('/tickets?status=open')).text;
    const row = (n: number) => new RegExp(`>Question ${n}</a>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    expect(row(29)).toContain('SLA breached');
    expect(row(27)).toContain('SLA breached');
    expect(row(28)).toMatch(/due in [45] h/);
    expect(row(26)).not.toContain('badge sla-');
  });

  it('answers a malformed cursor or an unknown status with an error page, not a crash', async () => {
    const bad = await c.get('/tickets?cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await c.get('/tickets?status=lost')).status).toBe(400);
  });

  it('escapes ticket text in pages', async () => {
    const t = await h.models.Ticket.create({ number: 99, inboxId: inbox, subject: '<script>alert(1)</script>', requester: { email: 'x@customer.test', name: '"><img src=x>' } });
    const list = await c.get('/tickets');
    expect(list.text).not.toContain('<script>alert(1)</script>');
    expect(list.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const view = await c.get(`/tickets/${t._id.toHexString()}`);
    expect(view.text).not.toContain('"><img src=x>');
    await h.models.Ticket.deleteOne({ _id: t._id });
  });

  it('sends back to the login only to local paths after login (no open redirect)', async () => {
    const fresh = new Client(h.base);
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const form = await fresh.get(`/login?next=${encodeURIComponent(next)}`);
      const res = await fresh.post('/login', { _csrf: Client.csrf(form.text), email: 'gina@example.test', password: 'gina password 123', next });
      expect(res.headers.get('location')).toBe('/');
      fresh.cookies.clear();
    }
    const form = await fresh.get('/login?next=%2Ftickets%3Fstatus%3Dopen');
    const res = await fresh.post('/login', { _csrf: Client.csrf(form.text), email: 'gina@example.test', password: 'gina password 123', next: '/tickets?status=open' });
    expect(res.headers.get('location')).toBe('/tickets?status=open');
  });
});
