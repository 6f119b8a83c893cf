import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// The access matrix, with teams: an L2 agent who is not a member of the inbox sees exactly the
// tickets whose team is their L2 team, in the list, the view counts, the ticket page and the API.
const inbox = new Types.ObjectId();
const level1 = new Types.ObjectId();
const level2 = new Types.ObjectId();
const otherTeam = new Types.ObjectId();
const seed = async (models: ApiHarness['models']) => {
  await models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  const l2agent = await createUser(models, { email: 'lea@example.test', password: 'lea password 123', inboxIds: [], name: 'Léa' });
  await createUser(models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina' });
  await models.Team.create([
    { _id: level1, name: 'Accueil', level: 'L1', inboxIds: [inbox] },
    { _id: level2, name: 'Réseau', level: 'L2', memberIds: [l2agent._id], inboxIds: [inbox] },
    { _id: otherTeam, name: 'Experts', level: 'L3', inboxIds: [inbox] },
  ]);
  const at = (m: number) => new Date(Date.now() - m * 60_000);
  const tickets = await models.Ticket.create([
    { number: 1, inboxId: inbox, teamId: level1, subject: 'Password reset', requester: { email: 'a@customer.test' }, status: 'open', lastActivityAt: at(1) },
    { number: 2, inboxId: inbox, teamId: level2, subject: 'VPN drops', requester: { email: 'b@customer.test' }, status: 'open', lastActivityAt: at(2) },
    { number: 3, inboxId: inbox, teamId: level2, subject: 'DNS failure', requester: { email: 'c@customer.test' }, status: 'new', lastActivityAt: at(3) },
    { number: 4, inboxId: inbox, teamId: otherTeam, subject: 'Kernel panic', requester: { email: 'd@customer.test' }, status: 'open', lastActivityAt: at(4) },
    { number: 5, inboxId: inbox, subject: 'No team', requester: { email: 'e@customer.test' }, status: 'open', lastActivityAt: at(5) },
  ]);
  return tickets.map((t) => t._id.toHexString());
};

describe('access by team: pages', () => {
  let h: Awaited<ReturnType<typeof startPages>>;
  let ids: string[];
  const subjects = (html: string) => [...html.matchAll(/<td class="subject"[^>]*><a href="\/tickets\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
  beforeAll(async () => {
    h = await startPages(null);
    ids = await seed(h.models as ApiHarness['models']);
  });
  afterAll(() => h.close());

  it('an L2 agent outside the inbox sees exactly their team’s tickets; an inbox member sees them all', async () => {
    const lea = new Client(h.base);
    await lea.login('lea@example.test', 'lea password 123');
    const list = await lea.get('/tickets');
    expect(subjects(list.text)).toEqual(['VPN drops', 'DNS failure']);
    // The All view's count matches the list.
    expect(list.text).toMatch(/<a href="\/tickets"[^>]*>[^<]*<span class="count">2<\/span>/);
    expect((await lea.get(`/tickets/${ids[1]}`)).status).toBe(200);
    for (const hidden of [ids[0], ids[3], ids[4]]) expect((await lea.get(`/tickets/${hidden}`)).status).toBe(404);

    // Through her team she may also narrow the list to the inbox, seeing the same two tickets.
    expect(subjects((await lea.get(`/tickets?inbox=${inbox.toHexString()}`)).text)).toEqual(['VPN drops', 'DNS failure']);

    const gina = new Client(h.base);
    await gina.login('gina@example.test', 'gina password 123');
    expect(subjects((await gina.get('/tickets')).text)).toEqual(['Password reset', 'VPN drops', 'DNS failure', 'Kernel panic', 'No team']);
  });
});

describe('access by team: API', () => {
  let h: ApiHarness;
  let ids: string[];
  beforeAll(async () => {
    h = await startApi('api_team_access');
    ids = await seed(h.models);
  });
  afterAll(() => h.close());

  it('lists, counts and reads only the team’s tickets, and loses them when leaving the team', async () => {
    const lea = await login(h.base, 'lea@example.test', 'lea password 123');
    const list = await call(h.base, 'GET', '/tickets', { token: lea });
    expect(list.body.items.map((t: { number: number }) => t.number)).toEqual([2, 3]);
    expect((await call(h.base, 'GET', `/tickets/${ids[2]}`, { token: lea })).status).toBe(200);
    expect((await call(h.base, 'GET', `/tickets/${ids[0]}`, { token: lea })).status).toBe(404);
    expect((await call(h.base, 'GET', `/tickets/${ids[4]}`, { token: lea })).status).toBe(404);
    // Not a member of the inbox, but of a team that works it: filtering by it lists the inbox's
    // tickets of her team only, with the other filters, and an inbox no team of hers works is NOT_FOUND.
    const inInbox = await call(h.base, 'GET', `/tickets?inbox=${inbox.toHexString()}`, { token: lea });
    expect(inInbox.status).toBe(200);
    expect(inInbox.body.items.map((t: { number: number }) => t.number)).toEqual([2, 3]);
    expect((await call(h.base, 'GET', `/tickets?inbox=${inbox.toHexString()}&status=new`, { token: lea })).body.items.map((t: { number: number }) => t.number)).toEqual([3]);
    expect((await call(h.base, 'GET', `/tickets?inbox=${inbox.toHexString()}&team=${level1.toHexString()}`, { token: lea })).body.items).toEqual([]);
    expect((await call(h.base, 'GET', `/tickets?inbox=${new Types.ObjectId().toHexString()}`, { token: lea })).status).toBe(404);

    await h.models.Team.updateOne({ _id: level2 }, { $set: { inboxIds: [] } });
    expect((await call(h.base, 'GET', `/tickets?inbox=${inbox.toHexString()}`, { token: lea })).status).toBe(404);
    await h.models.Team.updateOne({ _id: level2 }, { $set: { memberIds: [], inboxIds: [inbox] } });
    expect((await call(h.base, 'GET', '/tickets', { token: lea })).body.items).toEqual([]);
    expect((await call(h.base, 'GET', `/tickets?inbox=${inbox.toHexString()}`, { token: lea })).status).toBe(404);
    expect((await call(h.base, 'GET', `/tickets/${ids[1]}`, { token: lea })).status).toBe(404);
  });

  it('serves an agent’s list from the access index', async () => {
    const plan = await h.connection.db!.collection('tickets')
      .find({ access: { $in: [`inbox:${new Types.ObjectId().toHexString()}`, `team:${level2.toHexString()}`] }, mergedIntoId: null })
      .sort({ lastActivityAt: -1, _id: -1 })
      .limit(26)
      .explain('executionStats');
    expect(JSON.stringify(plan)).toContain('access_1');
  });
});
