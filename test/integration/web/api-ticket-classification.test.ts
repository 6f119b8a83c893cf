import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Models } from '../../../src/store/models/index.js';
import { call, createUser, login, startApi } from '../../helpers/api.js';

// Every ticket the API lists carries its team, the team's level, its category, impact and urgency;
// and the list filters by person, team, level, priority, age and category, within the caller's tickets.
let base: string;
let models: Models;
let connection: Connection;
let close: () => Promise<void>;
let admin: string;
let agent: string;
let agentId: Types.ObjectId;
let colleagueId: Types.ObjectId;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const frontDesk = new Types.ObjectId();
const network = new Types.ObjectId();
const partner = new Types.ObjectId();
const billing = new Types.ObjectId();
const HOUR = 3_600_000;
const numbers = (res: { body: { items: Array<{ number: number }> } }) => res.body.items.map((t) => t.number);

beforeAll(async () => {
  const h = await startApi('api_ticket_classification', { refreshSla: async () => {} });
  models = h.models;
  connection = h.connection;
  base = h.base;
  close = () => h.close();
  const account = { imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } };
  await models.Inbox.create([{ _id: inboxA, name: 'A', address: 'a@example.com', ...account }, { _id: inboxB, name: 'B', address: 'b@example.com', ...account }]);
  await createUser(models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  agentId = (await createUser(models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA] }))._id;
  colleagueId = (await createUser(models, { email: 'colleague@example.com', password: 'colleague password 123', inboxIds: [inboxA, inboxB] }))._id;
  await models.Team.create([
    { _id: frontDesk, name: 'Front desk', level: 'L1', inboxIds: [inboxA, inboxB] },
    { _id: network, name: 'Network', level: 'L2', inboxIds: [inboxA] },
    { _id: partner, name: 'Partner', level: 'L4', inboxIds: [inboxB] },
  ]);
  await models.Category.create({ _id: billing, name: 'Billing', inboxId: null });
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR);
  await models.Ticket.create([
    { number: 1, inboxId: inboxA, teamId: frontDesk, categoryId: billing, impact: 'high', urgency: 'medium', priority: 'high', assigneeId: agentId, requester: { email: 'ann@customer.test' }, status: 'open', createdAt: at(2), lastActivityAt: at(1) },
    { number: 2, inboxId: inboxA, teamId: network, priority: 'urgent', assigneeId: colleagueId, requester: { email: 'ann@customer.test' }, status: 'pending', createdAt: at(30), lastActivityAt: at(2) },
    { number: 3, inboxId: inboxA, priority: 'low', requester: { email: 'bob@customer.test' }, status: 'new', createdAt: at(100), lastActivityAt: at(3) },
    { number: 4, inboxId: inboxB, teamId: frontDesk, categoryId: billing, priority: 'urgent', assigneeId: colleagueId, requester: { email: 'ann@customer.test' }, status: 'open', createdAt: at(200), lastActivityAt: at(4) },
    { number: 5, inboxId: inboxB, teamId: partner, urgency: 'low', priority: 'normal', requester: { email: 'cy@customer.test' }, status: 'solved', createdAt: at(50), lastActivityAt: at(5) },
    { number: 6, inboxId: inboxA, teamId: network, categoryId: billing, priority: 'urgent', requester: { email: 'dee@customer.test' }, status: 'closed', createdAt: at(10), lastActivityAt: at(6) },
  ]);
  admin = await login(base, 'admin@example.com', 'admin password 123');
  agent = await login(base, 'agent@example.com', 'agent password 123');
});
afterAll(() => close());

const idOf = async (n: number) => (await models.Ticket.findOne({ number: n }).lean())!._id.toHexString();

describe('classification fields on every ticket the API returns', () => {
  it('lists each ticket with its team, the team’s level, category, impact and urgency, the teams read once', async () => {
    const teamReads: string[] = [];
    // Reads of teams by id (signing in reads the caller's own teams by member, not counted here).
    connection.set('debug', (collection: string, method: string, filter: Record<string, unknown>) => void (collection === 'teams' && '_id' in (filter ?? {}) && teamReads.push(method)));
    let res;
    try {
      res = await call(base, 'GET', '/tickets', { token: admin });
    } finally {
      connection.set('debug', false);
    }
    expect(res.status).toBe(200);
    const fields = res.body.items.map((t: Record<string, unknown>) => [t.number, t.teamId, t.level, t.categoryId, t.impact, t.urgency]);
    expect(fields).toEqual([
      [1, frontDesk.toHexString(), 'L1', billing.toHexString(), 'high', 'medium'],
      [2, network.toHexString(), 'L2', null, null, null],
      [3, null, null, null, null, null],
      [4, frontDesk.toHexString(), 'L1', billing.toHexString(), null, null],
      [5, partner.toHexString(), 'L4', null, null, 'low'],
      [6, network.toHexString(), 'L2', billing.toHexString(), null, null],
    ]);
    // Three teams on the page, one read of the teams.
    expect(teamReads).toEqual(['find']);
  });

  it('follows the team: a team moved to another level moves its tickets’ level; a deleted team has none', async () => {
    await models.Team.updateOne({ _id: network }, { $set: { level: 'L3' } });
    try {
      const res = await call(base, 'GET', '/tickets?team=' + network.toHexString(), { token: admin });
      expect(res.body.items.map((t: { level: string }) => t.level)).toEqual(['L3', 'L3']);
      const detail = await call(base, 'GET', `/tickets/${await idOf(2)}`, { token: admin });
      expect(detail.body).toMatchObject({ number: 2, teamId: network.toHexString(), level: 'L3' });
    } finally {
      await models.Team.updateOne({ _id: network }, { $set: { level: 'L2' } });
    }
    const gone = (await models.Team.findById(partner).lean())!;
    await models.Team.deleteOne({ _id: partner });
    try {
      const res = await call(base, 'GET', '/tickets?status=solved', { token: admin });
      expect(res.body.items).toEqual([expect.objectContaining({ number: 5, teamId: partner.toHexString(), level: null })]);
    } finally {
      await models.Team.create(gone);
    }
  });

  it('gives GET /tickets/:id, the requester’s other tickets and a merge answer the same fields', async () => {
    const first = await idOf(1);
    expect((await call(base, 'GET', `/tickets/${first}`, { token: agent })).body).toMatchObject({
      teamId: frontDesk.toHexString(), level: 'L1', categoryId: billing.toHexString(), impact: 'high', urgency: 'medium',
    });
    expect((await call(base, 'GET', `/tickets/${await idOf(3)}`, { token: agent })).body).toMatchObject({ teamId: null, level: null, categoryId: null, impact: null, urgency: null });
    // Ann's other tickets, as the agent sees them (number 4 is in inbox B): only number 2.
    const others = await call(base, 'GET', `/tickets/${first}/requester-tickets`, { token: agent });
    expect(others.body.items).toEqual([expect.objectContaining({ number: 2, teamId: network.toHexString(), level: 'L2', categoryId: null, impact: null, urgency: null })]);
    const merged = await call(base, 'POST', `/tickets/${await idOf(2)}/merge`, { token: agent, body: { intoId: first } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ number: 1, teamId: frontDesk.toHexString(), level: 'L1', categoryId: billing.toHexString(), impact: 'high', urgency: 'medium' });
    // Merged away: no longer listed.
    expect(numbers(await call(base, 'GET', '/tickets?team=' + network.toHexString(), { token: admin }))).toEqual([6]);
  });
});

describe('GET /api/v1/tickets filters by person, team, level, priority, age and category', () => {
  it('filters an admin’s list', async () => {
    const list = (q: string) => call(base, 'GET', `/tickets?${q}`, { token: admin }).then(numbers);
    expect(await list(`assignee=${colleagueId.toHexString()}`)).toEqual([4]);
    expect(await list(`team=${frontDesk.toHexString()}&status=active`)).toEqual([1, 4]);
    expect(await list('level=L4')).toEqual([5]);
    expect(await list('level=L3')).toEqual([]);
    expect(await list('priority=urgent')).toEqual([4, 6]);
    expect(await list('priority=low,high&status=active')).toEqual([1, 3]);
    expect(await list('age=under-1d')).toEqual([1, 6]);
    expect(await list('age=1-3d')).toEqual([5]);
    expect(await list('age=3-7d')).toEqual([3]);
    expect(await list('age=over-7d')).toEqual([4]);
    expect(await list(`category=${billing.toHexString()}&level=L1`)).toEqual([1, 4]);
    expect(await list(`assignee=unassigned&team=${partner.toHexString()}`)).toEqual([5]);
  });

  it('keeps an agent’s filters within their inbox', async () => {
    const list = (q: string) => call(base, 'GET', `/tickets?${q}`, { token: agent }).then(numbers);
    // The colleague's ticket 4 and Front desk's ticket 4 are in inbox B, not the agent's.
    expect(await list(`assignee=${colleagueId.toHexString()}`)).toEqual([]);
    expect(await list(`assignee=${agentId.toHexString()}`)).toEqual([1]);
    expect(await list(`team=${frontDesk.toHexString()}`)).toEqual([1]);
    expect(await list(`team=${partner.toHexString()}`)).toEqual([]);
    expect(await list('level=L4')).toEqual([]);
    expect(await list('priority=urgent')).toEqual([6]);
    expect(await list(`category=${billing.toHexString()}`)).toEqual([1, 6]);
  });

  it('answers a team or category that does not exist with 404, and a malformed filter with 400 naming it', async () => {
    for (const q of [`team=${new Types.ObjectId().toHexString()}`, 'team=frontdesk', `category=${new Types.ObjectId().toHexString()}`]) {
      const res = await call(base, 'GET', `/tickets?${q}`, { token: agent });
      expect(res.status, q).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    for (const [q, field] of [['assignee=someone', 'assignee'], ['level=L0', 'level'], ['priority=high,critical', 'priority.1'], ['age=old', 'age'], ['priority=a&priority=b', 'priority']]) {
      const res = await call(base, 'GET', `/tickets?${q}`, { token: agent });
      expect(res.status, q).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });

  it('saves views holding the new filters, checked the same way', async () => {
    const filters = { team: frontDesk.toHexString(), level: 'L1', priority: 'high,urgent', age: 'under-1d', category: billing.toHexString(), assignee: agentId.toHexString(), status: 'active' };
    const saved = await call(base, 'POST', '/views', { token: agent, body: { name: 'Front desk, hot', filters } });
    expect(saved.status).toBe(201);
    expect(saved.body.filters).toEqual(filters);
    expect(numbers(await call(base, 'GET', `/tickets?${new URLSearchParams(saved.body.filters).toString()}`, { token: agent }))).toEqual([1]);
    const bad = await call(base, 'POST', '/views', { token: agent, body: { name: 'Bad', filters: { age: 'ancient' } } });
    expect(bad.status).toBe(400);
  });
});
