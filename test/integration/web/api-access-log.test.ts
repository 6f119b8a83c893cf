import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
let manager: string;
let agentId: string;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let ticketId: Types.ObjectId;
let hiddenId: Types.ObjectId;
let fileId: string;

interface Entry {
  action: string;
  user: { id: string; name: string | null } | null;
  ticket: { id: string; number: number | null } | null;
  detail: string | null;
}

const log = async (query = '') => {
  const res = await call(h.base, 'GET', `/access-log${query}`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return res.body as { items: Entry[]; nextCursor: string | null };
};

beforeAll(async () => {
  h = await startApi('api_access_log');
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await h.models.Inbox.create([
    { _id: inboxA, name: 'Support', address: 'a@example.com', ...account },
    { _id: inboxB, name: 'Billing', address: 'b@example.com', ...account },
  ]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin', name: 'Ada' });
  agentId = String((await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA], name: 'Gina' }))._id);
  await createUser(h.models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [inboxA, inboxB] });
  [admin, agent, manager] = await Promise.all([
    login(h.base, 'admin@example.com', 'admin password 123'),
    login(h.base, 'agent@example.com', 'agent password 123'),
    login(h.base, 'manager@example.com', 'manager password 123'),
  ]);
  ticketId = (await h.models.Ticket.create({ number: 31, inboxId: inboxA, subject: 'Lost parcel', requester: { email: 'zoe@example.org', name: 'Zoë' }, status: 'open' }))._id;
  hiddenId = (await h.models.Ticket.create({ number: 32, inboxId: inboxB, subject: 'Refund', requester: { email: 'olaf@example.org' }, status: 'open' }))._id;
  const file = (await h.blobs.put(Buffer.from('photo bytes'), { filename: 'x', contentType: 'image/jpeg' })).id as unknown as Types.ObjectId;
  fileId = file.toHexString();
  await h.models.Message.create({
    ticketId, inboxId: inboxA, direction: 'inbound', from: { address: 'zoe@example.org', name: 'Zoë' }, to: [{ address: 'a@example.com' }], subject: 'Lost parcel',
    attachments: [{ fileId: file, filename: 'zoe-parcel.jpg', contentType: 'image/jpeg', size: 11, sha256: 'x', inline: false }],
  });
});
afterAll(() => h.close());

describe('GET /api/v1/access-log', () => {
  it('shows who opened a ticket and downloaded its attachment, newest first; lists and refusals leave no entry', async () => {
    expect((await call(h.base, 'GET', '/tickets', { token: agent })).status).toBe(200);
    expect((await call(h.base, 'GET', `/tickets/${hiddenId.toHexString()}`, { token: agent })).status).toBe(404);
    expect((await call(h.base, 'GET', `/tickets/${ticketId.toHexString()}`, { token: agent })).status).toBe(200);
    const download = await fetch(`${h.base}/attachments/${fileId}`, { headers: { authorization: `Bearer ${agent}` } });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('photo bytes');

    const { items, nextCursor } = await log();
    expect(nextCursor).toBeNull();
    expect(items.map((e) => e.action)).toEqual(['attachment_downloaded', 'ticket_viewed']);
    for (const e of items) expect(e).toMatchObject({ user: { id: agentId, name: 'Gina' }, ticket: { id: ticketId.toHexString(), number: 31 } });
    expect(items[0]!.detail).toMatch(/^messageId=[0-9a-f]{24} attachment=0$/);
    expect(JSON.stringify(items)).not.toMatch(/zoe|parcel/i);
  });

  it('filters by user, action, ticket number and period, and pages', async () => {
    await call(h.base, 'GET', `/tickets/${hiddenId.toHexString()}`, { token: admin });
    expect((await log(`?ticket=32`)).items.map((e) => e.user?.name)).toEqual(['Ada']);
    expect((await log(`?user=${agentId}&action=ticket_viewed`)).items.map((e) => e.ticket?.number)).toEqual([31]);
    expect((await log('?ticket=%2331&action=attachment_downloaded')).items).toHaveLength(1);
    expect((await log('?ticket=4040')).items).toEqual([]);
    expect((await log('?to=2000-01-01')).items).toEqual([]);
    const first = await log('?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await log(`?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((e) => e.action)).toEqual(['ticket_viewed']);
    expect(second.nextCursor).toBeNull();
  });

  it('is for admins only', async () => {
    for (const token of [agent, manager]) {
      const res = await call(h.base, 'GET', '/access-log', { token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await call(h.base, 'GET', '/access-log')).status).toBe(401);
  });

  it('answers 400 naming each bad parameter, in the caller’s language', async () => {
    const res = await call(h.base, 'GET', '/access-log?action=deleted&ticket=abc&from=tomorrow&user=1&user=2', { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['user', 'action', 'ticket', 'from']);
    const fr = await call(h.base, 'GET', '/access-log?action=deleted', { token: admin, headers: { 'accept-language': 'fr' } });
    expect(fr.status).toBe(400);
    expect(fr.body.error.message).toContain('filtre du journal des accès');
    expect(fr.body.error.details.issues[0].message).toContain('doit être l’une de ces valeurs');
  });

  it('answers as the OpenAPI document says', async () => {
    await h.stores.accessLog.record({ at: new Date(), userId: null, action: 'retention_applied', inboxId: inboxB, detail: 'anonymised=2' });
    await h.stores.accessLog.record({ at: new Date(), userId: new Types.ObjectId(), action: 'contact_viewed', contactId: new Types.ObjectId(), ticketId: new Types.ObjectId() });
    const doc = (await call(h.base, 'GET', '/openapi.json')).body;
    const op = doc.paths['/access-log'].get;
    expect(op.operationId).toBe('listAccessLog');
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['user', 'action', 'ticket', 'from', 'to', 'cursor', 'limit']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    const asDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
    const schema = z.fromJSONSchema({ ...asDefs(op.responses['200'].content['application/json'].schema), $defs: asDefs(doc.components.schemas) });
    const page = await log();
    expect(page.items.map((e) => e.action)).toEqual(expect.arrayContaining(['retention_applied', 'contact_viewed', 'ticket_viewed', 'attachment_downloaded']));
    expect(schema.safeParse(page).error?.issues ?? []).toEqual([]);
  });
});
