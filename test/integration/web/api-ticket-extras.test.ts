import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Models } from '../../../src/store/models/index.js';
import { call, createUser, login, startApi } from '../../helpers/api.js';

let base: string;
let models: Models;
let close: () => Promise<void>;
const refreshed: string[] = [];
let admin: string;
let manager: string;
let agent: string;
let agentId: Types.ObjectId;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let number = 0;

async function ticket(inboxId: Types.ObjectId, email: string, fields: Record<string, unknown> = {}) {
  number += 1;
  return models.Ticket.create({ number, inboxId, subject: `Ticket ${number}`, requester: { email }, status: 'open', createdAt: new Date(Date.UTC(2026, 2, 1, 12, number)), ...fields });
}

const path = (inboxId: Types.ObjectId, rest = '') => `/inboxes/${inboxId.toHexString()}/canned-replies${rest}`;

beforeAll(async () => {
  const h = await startApi('api_extras', { refreshSla: async (id: Types.ObjectId) => void refreshed.push(id.toHexString()) });
  models = h.models;
  base = h.base;
  close = () => h.close();
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@example.com', ...account },
    { _id: inboxB, name: 'B', address: 'b@example.com', ...account },
  ]);
  await createUser(models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inboxA] });
  agentId = (await createUser(models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA], name: 'Agnes' }))._id;
  admin = await login(base, 'admin@example.com', 'admin password 123');
  manager = await login(base, 'manager@example.com', 'manager password 123');
  agent = await login(base, 'agent@example.com', 'agent password 123');
});
afterAll(() => close());

describe('canned replies API', () => {
  it('lets a manager create, change and delete, and the inbox agents read', async () => {
    const created = await call(base, 'POST', path(inboxA), { token: manager, body: { title: ' Thanks ', body: 'Thanks {{customer.name}}!' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ inboxId: inboxA.toHexString(), title: 'Thanks', body: 'Thanks {{customer.name}}!' });
    const id = created.body.id as string;

    const listed = await call(base, 'GET', path(inboxA), { token: agent });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([id]);

    const patched = await call(base, 'PATCH', path(inboxA, `/${id}`), { token: manager, body: { body: 'Thank you, {{customer.name}}.' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, title: 'Thanks', body: 'Thank you, {{customer.name}}.' });

    expect((await call(base, 'DELETE', path(inboxA, `/${id}`), { token: manager })).status).toBe(204);
    expect((await call(base, 'DELETE', path(inboxA, `/${id}`), { token: manager })).status).toBe(404);
    expect((await call(base, 'GET', path(inboxA), { token: agent })).body.items).toEqual([]);
  });

  it('names every invalid field, including an unknown placeholder', async () => {
    const res = await call(base, 'POST', path(inboxA), { token: manager, body: { title: 'x'.repeat(101), body: 'Hi {{customer.nmae}}', extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const issues = res.body.error.details.issues as Array<{ path: string; message: string }>;
    expect(issues.map((i) => i.path).sort()).toEqual(['body', 'extra', 'title']);
    expect(issues.find((i) => i.path === 'body')?.message).toBe('uses an unknown placeholder: {{customer.nmae}}');
    expect(await models.CannedReply.countDocuments({ inboxId: inboxA })).toBe(0);
  });

  it('answers 403 to agents who change, and 404 outside the caller\'s inboxes', async () => {
    expect((await call(base, 'POST', path(inboxA), { token: agent, body: { title: 'T', body: 'B' } })).status).toBe(403);
    expect((await call(base, 'GET', path(inboxB), { token: agent })).status).toBe(404);
    expect((await call(base, 'POST', path(inboxB), { token: manager, body: { title: 'T', body: 'B' } })).status).toBe(404);
    expect((await call(base, 'GET', path(new Types.ObjectId()), { token: admin })).status).toBe(404);
    const elsewhere = await models.CannedReply.create({ inboxId: inboxB, title: 'B only', body: 'text' });
    // A reply id of another inbox is not found through this inbox.
    expect((await call(base, 'PATCH', path(inboxA, `/${elsewhere._id.toHexString()}`), { token: admin, body: { title: 'moved?' } })).status).toBe(404);
    expect((await models.CannedReply.findById(elsewhere._id).lean())?.title).toBe('B only');
  });

  it('keeps an inbox at 200 canned replies', async () => {
    const inboxC = new Types.ObjectId();
    await models.Inbox.create({ _id: inboxC, name: 'C', address: 'c@example.com', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
    await models.CannedReply.insertMany(Array.from({ length: 200 }, (_, i) => ({ inboxId: inboxC, title: `Reply ${i}`, body: 'text' })));
    const res = await call(base, 'POST', path(inboxC), { token: admin, body: { title: 'One more', body: 'text' } });
    expect(res.status).toBe(409);
    expect(await models.CannedReply.countDocuments({ inboxId: inboxC })).toBe(200);
  });

  it('fills a canned reply for a ticket as plain text', async () => {
    const t = await ticket(inboxA, 'ann@example.org', { requester: { email: 'ann@example.org', name: '<i>Ann</i>' } });
    const c = await models.CannedReply.create({ inboxId: inboxA, title: 'Hello', body: 'Hello {{customer.name}}, #{{ticket.number}} is with {{agent.name}}.' });
    const res = await call(base, 'GET', `/tickets/${t._id.toHexString()}/canned-replies/${c._id.toHexString()}`, { token: agent });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: c._id.toHexString(), title: 'Hello', text: `Hello <i>Ann</i>, #${t.number} is with Agnes.` });
    const hidden = await ticket(inboxB, 'ann@example.org');
    expect((await call(base, 'GET', `/tickets/${hidden._id.toHexString()}/canned-replies/${c._id.toHexString()}`, { token: agent })).status).toBe(404);
  });
});

describe('merge API', () => {
  it('merges a ticket into the one named by intoId and returns the survivor', async () => {
    const keep = await ticket(inboxA, 'bob@example.org');
    const merge = await ticket(inboxA, 'bob@example.org', { sla: { awaitingSince: new Date('2026-03-01T10:00:00Z'), pausedSeconds: 0, escalationLevel: 0 } });
    await models.Message.create({ ticketId: merge._id, inboxId: inboxA, direction: 'inbound', text: 'second mail', flags: { autoSubmitted: false, bounce: false } });
    refreshed.length = 0;
    const res = await call(base, 'POST', `/tickets/${merge._id.toHexString()}/merge`, { token: agent, body: { intoId: keep._id.toHexString() } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: keep._id.toHexString(), number: keep.number, messageCount: 1 });
    expect(res.body.sla.awaitingSince).toBe('2026-03-01T10:00:00.000Z');
    expect(refreshed).toEqual([keep._id.toHexString(), merge._id.toHexString()]);

    const detail = await call(base, 'GET', `/tickets/${merge._id.toHexString()}`, { token: agent });
    expect(detail.body.mergedInto).toEqual({ id: keep._id.toHexString(), number: keep.number });
    const trail = await call(base, 'GET', `/tickets/${keep._id.toHexString()}`, { token: agent });
    const merged = trail.body.events.find((e: { type: string }) => e.type === 'merged');
    expect(merged.actor).toEqual({ kind: 'user', id: agentId.toHexString(), label: null });
    expect(merged.data).toMatchObject({ fromNumber: merge.number, reason: 'merged by an agent' });
    expect(trail.body.messages.map((m: { text: string }) => m.text)).toEqual(['second mail']);
  });

  it('refuses another requester (400), a hidden target (404), and a merged ticket (409)', async () => {
    const one = await ticket(inboxA, 'carl@example.org');
    const other = await ticket(inboxA, 'cora@example.org');
    const hidden = await ticket(inboxB, 'carl@example.org');
    const diff = await call(base, 'POST', `/tickets/${one._id.toHexString()}/merge`, { token: agent, body: { intoId: other._id.toHexString() } });
    expect(diff.status).toBe(400);
    expect(diff.body.error.details.issues).toEqual([{ path: 'intoId', message: 'belongs to another requester' }]);
    expect((await call(base, 'POST', `/tickets/${one._id.toHexString()}/merge`, { token: agent, body: { intoId: hidden._id.toHexString() } })).status).toBe(404);
    expect((await call(base, 'POST', `/tickets/${one._id.toHexString()}/merge`, { token: agent, body: {} })).status).toBe(400);

    const gone = await ticket(inboxA, 'carl@example.org');
    const third = await ticket(inboxA, 'carl@example.org');
    expect((await call(base, 'POST', `/tickets/${gone._id.toHexString()}/merge`, { token: agent, body: { intoId: one._id.toHexString() } })).status).toBe(200);
    const intoMerged = await call(base, 'POST', `/tickets/${third._id.toHexString()}/merge`, { token: agent, body: { intoId: gone._id.toHexString() } });
    expect(intoMerged.status).toBe(409);
    const fromMerged = await call(base, 'POST', `/tickets/${gone._id.toHexString()}/merge`, { token: agent, body: { intoId: third._id.toHexString() } });
    expect(fromMerged.status).toBe(409);
    expect((await models.Ticket.findById(third._id).lean())?.mergedIntoId ?? null).toBeNull();
    // An admin sees both inboxes, so the same requester's tickets there merge.
    expect((await call(base, 'POST', `/tickets/${hidden._id.toHexString()}/merge`, { token: admin, body: { intoId: one._id.toHexString() } })).status).toBe(200);
  });

  it("lists the requester's other tickets in the caller's inboxes", async () => {
    const current = await ticket(inboxA, 'dora@example.org');
    const older = await ticket(inboxA, 'dora@example.org');
    const hidden = await ticket(inboxB, 'dora@example.org');
    const asAgent = await call(base, 'GET', `/tickets/${current._id.toHexString()}/requester-tickets`, { token: agent });
    expect(asAgent.body.items.map((t: { id: string }) => t.id)).toEqual([older._id.toHexString()]);
    const asAdmin = await call(base, 'GET', `/tickets/${current._id.toHexString()}/requester-tickets`, { token: admin });
    expect(asAdmin.body.items.map((t: { id: string }) => t.id)).toEqual([hidden._id.toHexString(), older._id.toHexString()]);
  });
});
