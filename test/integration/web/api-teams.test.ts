import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
let manager: string;
let agentId: string;
const inboxA = new Types.ObjectId();

beforeAll(async () => {
  h = await startApi('api_teams');
  await h.models.Inbox.create([{ _id: inboxA, name: 'A', address: 'a@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } }]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  agentId = String((await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [] }))._id);
  await createUser(h.models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inboxA] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
  manager = await login(h.base, 'manager@example.com', 'manager password 123');
});
afterAll(() => h.close());

describe('/api/v1/teams', () => {
  it('admins create, change and delete teams; names are unique; levels are L1–L4', async () => {
    const l1 = await call(h.base, 'POST', '/teams', { token: admin, body: { name: ' Accueil ', level: 'L1', inboxIds: [inboxA.toHexString()] } });
    expect(l1.status).toBe(201);
    expect(l1.body).toMatchObject({ name: 'Accueil', level: 'L1', memberIds: [], inboxIds: [inboxA.toHexString()] });
    const l2 = await call(h.base, 'POST', '/teams', { token: admin, body: { name: 'Réseau', level: 'L2', memberIds: [agentId], inboxIds: [inboxA.toHexString()] } });
    expect(l2.status).toBe(201);

    expect((await call(h.base, 'POST', '/teams', { token: admin, body: { name: 'Accueil', level: 'L2' } })).status).toBe(409);
    expect((await call(h.base, 'POST', '/teams', { token: admin, body: { name: 'X', level: 'L5' } })).status).toBe(400);
    const badMember = await call(h.base, 'POST', '/teams', { token: admin, body: { name: 'Y', level: 'L3', memberIds: [new Types.ObjectId().toHexString()] } });
    expect(badMember.status).toBe(400);
    expect(JSON.stringify(badMember.body)).toContain('memberIds');
    expect((await call(h.base, 'POST', '/teams', { token: agent, body: { name: 'Z', level: 'L1' } })).status).toBe(403);
    expect((await call(h.base, 'POST', '/teams', { token: manager, body: { name: 'Z', level: 'L1' } })).status).toBe(403);

    const renamed = await call(h.base, 'PATCH', `/teams/${l1.body.id}`, { token: admin, body: { name: 'Premier contact', level: 'L1' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Premier contact');
    expect((await call(h.base, 'PATCH', `/teams/${l1.body.id}`, { token: admin, body: { name: 'Réseau' } })).status).toBe(409);

    // Managers and admins list every team; an agent lists the teams they are in.
    expect((await call(h.base, 'GET', '/teams', { token: manager })).body.items.map((t: { name: string }) => t.name)).toEqual(['Premier contact', 'Réseau']);
    expect((await call(h.base, 'GET', '/teams', { token: agent })).body.items.map((t: { name: string }) => t.name)).toEqual(['Réseau']);
    expect((await call(h.base, 'GET', `/teams/${l1.body.id}`, { token: agent })).status).toBe(404);

    expect((await call(h.base, 'DELETE', `/teams/${l1.body.id}`, { token: manager })).status).toBe(403);
    expect((await call(h.base, 'DELETE', `/teams/${l1.body.id}`, { token: admin })).status).toBe(204);
    expect((await call(h.base, 'DELETE', `/teams/${l1.body.id}`, { token: admin })).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call(h.base, 'GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/teams'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/teams/{id}'])).toEqual(expect.arrayContaining(['patch', 'delete']));
    expect(doc.components.schemas.Team).toBeDefined();
  });
});

describe('an inbox’s default team', () => {
  it('is set through PATCH /inboxes/:id, and must be a team that works the inbox', async () => {
    const team = await call(h.base, 'POST', '/teams', { token: admin, body: { name: 'Default', level: 'L1', inboxIds: [inboxA.toHexString()] } });
    const elsewhere = await call(h.base, 'POST', '/teams', { token: admin, body: { name: 'Elsewhere', level: 'L2' } });
    const set = await call(h.base, 'PATCH', `/inboxes/${inboxA.toHexString()}`, { token: admin, body: { defaultTeamId: team.body.id } });
    expect(set.status).toBe(200);
    expect(set.body.defaultTeamId).toBe(team.body.id);
    const refused = await call(h.base, 'PATCH', `/inboxes/${inboxA.toHexString()}`, { token: admin, body: { defaultTeamId: elsewhere.body.id } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('defaultTeamId');
    const cleared = await call(h.base, 'PATCH', `/inboxes/${inboxA.toHexString()}`, { token: admin, body: { defaultTeamId: null } });
    expect(cleared.body.defaultTeamId).toBeNull();
  });
});
