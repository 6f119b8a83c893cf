import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agentA: string;
let managerA: string;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();

beforeAll(async () => {
  h = await startApi('api_categories');
  await h.models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } },
    { _id: inboxB, name: 'B', address: 'b@example.com', imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } },
  ]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA] });
  await createUser(h.models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inboxA] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agentA = await login(h.base, 'agent@example.com', 'agent password 123');
  managerA = await login(h.base, 'manager@example.com', 'manager password 123');
});
afterAll(() => h.close());

describe('/api/v1/categories', () => {
  it('admins create, rename and archive; everyone lists the global ones and their inboxes’ only', async () => {
    const global = await call(h.base, 'POST', '/categories', { token: admin, body: { name: ' Facturation ' } });
    expect(global.status).toBe(201);
    expect(global.body).toMatchObject({ name: 'Facturation', inboxId: null, archived: false });
    const ofA = await call(h.base, 'POST', '/categories', { token: admin, body: { name: 'Accès / mot de passe', inboxId: inboxA.toHexString() } });
    const ofB = await call(h.base, 'POST', '/categories', { token: admin, body: { name: 'Incident', inboxId: inboxB.toHexString() } });
    expect([ofA.status, ofB.status]).toEqual([201, 201]);

    const seen = await call(h.base, 'GET', '/categories', { token: agentA });
    expect(seen.status).toBe(200);
    expect(seen.body.items.map((c: { name: string }) => c.name).sort()).toEqual(['Accès / mot de passe', 'Facturation']);
    expect((await call(h.base, 'GET', '/categories', { token: admin })).body.items).toHaveLength(3);

    const renamed = await call(h.base, 'PATCH', `/categories/${ofA.body.id}`, { token: admin, body: { name: 'Accès', archived: true } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Accès', archived: true, inboxId: inboxA.toHexString() });
  });

  it('refuses non-admins (403), duplicates in a scope (409), bad input (400) and unknown ids (404)', async () => {
    for (const token of [agentA, managerA]) {
      const res = await call(h.base, 'POST', '/categories', { token, body: { name: 'Mine' } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const made = await call(h.base, 'POST', '/categories', { token: admin, body: { name: 'Réseau', inboxId: inboxA.toHexString() } });
    expect((await call(h.base, 'PATCH', `/categories/${made.body.id}`, { token: agentA, body: { archived: true } })).status).toBe(403);
    expect((await call(h.base, 'POST', '/categories', { token: admin, body: { name: 'Réseau', inboxId: inboxA.toHexString() } })).status).toBe(409);
    expect((await call(h.base, 'POST', '/categories', { token: admin, body: { name: 'Réseau', inboxId: inboxB.toHexString() } })).status).toBe(201);
    const tooLong = await call(h.base, 'POST', '/categories', { token: admin, body: { name: 'x'.repeat(81) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['name']);
    expect((await call(h.base, 'PATCH', `/categories/${new Types.ObjectId().toHexString()}`, { token: admin, body: { name: 'X' } })).status).toBe(404);
  });
});
