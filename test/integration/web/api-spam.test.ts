import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
let outsider: string;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let number = 0;

async function ticket(email: string, status: 'open' | 'pending' = 'open') {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId: inboxA, subject: `Ticket ${number}`, requester: { email }, status, lastActivityAt: new Date(Date.now() - number * 60_000) });
  return t._id.toHexString();
}
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((t) => t.id);

beforeAll(async () => {
  h = await startApi('api_spam', { refreshSla: async () => {} });
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await h.models.Inbox.create([{ _id: inboxA, name: 'A', address: 'a@example.com', ...account }, { _id: inboxB, name: 'B', address: 'b@example.com', ...account }]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA] });
  await createUser(h.models, { email: 'other@example.com', password: 'other password 123', inboxIds: [inboxB] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
  outsider = await login(h.base, 'other@example.com', 'other password 123');
});
afterAll(() => h.close());

describe('POST /tickets/:id/spam and /not-spam', () => {
  it('moves a ticket to Spam and back: listed only with status=spam, its sender on the block list meanwhile', async () => {
    const id = await ticket('Bulk@Offers.Example', 'pending');
    const other = await ticket('customer@example.org');
    const res = await call(h.base, 'POST', `/tickets/${id}/spam`, { token: agent, body: { block: 'sender' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'spam' });
    expect(ids(await call(h.base, 'GET', '/tickets', { token: agent }))).toEqual(expect.arrayContaining([other]));
    expect(ids(await call(h.base, 'GET', '/tickets', { token: agent }))).not.toContain(id);
    expect(ids(await call(h.base, 'GET', '/tickets?status=spam', { token: agent }))).toEqual([id]);
    expect(ids(await call(h.base, 'GET', '/tickets?status=spam', { token: outsider }))).toEqual([]);
    const detail = await call(h.base, 'GET', `/tickets/${id}`, { token: agent });
    expect(detail.body.spam).toMatchObject({ block: { kind: 'sender', value: 'bulk@offers.example' } });
    expect(detail.body.events.map((e: { type: string }) => e.type)).toContain('marked_spam');

    const blocks = await call(h.base, 'GET', `/inboxes/${inboxA.toHexString()}/spam-blocks`, { token: admin });
    expect(blocks.status).toBe(200);
    expect(blocks.body.items).toEqual([expect.objectContaining({ kind: 'sender', value: 'bulk@offers.example', ticketId: id })]);

    // Nobody answers spam, and its status is left only through not-spam.
    expect((await call(h.base, 'POST', `/tickets/${id}/replies`, { token: agent, body: { text: 'Thanks for your offer' } })).status).toBe(409);
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
    expect((await call(h.base, 'PATCH', `/tickets/${id}`, { token: agent, body: { status: 'open' } })).status).toBe(409);
    expect((await call(h.base, 'PATCH', `/tickets/${other}`, { token: agent, body: { status: 'spam' } })).status).toBe(400);

    const back = await call(h.base, 'POST', `/tickets/${id}/not-spam`, { token: agent });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id, status: 'pending' });
    expect((await call(h.base, 'GET', `/tickets/${id}`, { token: agent })).body.spam).toBeNull();
    expect((await call(h.base, 'GET', `/inboxes/${inboxA.toHexString()}/spam-blocks`, { token: admin })).body.items).toEqual([]);
    expect(ids(await call(h.base, 'GET', '/tickets', { token: agent }))).toContain(id);
  });

  it('answers 404 to an agent of another inbox, and 400 for a public provider’s domain or an unknown choice', async () => {
    const id = await ticket('someone@gmail.com');
    expect((await call(h.base, 'POST', `/tickets/${id}/spam`, { token: outsider, body: { block: 'none' } })).status).toBe(404);
    expect((await call(h.base, 'POST', `/tickets/${id}/not-spam`, { token: outsider })).status).toBe(404);
    const refused = await call(h.base, 'POST', `/tickets/${id}/spam`, { token: agent, body: { block: 'domain' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['block']);
    expect(refused.body.error.message).toContain('gmail.com');
    expect((await call(h.base, 'POST', `/tickets/${id}/spam`, { token: agent, body: {} })).status).toBe(400);
    expect((await call(h.base, 'GET', `/tickets/${id}`, { token: agent })).body.status).toBe('open');
  });
});

describe('/inboxes/:id/spam-blocks', () => {
  it('lists and removes entries for admins only', async () => {
    const id = await ticket('noise@junk.example');
    await call(h.base, 'POST', `/tickets/${id}/spam`, { token: agent, body: { block: 'domain' } });
    const path = `/inboxes/${inboxA.toHexString()}/spam-blocks`;
    expect((await call(h.base, 'GET', path, { token: agent })).status).toBe(403);
    const [entry] = (await call(h.base, 'GET', path, { token: admin })).body.items;
    expect(entry).toMatchObject({ kind: 'domain', value: 'junk.example' });
    expect((await call(h.base, 'DELETE', `${path}/${entry.id}`, { token: agent })).status).toBe(403);
    expect((await call(h.base, 'DELETE', `${path}/${entry.id}`, { token: admin })).status).toBe(204);
    expect((await call(h.base, 'DELETE', `${path}/${entry.id}`, { token: admin })).status).toBe(404);
    expect((await call(h.base, 'GET', path, { token: admin })).body.items).toEqual([]);
    // Removing the entry does not take the ticket out of Spam.
    expect((await call(h.base, 'GET', `/tickets/${id}`, { token: agent })).body.status).toBe('spam');
    expect((await call(h.base, 'GET', `/inboxes/${new Types.ObjectId().toHexString()}/spam-blocks`, { token: admin })).status).toBe(404);
  });
});
