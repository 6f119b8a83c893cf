import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketSearchTerms } from '../../../src/domain/ticket-search.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let c: Client;
let other: Client;
const inbox = new Types.ObjectId();
const BASE = Date.parse('2026-03-01T12:00:00Z');

const unescape = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const subjects = (html: string) => [...html.matchAll(/<td class="subject"[^>]*><a href="\/tickets\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
/** The view bar: every link with its label, count (null for a saved view) and whether it is the current one. */
const viewBar = (html: string) => {
  const bar = /<nav class="views"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...bar.matchAll(/<a (?:class="([a-z]+)" )?href="([^"]+)" (aria-current="page")?>([^<]*?)\s*(?:<span class="count">(\d+)<\/span>)?<\/a>/g)].map((m) => ({
    kind: m[1] ?? 'view', url: unescape(m[2]!), current: Boolean(m[3]), label: m[4]!, count: m[5] === undefined ? null : Number(m[5]),
  }));
};
const saveForm = (html: string) => /<form class="save-view" method="post" action="\/tickets\/views">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? null;
/** The saved views page's rows: name, link, and the id in its forms. */
const rows = (html: string) =>
  [...html.matchAll(/<td data-label="Name"><a href="([^"]+)">([^<]+)<\/a><\/td>[\s\S]*?action="\/tickets\/views\/([0-9a-f]{24})"/g)].map((m) => ({ url: unescape(m[1]!), name: m[2], id: m[3]! }));
const alert = (html: string) => /<p class="alert" role="alert">([^<]+)<\/p>/.exec(html)?.[1] ?? null;
const notice = (html: string) => /<p class="notice" role="status">([^<]+)<\/p>/.exec(html)?.[1] ?? null;

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Views help', address: 'views@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  const dora = await createUser(h.models, { email: 'dora@example.test', password: 'dora password 123', inboxIds: [inbox], name: 'Dora' });
  await createUser(h.models, { email: 'olaf@example.test', password: 'olaf password 123', inboxIds: [inbox], name: 'Olaf' });
  // 6 tickets: odd ones tagged vip; 1–4 open, 5 pending, 6 solved; 1 and 2 are Dora's; 4 and 5 past their SLA.
  const past = new Date(Date.now() - 3600_000);
  await h.models.Ticket.insertMany(Array.from({ length: 6 }, (_, i) => {
    const n = i + 1;
    const subject = `Question ${n}`;
    return {
      sla: n === 4 ? { firstResponseDueAt: past, nextDueAt: past } : n === 5 ? { breachedAt: past, nextDueAt: past } : {},
      number: n, inboxId: inbox, subject, requester: { email: `c${n}@customer.test` }, status: n <= 4 ? 'open' : n === 5 ? 'pending' : 'solved',
      assigneeId: n <= 2 ? dora._id : null, tags: n % 2 === 1 ? ['vip'] : [], lastActivityAt: new Date(BASE + n * 60_000),
      searchTerms: ticketSearchTerms({ subject, requester: { email: `c${n}@customer.test` } }),
    };
  }));
  c = new Client(h.base);
  await c.login('dora@example.test', 'dora password 123');
  other = new Client(h.base);
  await other.login('olaf@example.test', 'olaf password 123');
});
afterAll(async () => h.close());

describe('the view bar', () => {
  it('shows Mine, Unassigned, All, Breaching and Snoozed with counts that match their lists, the current one marked', async () => {
    const page = await c.get('/tickets');
    const bar = viewBar(page.text);
    expect(bar.map((v) => [v.label, v.url, v.count, v.current])).toEqual([
      ['My tickets', '/tickets?assignee=me&status=active', 2, false],
      ['Unassigned', '/tickets?assignee=unassigned&status=active', 3, false],
      ['All tickets', '/tickets', 6, true],
      ['Breaching', '/tickets?due=breached', 2, false],
      ['Snoozed', '/tickets?snoozed=only', 0, false],
      ['Spam', '/tickets?status=spam&snoozed=any', 0, false],
    ]);
    for (const view of bar) {
      const list = await c.get(view.url);
      expect(subjects(list.text), view.label).toHaveLength(view.count!);
      expect(viewBar(list.text).find((v) => v.current)?.label, view.label).toBe(view.label);
      expect(list.text, view.label).toContain(`<h1>${view.label}</h1>`);
      // A built-in view cannot be saved again.
      expect(saveForm(list.text), view.label).toBeNull();
    }
    // No saved views yet: no link to manage them.
    expect(page.text).not.toContain('href="/tickets/views"');
  });
});

describe('saved views', () => {
  let viewId = '';

  it('saves the current filters under a name (CSRF-checked), shown in the bar as a link without a count', async () => {
    const list = await c.get('/tickets?status=open&tag=vip');
    expect(list.text).toContain('<h1>Filtered tickets</h1>');
    const form = saveForm(list.text)!;
    expect(form).not.toBeNull();
    expect([...form.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]).filter(([k]) => k !== '_csrf')).toEqual([
      ['status', 'open'],
      ['tag', 'vip'],
    ]);
    // Without the form's token nothing is saved.
    const forged = await c.post('/tickets/views', { _csrf: 'forged', name: 'VIP open', status: 'open', tag: 'vip' });
    expect(forged.status).toBe(403);
    expect(await h.models.SavedView.countDocuments()).toBe(0);

    const saved = await c.post('/tickets/views', { _csrf: Client.csrf(list.text), name: 'VIP open', status: 'open', tag: 'vip' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/tickets/views?saved=created');
    expect(notice((await c.get('/tickets/views?saved=created')).text)).toBe('View saved.');

    const page = await c.get('/tickets');
    const link = viewBar(page.text).find((v) => v.kind === 'saved')!;
    expect(link).toEqual({ kind: 'saved', url: '/tickets?status=open&tag=vip', current: false, label: 'VIP open', count: null });
    expect(page.text).toContain('<a class="manage" href="/tickets/views">Manage saved views</a>');

    // Its list: titled with its name, marked in the bar, and not offered for saving again.
    const own = await c.get(link.url);
    expect(own.text).toContain('<h1>VIP open</h1>');
    expect(own.text).toContain('<title>VIP open · Threadline</title>');
    expect(viewBar(own.text).filter((v) => v.current).map((v) => v.label)).toEqual(['VIP open']);
    expect(subjects(own.text)).toEqual(['Question 3', 'Question 1']);
    expect(saveForm(own.text)).toBeNull();

    // Only Dora sees it.
    expect(viewBar((await other.get('/tickets')).text).filter((v) => v.kind === 'saved')).toEqual([]);
    const listed = rows((await c.get('/tickets/views')).text);
    expect(listed.map((r) => [r.name, r.url])).toEqual([['VIP open', '/tickets?status=open&tag=vip']]);
    viewId = listed[0]!.id;
  });

  it('describes each view’s filters in words on /tickets/views', async () => {
    const csrf = Client.csrf((await c.get('/tickets/views')).text);
    const form = { _csrf: csrf, name: 'Everything set', inbox: inbox.toHexString(), status: 'active', assignee: 'me', tag: 'vip', q: 'question', due: 'breached' };
    expect((await c.post('/tickets/views', form)).status).toBe(303);
    const page = await c.get('/tickets/views');
    const filters = (name: string) => new RegExp(`>${name}</a></td>\\s*<td class="wrap" data-label="Filters">([^<]+)</td>`).exec(page.text)?.[1];
    expect(filters('VIP open')).toBe('status open · tag vip');
    expect(filters('Everything set')).toBe('inbox Views help · status active (new, open, pending, with partner) · assignee me · tag vip · search question · SLA breached');
    await h.models.SavedView.deleteOne({ name: 'Everything set' });
  });

  it('renames a view on /tickets/views', async () => {
    const page = await c.get('/tickets/views');
    expect(page.text).toContain('<h1>My saved views</h1>');
    const renamed = await c.post(`/tickets/views/${viewId}`, { _csrf: Client.csrf(page.text), name: 'VIP still open' });
    expect(renamed.status).toBe(303);
    expect(renamed.headers.get('location')).toBe('/tickets/views?saved=renamed');
    expect(notice((await c.get('/tickets/views?saved=renamed')).text)).toBe('View renamed.');
    expect(viewBar((await c.get('/tickets')).text).filter((v) => v.kind === 'saved').map((v) => [v.label, v.url])).toEqual([['VIP still open', '/tickets?status=open&tag=vip']]);
    // A name over 60 characters is refused with the error on the page, and nothing changes.
    const tooLong = await c.post(`/tickets/views/${viewId}`, { _csrf: Client.csrf(page.text), name: 'x'.repeat(61) });
    expect(tooLong.headers.get('location')).toBe('/tickets/views?error=invalid');
    expect(alert((await c.get('/tickets/views?error=invalid')).text)).toBe('A view needs a name of at most 60 characters, and valid filters.');
    expect(rows((await c.get('/tickets/views')).text).map((r) => r.name)).toEqual(['VIP still open']);
    expect((await c.post(`/tickets/views/${viewId}`, { _csrf: 'forged', name: 'Hijacked' })).status).toBe(403);
  });

  it("answers 404 for another user's view id, and leaves it alone", async () => {
    const theirs = await h.models.SavedView.create({ userId: (await h.models.User.findOne({ email: 'olaf@example.test' }))!._id, name: 'Olaf only', filters: { assignee: 'me' } });
    const id = theirs._id.toHexString();
    const csrf = Client.csrf((await c.get('/tickets/views')).text);
    for (const [path, form] of [[`/tickets/views/${id}`, { name: 'Taken' }], [`/tickets/views/${id}/delete`, {}]] as const) {
      const res = await c.post(path, { _csrf: csrf, ...form });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    for (const bad of ['not-an-id', new Types.ObjectId().toHexString()]) expect((await c.post(`/tickets/views/${bad}/delete`, { _csrf: csrf })).status, bad).toBe(404);
    expect(await h.models.SavedView.findById(theirs._id).lean()).toMatchObject({ name: 'Olaf only' });
    expect(rows((await c.get('/tickets/views')).text).map((r) => r.name)).toEqual(['VIP still open']);
    expect(rows((await other.get('/tickets/views')).text).map((r) => r.name)).toEqual(['Olaf only']);
  });

  it('deletes a view: gone from the bar and the page', async () => {
    const page = await c.get('/tickets/views');
    const deleted = await c.post(`/tickets/views/${viewId}/delete`, { _csrf: Client.csrf(page.text) });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/tickets/views?saved=deleted');
    const after = await c.get('/tickets/views?saved=deleted');
    expect(notice(after.text)).toBe('View deleted.');
    expect(rows(after.text)).toEqual([]);
    expect(after.text).toContain('You have no saved views yet.');
    const list = await c.get('/tickets');
    expect(viewBar(list.text).filter((v) => v.kind !== 'view')).toEqual([]);
    expect(list.text).not.toContain('href="/tickets/views"');
    // The filters it named are again just a filtered list, which may be saved.
    expect(saveForm((await c.get('/tickets?status=open&tag=vip')).text)).not.toBeNull();
  });

  it('keeps at most 20 views, saying so on the page', async () => {
    const csrf = Client.csrf((await c.get('/tickets?tag=vip')).text);
    for (let i = 1; i <= 20; i++) expect((await c.post('/tickets/views', { _csrf: csrf, name: `View ${i}`, tag: `t${i}` })).status).toBe(303);
    const over = await c.post('/tickets/views', { _csrf: csrf, name: 'One too many', tag: 'vip' });
    expect(over.headers.get('location')).toBe('/tickets/views?error=limit');
    expect(alert((await c.get('/tickets/views?error=limit')).text)).toBe('You can keep at most 20 saved views; delete one first.');
    expect(rows((await c.get('/tickets/views')).text)).toHaveLength(20);
  });
});
