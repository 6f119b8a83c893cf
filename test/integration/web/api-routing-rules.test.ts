import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let manager: string;
let agent: string;
const inbox = new Types.ObjectId();
const team = new Types.ObjectId();

const rule = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  conditions: [{ kind: 'subject', words: ['invoice'] }],
  actions: [{ kind: 'tags', tags: ['Billing'] }],
  ...extra,
});

beforeAll(async () => {
  h = await startApi('api_routing_rules');
  await h.models.Inbox.create([{ _id: inbox, name: 'A', address: 'a@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } }]);
  await h.models.Team.create({ _id: team, name: 'Billing', level: 'L2', inboxIds: [inbox], memberIds: [] });
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inbox] });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inbox] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  manager = await login(h.base, 'manager@example.com', 'manager password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
});
afterAll(() => h.close());

describe('/api/v1/routing-rules', () => {
  it('admins add, read, change and delete rules, which run in the order they were added', async () => {
    const first = await call(h.base, 'POST', '/routing-rules', { token: admin, body: rule('Invoices', { actions: [{ kind: 'team', teamId: team.toHexString() }, { kind: 'tags', tags: ['Billing', 'billing'] }] }) });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'Invoices', enabled: true, onReplies: false, stop: false, order: 1, actions: [{ kind: 'team', teamId: team.toHexString() }, { kind: 'tags', tags: ['billing'] }] });
    const second = await call(h.base, 'POST', '/routing-rules', { token: admin, body: rule('French mail', { conditions: [{ kind: 'language', languages: ['fr'] }, { kind: 'businessHours', negate: true }], stop: true }) });
    expect(second.body).toMatchObject({ order: 2, stop: true, conditions: [{ kind: 'language', languages: ['fr'] }, { kind: 'businessHours', negate: true }] });

    expect((await call(h.base, 'GET', '/routing-rules', { token: admin })).body.items.map((r: { name: string }) => r.name)).toEqual(['Invoices', 'French mail']);
    expect((await call(h.base, 'GET', `/routing-rules/${first.body.id}`, { token: admin })).body.name).toBe('Invoices');
    const patched = await call(h.base, 'PATCH', `/routing-rules/${first.body.id}`, { token: admin, body: { enabled: false, onReplies: true } });
    expect(patched.body).toMatchObject({ enabled: false, onReplies: true, name: 'Invoices' });
    expect((await call(h.base, 'PATCH', `/routing-rules/${first.body.id}`, { token: admin, body: { name: 'French mail' } })).status).toBe(409);
    expect((await call(h.base, 'POST', '/routing-rules', { token: admin, body: rule('Invoices') })).status).toBe(409);

    expect((await call(h.base, 'DELETE', `/routing-rules/${second.body.id}`, { token: admin })).status).toBe(204);
    expect((await call(h.base, 'GET', `/routing-rules/${second.body.id}`, { token: admin })).status).toBe(404);
    expect((await call(h.base, 'DELETE', `/routing-rules/${second.body.id}`, { token: admin })).status).toBe(404);
  });

  it('refuses a bad rule naming each offending field', async () => {
    const bad = await call(h.base, 'POST', '/routing-rules', {
      token: admin,
      body: {
        name: 'Bad',
        conditions: [{ kind: 'subject', words: ['the'] }, { kind: 'header', name: 'X-Priority', op: 'contains' }, { kind: 'inbox', inboxIds: [new Types.ObjectId().toHexString()] }],
        actions: [{ kind: 'team', teamId: new Types.ObjectId().toHexString() }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['actions.0.teamId', 'conditions.0.words.0', 'conditions.1.value', 'conditions.2.inboxIds.0']);
    const shape = await call(h.base, 'POST', '/routing-rules', { token: admin, body: { name: 'Shape', conditions: [{ kind: 'colour' }], actions: [] } });
    expect(shape.status).toBe(400);
    expect(shape.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['conditions.0.kind', 'actions']));
  });

  it('reorders with every rule named once, and dry-runs a rule', async () => {
    const c = await call(h.base, 'POST', '/routing-rules', { token: admin, body: rule('Third') });
    const all = (await call(h.base, 'GET', '/routing-rules', { token: admin })).body.items.map((r: { id: string }) => r.id);
    const reversed = [...all].reverse();
    const done = await call(h.base, 'POST', '/routing-rules/reorder', { token: admin, body: { ids: reversed } });
    expect(done.status).toBe(200);
    expect(done.body.items.map((r: { id: string }) => r.id)).toEqual(reversed);
    expect((await call(h.base, 'POST', '/routing-rules/reorder', { token: admin, body: { ids: reversed.slice(1) } })).status).toBe(400);

    const dry = await call(h.base, 'POST', `/routing-rules/${c.body.id}/dry-run`, { token: admin });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ ruleId: c.body.id, rule: 'Third', examined: 0, matches: [] });
    expect((await call(h.base, 'POST', `/routing-rules/${new Types.ObjectId().toHexString()}/dry-run`, { token: admin })).status).toBe(404);
  });

  it('is for admins: managers and agents get 403', async () => {
    for (const token of [manager, agent]) {
      expect((await call(h.base, 'GET', '/routing-rules', { token })).status).toBe(403);
      expect((await call(h.base, 'POST', '/routing-rules', { token, body: rule('Nope') })).status).toBe(403);
    }
  });
});
