import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../../src/services/retention/apply-retention.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';

const MONTH_MS = 31 * 86_400_000;
let db: Awaited<ReturnType<typeof openTestDb>>;
let server: Awaited<ReturnType<typeof serve>>;
let base: string;
let admin: string;
let manager: string;
let agent: string;
const desk = new Types.ObjectId();
const other = new Types.ObjectId();

beforeAll(async () => {
  db = await openTestDb('api_retention');
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs: createBlobStore(db.connection.db!), now: () => new Date() },
  });
  server = await serve(app);
  base = `${server.base}/api/v1`;
  const inbox = (_id: Types.ObjectId, name: string) => ({ _id, name, address: `${name}@example.test`, imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 }, options: {} });
  await db.models.Inbox.create([inbox(desk, 'desk'), inbox(other, 'other')]);
  await createUser(db.models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin' });
  await createUser(db.models, { email: 'mia@example.test', password: 'mia password 123', role: 'manager', inboxIds: [desk] });
  await createUser(db.models, { email: 'amy@example.test', password: 'amy password 123', role: 'agent', inboxIds: [desk] });
  [admin, manager, agent] = await Promise.all([login(base, 'admin@example.test', 'admin password 123'), login(base, 'mia@example.test', 'mia password 123'), login(base, 'amy@example.test', 'amy password 123')]);
  const ago = (months: number) => new Date(Date.now() - months * MONTH_MS);
  await db.models.Ticket.create([
    { number: 1, inboxId: desk, subject: 'a', requester: { email: 'a@customer.test' }, status: 'closed', closedAt: ago(8) },
    { number: 2, inboxId: desk, subject: 'b', requester: { email: 'b@customer.test' }, status: 'closed', closedAt: ago(2) },
    { number: 3, inboxId: desk, subject: 'c', requester: { email: 'c@customer.test' }, status: 'solved', closedAt: null },
  ]);
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

describe('GET/PUT /inboxes/{id}/retention', () => {
  const url = `/inboxes/${desk.toHexString()}/retention`;

  it('answers the policy (off by default) and what the next run would touch', async () => {
    const res = await call(base, 'GET', url, { token: manager });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ inboxId: desk.toHexString(), policy: { months: null, action: 'anonymise' }, preview: { action: 'anonymise', months: null, cutoff: null, tickets: 0 } });
  });

  it('lets admins replace it, and previews a policy without saving it', async () => {
    const preview = await call(base, 'POST', `${url}/preview`, { token: manager, body: { months: 1, action: 'delete' } });
    expect(preview.status).toBe(200);
    expect(preview.body.preview).toMatchObject({ action: 'delete', months: 1, tickets: 2 });
    expect((await call(base, 'GET', url, { token: admin })).body.policy).toEqual({ months: null, action: 'anonymise' });

    const put = await call(base, 'PUT', url, { token: admin, body: { months: 6, action: 'anonymise' } });
    expect(put.status).toBe(200);
    expect(put.body.policy).toEqual({ months: 6, action: 'anonymise' });
    expect(put.body.preview.tickets).toBe(1);
    expect(new Date(put.body.preview.cutoff).getTime()).toBeLessThan(Date.now());
    expect((await db.models.Inbox.findById(desk).lean())!.retention).toEqual({ months: 6, action: 'anonymise' });
  });

  it('refuses bad input naming the field, managers’ changes, agents, and inboxes out of reach', async () => {
    for (const body of [{ months: 0, action: 'anonymise' }, { months: 121, action: 'delete' }, { months: 1.5, action: 'delete' }, { months: '6', action: 'delete' }, { months: 6, action: 'shred' }, { months: 6 }, { months: 6, action: 'delete', extra: 1 }]) {
      const res = await call(base, 'PUT', url, { token: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues.length).toBeGreaterThan(0);
    }
    expect((await call(base, 'PUT', url, { token: admin, body: { months: 0, action: 'anonymise' } })).body.error.details.issues[0].path).toBe('months');
    expect((await call(base, 'PUT', url, { token: manager, body: { months: 6, action: 'delete' } })).status).toBe(403);
    expect((await call(base, 'GET', url, { token: agent })).status).toBe(403);
    expect((await call(base, 'GET', `/inboxes/${other.toHexString()}/retention`, { token: manager })).status).toBe(404);
    expect((await call(base, 'GET', '/inboxes/nope/retention', { token: admin })).status).toBe(404);
    expect((await call(base, 'PUT', `/inboxes/${new Types.ObjectId().toHexString()}/retention`, { token: admin, body: { months: 6, action: 'delete' } })).status).toBe(404);
    expect((await db.models.Inbox.findById(desk).lean())!.retention).toEqual({ months: 6, action: 'anonymise' });
  });

  it('serves an anonymised ticket and its messages without the customer', async () => {
    const inboxId = new Types.ObjectId();
    await db.models.Inbox.create({ _id: inboxId, name: 'archive', address: 'archive@example.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 }, options: {}, retention: { months: 1, action: 'anonymise' } });
    const ticket = await db.models.Ticket.create({ number: 9, inboxId, subject: 'Quux gadget', requester: { email: 'zed@customer.test', name: 'Zed Quux' }, status: 'closed', closedAt: new Date(Date.now() - 3 * MONTH_MS), messageCount: 1 });
    await db.models.Message.create({ ticketId: ticket._id, inboxId, direction: 'inbound', subject: 'Quux gadget', text: 'My quux', from: { address: 'zed@customer.test', name: 'Zed Quux' }, to: [{ address: 'archive@example.test' }] });
    await applyRetention({ retention: db.stores.retention, blobs: createBlobStore(db.connection.db!), accessLog: db.stores.accessLog, reclaimSpace: async () => {}, scheduler: { schedule: async () => {} }, now: () => new Date(), logger: testLogger });
    const res = await call(base, 'GET', `/tickets/${ticket._id.toHexString()}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/quux|zed@/i);
    expect(res.text).toContain('"messageCount":1');
  });
});
