import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketSearchTerms } from '../../../src/domain/ticket-search.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';
import { clockNearRealTime, minutesFrom } from '../../helpers/clock.js';

let h: Awaited<ReturnType<typeof startPages>>;
let c: Client;
const inbox = new Types.ObjectId();
const hidden = new Types.ObjectId();
// Pinned near real time: sessions expire on the database's own clock (see test/helpers/clock.ts).
const NOW = clockNearRealTime();
const minutes = (m: number) => minutesFrom(NOW, m);

const subjects = (html: string) => [...html.matchAll(/<td class="subject"[^>]*><a href="\/tickets\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
const unescape = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const nextLink = (html: string) => unescape(/<a rel="next" href="([^"]+)"/.exec(html)?.[1] ?? '') || null;
const inputValue = (html: string, name: string) => new RegExp(`<input type="[a-z]+" name="${name}" value="([^"]*)"`).exec(html)?.[1];

beforeAll(async () => {
  h = await startPages(null);
  h.setNow(NOW);
  await h.models.Inbox.create([
    { _id: inbox, name: 'Delta help', address: 'delta@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
    { _id: hidden, name: 'Hidden', address: 'hidden@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
  ]);
  await createUser(h.models, { email: 'dora@example.test', password: 'dora password 123', inboxIds: [inbox], name: 'Dora' });
  // 12 tickets, newest activity = highest number: odd ones tagged vip, every third about an invoice
  // from Alice, numbers 1–4 due within the hour (1 and 2 already breached).
  const docs = [];
  for (let n = 1; n <= 12; n++) {
    const subject = n % 3 === 0 ? `Invoice ${n} missing` : `Question ${n}`;
    const requester = n % 3 === 0 ? { email: 'alice@customer.test', name: 'Alice Smith' } : { email: `c${n}@customer.test`, name: null };
    const firstResponseDueAt = n <= 2 ? minutes(-30) : n <= 4 ? minutes(45) : minutes(300);
    docs.push({
      number: n, inboxId: inbox, subject, requester, status: 'open', lastActivityAt: minutes(n - 100),
      tags: n % 2 === 1 ? ['vip', 'needs review'] : [], searchTerms: ticketSearchTerms({ subject, requester }),
      sla: { firstResponseDueAt, nextDueAt: firstResponseDueAt },
    });
  }
  docs.push({ number: 13, inboxId: hidden, subject: 'Invoice 13 missing', requester: { email: 'alice@customer.test' }, status: 'open', lastActivityAt: minutes(0), tags: ['vip'], searchTerms: ['invoice', 'alice'], sla: { nextDueAt: minutes(-5) } });
  await h.models.Ticket.insertMany(docs);
  c = new Client(h.base);
  await c.login('dora@example.test', 'dora password 123');
});
afterAll(async () => h.close());

describe('ticket list filter form', () => {
  it('offers tag, search and SLA fields next to inbox, status and assignee, in one GET form', async () => {
    const page = await c.get('/tickets');
    expect(page.status).toBe(200);
    const form = /<form class="filters" method="get" action="\/tickets">[\s\S]*?<\/form>/.exec(page.text)?.[0] ?? '';
    for (const name of ['inbox', 'status', 'assignee', 'due']) expect(form).toContain(`<select name="${name}">`);
    expect(form).toContain('<input type="text" name="tag" value=""');
    expect(form).toContain('<input type="search" name="q" value=""');
    // The SLA select: any (nothing chosen), due soon, breached.
    const due = /<select name="due">([\s\S]*?)<\/select>/.exec(form)?.[1] ?? '';
    expect([...due.matchAll(/<option value="([^"]*)" ?(selected)?>([^<]+)<\/option>/g)].map((m) => [m[1], m[2] ?? '', m[3]])).toEqual([
      ['', '', 'Any'],
      ['soon', '', 'SLA due soon or breached'],
      ['breached', '', 'Breached'],
    ]);
    expect(subjects(page.text)).toHaveLength(12);
  });

  it('filters by tag, and shows each row’s tags as links that narrow the current list', async () => {
    const page = await c.get('/tickets?status=open&tag=VIP');
    expect(subjects(page.text)).toEqual(['Question 11', 'Invoice 9 missing', 'Question 7', 'Question 5', 'Invoice 3 missing', 'Question 1']);
    expect(inputValue(page.text, 'tag')).toBe('VIP');
    // The row of ticket 11 (rows carry their read state as a class, and a checkbox before the number).
    const row = /<tr[^>]*>(?:(?!<tr)[\s\S])*?<td class="num"[^>]*>11<\/td>[\s\S]*?<\/tr>/.exec(page.text)?.[0] ?? '';
    const links = [...row.matchAll(/<a class="badge tag" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [unescape(m[1]!), m[2]]);
    expect(links).toEqual([
      ['/tickets?status=open&tag=vip', 'vip'],
      ['/tickets?status=open&tag=needs+review', 'needs review'],
    ]);
    expect(subjects((await c.get(links[1]![0]!)).text)).toHaveLength(6);
  });

  it('searches by subject word and requester prefix, keeping the words in the field, escaped', async () => {
    expect(subjects((await c.get('/tickets?q=invoice')).text)).toEqual(['Invoice 12 missing', 'Invoice 9 missing', 'Invoice 6 missing', 'Invoice 3 missing']);
    expect(subjects((await c.get('/tickets?q=ali+smi&tag=vip')).text)).toEqual(['Invoice 9 missing', 'Invoice 3 missing']);
    const odd = await c.get(`/tickets?q=${encodeURIComponent('"><i>question')}`);
    expect(odd.status).toBe(200);
    expect(odd.text).not.toContain('"><i>question');
    expect(inputValue(odd.text, 'q')).toBe('&quot;&gt;&lt;i&gt;question');
    // "i" is a word of its own and matches nothing, so every word must match: no tickets.
    expect(subjects(odd.text)).toEqual([]);
    expect(subjects((await c.get(`/tickets?q=${encodeURIComponent('"><question')}`)).text)).toHaveLength(8);
  });

  it('filters to tickets due soon or breached, with the option selected and red or amber badges only', async () => {
    const page = await c.get('/tickets?due=soon');
    // Soonest due first (1 and 2 breached at the same time, then 3 and 4), ties in creation order.
    expect(subjects(page.text)).toEqual(['Question 1', 'Question 2', 'Invoice 3 missing', 'Question 4']);
    expect(page.text).toMatch(/<option value="soon" selected>/);
    expect(page.text).not.toMatch(/<option value="breached" selected>/);
    expect(page.text.match(/SLA breached/g)).toHaveLength(2);
    expect(page.text.match(/badge sla-warn/g)).toHaveLength(2);
    expect(page.text).not.toContain('badge sla-ok');
  });

  it('orders the list as chosen, keeps the order in the form, and explains the search operators', async () => {
    const page = await c.get('/tickets?sort=due&status=open');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="due" selected>/);
    // Soonest due first, then the rest (all due later here).
    expect(subjects(page.text).slice(0, 4)).toEqual(['Question 1', 'Question 2', 'Invoice 3 missing', 'Question 4']);
    expect(page.text).toContain('<details class="search-help" id="search-help">');
    expect(page.text).toContain('aria-describedby="search-help"');
    const bad = await c.get('/tickets?q=status%3Amaybe');
    expect(bad.text).toContain('status: must be new, open, pending, partner, solved or closed');
  });

  it('filters to breached tickets only with due=breached, red badges only', async () => {
    const page = await c.get('/tickets?due=breached');
    expect(subjects(page.text)).toEqual(['Question 1', 'Question 2']);
    expect(page.text).toMatch(/<option value="breached" selected>/);
    expect(page.text.match(/SLA breached/g)).toHaveLength(2);
    expect(page.text).not.toContain('badge sla-warn');
    expect(page.text).not.toContain('badge sla-ok');
  });

  it('keeps every filter on the next-page and newest links', async () => {
    const first = await c.get('/tickets?tag=vip&q=question&due=soon&status=open');
    expect(subjects(first.text)).toEqual(['Question 1']);
    const all = await c.get('/tickets?tag=vip&q=question');
    expect(subjects(all.text)).toEqual(['Question 11', 'Question 7', 'Question 5', 'Question 1']);
    // 25 per page: make a second page by adding tickets that match.
    const more = Array.from({ length: 30 }, (_, i) => {
      const subject = `Question extra ${i}`;
      return { number: 100 + i, inboxId: inbox, subject, requester: { email: 'e@customer.test' }, status: 'open', lastActivityAt: minutes(i), tags: ['vip'], searchTerms: ticketSearchTerms({ subject, requester: { email: 'e@customer.test' } }) };
    });
    await h.models.Ticket.insertMany(more);
    try {
      const page1 = await c.get('/tickets?tag=vip&q=question');
      const next = nextLink(page1.text)!;
      expect(next).toMatch(/^\/tickets\?tag=vip&q=question&cursor=/);
      const page2 = await c.get(next);
      expect([...subjects(page1.text), ...subjects(page2.text)]).toHaveLength(34);
      expect(subjects(page2.text).slice(-4)).toEqual(['Question 11', 'Question 7', 'Question 5', 'Question 1']);
      expect(unescape(/<a href="([^"]+)">« Newest<\/a>/.exec(page2.text)?.[1] ?? '')).toBe('/tickets?tag=vip&q=question');
    } finally {
      await h.models.Ticket.deleteMany({ number: { $gte: 100 } });
    }
  });

  it('never shows another inbox’s tickets, and answers bad filters with the error page', async () => {
    expect(subjects((await c.get('/tickets?q=invoice+13')).text)).toEqual([]);
    for (const bad of ['due=later', 'q=%3F%21', `tag=${'x'.repeat(60)}`]) {
      const res = await c.get(`/tickets?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    expect((await c.get('/tickets?tag=+++&q=')).status).toBe(200);
  });
});
