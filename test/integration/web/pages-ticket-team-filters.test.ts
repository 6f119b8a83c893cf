import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketPriority, TicketStatus } from '../../../src/domain/ticket-status.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// The list page's filters by team, level, priority, age and person: in the form (no script needed),
// in the links another page builds (`/tickets?team=…&status=active`), through paging and saved views.
let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let agent: Client;
let teamAgent: Client;
let doraId: string;
const inbox = new Types.ObjectId();
const other = new Types.ObjectId();
const frontDesk = new Types.ObjectId();
const network = new Types.ObjectId();
const vendor = new Types.ObjectId();
const HOUR = 3_600_000;

const subjects = (html: string) => [...html.matchAll(/<td class="subject"[^>]*><a href="\/tickets\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
const unescape = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const nextLink = (html: string) => unescape(/<a rel="next" href="([^"]+)"/.exec(html)?.[1] ?? '') || null;
const filterForm = (html: string) => /<form class="filters" method="get" action="\/tickets">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
/** A select of the filter form: each option's value, whether it is chosen, and its label. */
const options = (html: string, name: string) => {
  const select = new RegExp(`<select name="${name}">([\\s\\S]*?)</select>`).exec(filterForm(html))?.[1] ?? '';
  return [...select.matchAll(/<option value="([^"]*)" ?(selected)?>([^<]+)<\/option>/g)].map((m) => [m[1], Boolean(m[2]), m[3]] as const);
};
const chosen = (html: string, name: string) => options(html, name).filter((o) => o[1]).map((o) => o[0]);
const hidden = (html: string, form: string) => [...form.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]).filter(([k]) => k !== '_csrf');

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([
    { _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
    { _id: other, name: 'Other', address: 'other@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
  ]);
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  doraId = String((await createUser(h.models, { email: 'dora@example.test', password: 'dora password 123', inboxIds: [inbox], name: 'Dora' }))._id);
  const lea = await createUser(h.models, { email: 'lea@example.test', password: 'lea password 123', inboxIds: [], name: 'Léa' });
  await h.models.Team.create([
    { _id: frontDesk, name: 'Front desk', level: 'L1', inboxIds: [inbox] },
    { _id: network, name: 'Network', level: 'L2', memberIds: [lea._id], inboxIds: [inbox] },
    { _id: vendor, name: 'Vendor', level: 'L4', inboxIds: [other] },
  ]);
  const now = Date.now();
  // 30 active Network tickets (Dora's every third, urgent every fifth), a few others around them.
  const docs = Array.from({ length: 30 }, (_, i) => ({
    number: i + 1, inboxId: inbox, teamId: network, subject: `Network ${i + 1}`, requester: { email: `n${i}@customer.test` }, status: 'open' as TicketStatus,
    priority: (i % 5 === 0 ? 'urgent' : 'normal') as TicketPriority, assigneeId: i % 3 === 0 ? new Types.ObjectId(doraId) : null,
    createdAt: new Date(now - (i < 10 ? 2 : 50) * HOUR), lastActivityAt: new Date(now - (i + 1) * 60_000),
  }));
  docs.push(
    { number: 31, inboxId: inbox, teamId: frontDesk, subject: 'Desk urgent', requester: { email: 'd@customer.test' }, status: 'open', priority: 'urgent', assigneeId: null, createdAt: new Date(now - 200 * HOUR), lastActivityAt: new Date(now - 100 * 60_000) },
    { number: 32, inboxId: inbox, teamId: network, subject: 'Network solved', requester: { email: 's@customer.test' }, status: 'solved', priority: 'urgent', assigneeId: null, createdAt: new Date(now - HOUR), lastActivityAt: new Date(now - 101 * 60_000) },
    { number: 33, inboxId: other, teamId: vendor, subject: 'Vendor elsewhere', requester: { email: 'v@customer.test' }, status: 'open', priority: 'urgent', assigneeId: null, createdAt: new Date(now - HOUR), lastActivityAt: new Date(now - 102 * 60_000) },
  );
  await h.models.Ticket.create(docs);
  [admin, agent, teamAgent] = [new Client(h.base), new Client(h.base), new Client(h.base)];
  await admin.login('ada@example.test', 'ada password 123');
  await agent.login('dora@example.test', 'dora password 123');
  await teamAgent.login('lea@example.test', 'lea password 123');
});
afterAll(async () => h.close());

describe('ticket list filters by team, level, priority and age', () => {
  it('offers team, level, priority and age selects in the GET form, the teams an agent works with named with their level', async () => {
    const page = await agent.get('/tickets');
    expect(page.status).toBe(200);
    expect(options(page.text, 'team')).toEqual([['', false, 'Any team'], [frontDesk.toHexString(), false, 'Front desk (L1)'], [network.toHexString(), false, 'Network (L2)']]);
    expect(options(page.text, 'level').map((o) => o[0])).toEqual(['', 'L1', 'L2', 'L3', 'L4']);
    expect(options(page.text, 'priority')).toEqual([['', false, 'Any priority'], ['low', false, 'low'], ['normal', false, 'normal'], ['high', false, 'high'], ['urgent', false, 'urgent']]);
    expect(options(page.text, 'age')).toEqual([['', false, 'Any age'], ['under-1d', false, 'Under a day'], ['1-3d', false, '1 to 3 days'], ['3-7d', false, '3 to 7 days'], ['over-7d', false, 'Over a week']]);
    // An admin is offered every team.
    expect(options((await admin.get('/tickets')).text, 'team').map((o) => o[2])).toEqual(['Any team', 'Front desk (L1)', 'Network (L2)', 'Vendor (L4)']);
  });

  it('lists a team’s active tickets from the team load page’s link, keeping the filters on the next page', async () => {
    const first = await admin.get(`/tickets?team=${network.toHexString()}&status=active`);
    expect(chosen(first.text, 'team')).toEqual([network.toHexString()]);
    expect(chosen(first.text, 'status')).toEqual(['active']);
    expect(subjects(first.text)).toEqual(Array.from({ length: 25 }, (_, i) => `Network ${i + 1}`));
    const next = nextLink(first.text)!;
    expect(next).toMatch(new RegExp(`^/tickets\\?status=active&team=${network.toHexString()}&cursor=`));
    expect(subjects((await admin.get(next)).text)).toEqual(['Network 26', 'Network 27', 'Network 28', 'Network 29', 'Network 30']);
    // With priority, age and unassigned, as the load page's cells link them.
    const urgent = await admin.get(`/tickets?team=${network.toHexString()}&status=active&priority=urgent&age=under-1d`);
    expect(subjects(urgent.text)).toEqual(['Network 1', 'Network 6']);
    expect([chosen(urgent.text, 'priority'), chosen(urgent.text, 'age')]).toEqual([['urgent'], ['under-1d']]);
    expect(subjects((await admin.get(`/tickets?assignee=unassigned&team=${network.toHexString()}&status=active&age=1-3d`)).text))
      .toEqual(['Network 11', 'Network 12', 'Network 14', 'Network 15', 'Network 17', 'Network 18', 'Network 20', 'Network 21', 'Network 23', 'Network 24', 'Network 26', 'Network 27', 'Network 29', 'Network 30']);
    expect(subjects((await admin.get('/tickets?level=L1&status=active')).text)).toEqual(['Desk urgent']);
    expect(subjects((await admin.get('/tickets?level=L4&priority=urgent')).text)).toEqual(['Vendor elsewhere']);
  });

  it('lists a person’s tickets by id, the person named in the assignee select', async () => {
    const page = await admin.get(`/tickets?assignee=${doraId}&status=active`);
    expect(subjects(page.text)).toEqual(['Network 1', 'Network 4', 'Network 7', 'Network 10', 'Network 13', 'Network 16', 'Network 19', 'Network 22', 'Network 25', 'Network 28']);
    expect(options(page.text, 'assignee')).toEqual([['', false, 'Anyone'], ['me', false, 'Assigned to me'], ['unassigned', false, 'Unassigned'], [doraId, true, 'Dora']]);
  });

  it('keeps an agent’s team and level filters within their tickets, and refuses a team that does not exist', async () => {
    expect(subjects((await agent.get(`/tickets?team=${vendor.toHexString()}`)).text)).toEqual([]);
    expect(subjects((await agent.get('/tickets?level=L4')).text)).toEqual([]);
    expect(subjects((await agent.get('/tickets?priority=urgent&status=active')).text)).toEqual(['Network 1', 'Network 6', 'Network 11', 'Network 16', 'Network 21', 'Network 26', 'Desk urgent']);
    // Léa, in Network only, sees no Front desk ticket whatever she asks for.
    expect(subjects((await teamAgent.get(`/tickets?team=${frontDesk.toHexString()}`)).text)).toEqual([]);
    expect(subjects((await teamAgent.get(`/tickets?inbox=${inbox.toHexString()}&priority=urgent`)).text)).toEqual(['Network 1', 'Network 6', 'Network 11', 'Network 16', 'Network 21', 'Network 26', 'Network solved']);
    expect((await agent.get(`/tickets?team=${new Types.ObjectId().toHexString()}`)).status).toBe(404);
    expect((await agent.get('/tickets?age=ancient')).status).toBe(400);
  });

  it('keeps filters without a field of their own (My teams) in the form, and shows My teams as its view', async () => {
    const page = await teamAgent.get('/tickets?teams=mine&status=active');
    expect(hidden(page.text, filterForm(page.text))).toEqual([['teams', 'mine']]);
    expect(page.text).toContain('<h1>My teams</h1>');
    expect(subjects(page.text)).toHaveLength(25);
  });

  it('saves a view with the new filters and names them in words on /tickets/views', async () => {
    const list = await agent.get(`/tickets?team=${network.toHexString()}&level=L2&priority=urgent,high&age=1-3d&assignee=${doraId}`);
    const save = /<form class="save-view" method="post" action="\/tickets\/views">([\s\S]*?)<\/form>/.exec(list.text)?.[1] ?? '';
    const fields = Object.fromEntries(hidden(list.text, save));
    expect(fields).toEqual({ assignee: doraId, team: network.toHexString(), level: 'L2', priority: 'urgent,high', age: '1-3d' });
    expect((await agent.post('/tickets/views', { _csrf: Client.csrf(list.text), name: 'Network hot', ...fields })).status).toBe(303);
    const views = await agent.get('/tickets/views');
    expect(/>Network hot<\/a><\/td>\s*<td class="wrap" data-label="Filters">([^<]+)<\/td>/.exec(views.text)?.[1])
      .toBe('assignee Dora · team Network · level L2 · priority urgent, high · age 1 to 3 days');
    // The saved view's link is the same list, marked as current in the bar.
    const own = await agent.get(unescape(/<a href="([^"]+)">Network hot<\/a>/.exec(views.text)![1]!));
    expect(own.text).toContain('<h1>Network hot</h1>');
    expect(subjects(own.text)).toEqual(subjects(list.text));
  });
});
