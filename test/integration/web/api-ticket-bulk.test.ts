import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Models } from '../../../src/store/models/index.js';
import { call, createUser, login, startApi } from '../../helpers/api.js';

// Issue 16, triage: `POST /tickets/bulk`, the API side of the list page's bulk bar.
let base: string;
let models: Models;
let close: () => Promise<void>;
const refreshed: string[] = [];
let agent: string;
let agentId: Types.ObjectId;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let number = 0;

async function ticket(inboxId: Types.ObjectId, fields: Record<string, unknown> = {}): Promise<string> {
  number += 1;
  const t = await models.Ticket.create({ number, inboxId, subject: `Ticket ${number}`, requester: { email: 'rita@customer.test' }, status: 'open', ...fields });
  return t._id.toHexString();
}

beforeAll(async () => {
  const h = await startApi('api_bulk', { refreshSla: async (id: Types.ObjectId) => void refreshed.push(id.toHexString()) });
  models = h.models;
  base = h.base;
  close = () => h.close();
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@example.com', ...account },
    { _id: inboxB, name: 'B', address: 'b@example.com', ...account },
  ]);
  agentId = (await createUser(models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA], name: 'Agnes' }))._id;
  agent = await login(base, 'agent@example.com', 'agent password 123');
});
afterAll(() => close());

describe('POST /tickets/bulk', () => {
  it('applies the action ticket by ticket and answers one result per ticket, hidden ones as not found', async () => {
    const [a, b, hidden] = [await ticket(inboxA), await ticket(inboxA, { mergedIntoId: new Types.ObjectId() }), await ticket(inboxB)];
    refreshed.length = 0;
    const res = await call(base, 'POST', '/tickets/bulk', { token: agent, body: { ids: [a, b, hidden], action: 'assign', value: agentId.toHexString() } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'assign', updated: 1, failed: 2 });
    expect(res.body.results).toEqual([
      { id: a, ok: true },
      { id: b, ok: false, error: { code: 'CONFLICT', message: expect.any(String) } },
      { id: hidden, ok: false, error: { code: 'NOT_FOUND', message: 'Ticket not found' } },
    ]);
    expect((await models.Ticket.findById(a).lean())!.assigneeId?.equals(agentId)).toBe(true);
    expect((await models.Ticket.findById(hidden).lean())!.assigneeId ?? null).toBeNull();
    expect(refreshed).toEqual([a]);
  });

  it('words each ticket’s error in the caller’s language', async () => {
    const hidden = await ticket(inboxB);
    const res = await call(base, 'POST', '/tickets/bulk', { token: agent, body: { ids: [hidden], action: 'status', value: 'solved' }, headers: { 'accept-language': 'fr' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-language')).toBe('fr');
    expect(res.body.results[0].error.code).toBe('NOT_FOUND');
    expect(res.body.results[0].error.message).toMatch(/demande/i);
  });

  it('refuses more than 100 tickets, an unknown action and a bad value as a whole (400), changing nothing', async () => {
    const a = await ticket(inboxA);
    const tooMany = await call(base, 'POST', '/tickets/bulk', { token: agent, body: { ids: Array.from({ length: 101 }, () => a), action: 'status', value: 'solved' } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.issues).toEqual([{ path: 'ids', message: 'must name at most 100 tickets at once' }]);
    const unknown = await call(base, 'POST', '/tickets/bulk', { token: agent, body: { ids: [a], action: 'explode', value: null } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['action']);
    const badValue = await call(base, 'POST', '/tickets/bulk', { token: agent, body: { ids: [a], action: 'priority', value: 'asap' } });
    expect(badValue.status).toBe(400);
    expect(badValue.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['value']);
    expect((await models.Ticket.findById(a).lean())!.status).toBe('open');
  });

  it('is documented in the OpenAPI document with its request and result', async () => {
    const doc = (await call(base, 'GET', '/openapi.json')).body;
    const op = doc.paths['/tickets/bulk'].post;
    expect(op.operationId).toBe('bulkUpdateTickets');
    expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BulkInput' });
    const actions = doc.components.schemas.BulkInput.oneOf.map((v: { properties: { action: { const: string } } }) => v.properties.action.const);
    expect(actions).toEqual(['assign', 'team', 'status', 'priority', 'addTag', 'removeTag', 'merge', 'spam']);
    expect(doc.components.schemas.BulkResult.required).toEqual(['action', 'updated', 'failed', 'results']);
  });
});
