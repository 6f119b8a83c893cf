import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteInbox } from '../../../src/services/inboxes/delete-inbox.js';
import { call, createUser, login } from '../../helpers/api.js';
import { startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let api: string;
let admin: string;
let manager: string;
let oldAgent: string;
let targetAgent: string;
const kept = new Types.ObjectId();
const moving = new Types.ObjectId();
const target = new Types.ObjectId();
let number = 0;

const inboxDoc = (_id: Types.ObjectId, name: string) => ({ _id, name, address: `${name.toLowerCase()}@example.com`, imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } });
async function ticket(inboxId: Types.ObjectId) {
  number += 1;
  return h.models.Ticket.create({ number, inboxId, subject: `Ticket ${number}`, requester: { email: `c${number}@example.com` } });
}
const listIds = async (token: string) => ((await call(api, 'GET', '/tickets?limit=100', { token })).body.items as Array<{ id: string }>).map((t) => t.id).sort();

beforeAll(async () => {
  h = await startSendingApp('api_inbox_delete');
  api = `${h.base}/api/v1`;
  await h.models.Inbox.create([inboxDoc(kept, 'Kept'), inboxDoc(moving, 'Moving'), inboxDoc(target, 'Target')]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'manager@example.com', password: 'manager password 123', role: 'manager', inboxIds: [kept, moving, target] });
  await createUser(h.models, { email: 'old@example.com', password: 'agent password 123', inboxIds: [kept, moving] });
  await createUser(h.models, { email: 'target@example.com', password: 'agent password 123', inboxIds: [target] });
  admin = await login(api, 'admin@example.com', 'admin password 123');
  manager = await login(api, 'manager@example.com', 'manager password 123');
  oldAgent = await login(api, 'old@example.com', 'agent password 123');
  targetAgent = await login(api, 'target@example.com', 'agent password 123');
});
afterAll(() => h.close());

describe('deleting an inbox', () => {
  it('refuses managers and agents, and a wrongly typed name', async () => {
    const body = { mode: 'keep', confirmName: 'Kept' };
    expect((await call(api, 'DELETE', `/inboxes/${kept}`, { token: manager, body })).status).toBe(403);
    expect((await call(api, 'DELETE', `/inboxes/${kept}`, { token: oldAgent, body })).status).toBe(403);
    expect((await call(api, 'POST', `/inboxes/${kept}/disable`, { token: manager })).status).toBe(403);
    const wrong = await call(api, 'DELETE', `/inboxes/${kept}`, { token: admin, body: { mode: 'keep', confirmName: 'kept?' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.issues[0].path).toBe('confirmName');
    expect(await h.models.Inbox.findById(kept).lean()).toMatchObject({ deletedAt: null });
  });

  it('keeps the tickets read-only: readable and listed, reply refused, inbox gone from the lists', async () => {
    const t = await ticket(kept);
    const res = await call(api, 'DELETE', `/inboxes/${kept}`, { token: admin, body: { mode: 'keep', confirmName: 'Kept' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mode: 'keep' });
    expect((await call(api, 'GET', `/tickets/${t.id}`, { token: oldAgent })).status).toBe(200);
    expect(await listIds(oldAgent)).toContain(t.id);
    const reply = await call(api, 'POST', `/tickets/${t.id}/replies`, { token: oldAgent, body: { text: 'Hello' } });
    expect(reply.status).toBe(409);
    expect(reply.body.error.message).toContain('read-only');
    const names = ((await call(api, 'GET', '/inboxes', { token: admin })).body.items as Array<{ name: string }>).map((i) => i.name);
    expect(names).toEqual(['Moving', 'Target']);
    expect((await h.stores.inboxes.listAll()).map((i) => i.name).sort()).toEqual(['Moving', 'Target']);
  });

  it('moves every ticket with its access, finishing an interrupted move without duplicates', async () => {
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await ticket(moving));
    await h.models.CannedReply.create({ inboxId: moving, title: 'Thanks', body: 'Thanks!' });
    const actor = { userId: new Types.ObjectId(), role: 'admin' as const, inboxIds: [] };
    const crashing = {
      inboxes: h.stores.inboxes,
      inboxRemoval: h.stores.inboxRemoval,
      now: () => new Date(),
      batchSize: 2,
      onBatch: () => {
        throw new Error('crash after the first batch');
      },
    };
    await expect(deleteInbox(crashing, actor, moving.toHexString(), { mode: 'move', moveTo: target.toHexString(), confirmName: 'Moving' })).rejects.toThrow('crash');
    expect(await h.models.Ticket.countDocuments({ inboxId: target })).toBe(2);
    expect(await h.models.Inbox.findById(moving).lean()).toMatchObject({ movingTo: target });

    // Asked again (the target recorded first wins), it finishes the move.
    const res = await call(api, 'DELETE', `/inboxes/${moving}`, { token: admin, body: { mode: 'keep', confirmName: 'Moving' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mode: 'move', moved: 3, to: target.toHexString() });
    expect(await h.models.Inbox.findById(moving).lean()).toBeNull();
    const moved = await h.models.Ticket.find({ _id: { $in: tickets.map((t) => t._id) } }).lean();
    expect(moved.map((t) => [String(t.inboxId), t.access])).toEqual(tickets.map(() => [target.toHexString(), [`inbox:${target}`]]));
    // One trail entry per ticket, however often the move ran.
    expect(await h.models.TicketEvent.countDocuments({ type: 'inbox_moved', ticketId: { $in: tickets.map((t) => t._id) } })).toBe(5);
    // Its canned replies went with the tickets.
    expect(await h.models.CannedReply.countDocuments({ inboxId: moving })).toBe(0);
    expect(await h.models.CannedReply.countDocuments({ inboxId: target, title: 'Thanks' })).toBe(1);
    expect((await h.models.User.findOne({ email: 'old@example.com' }).lean())!.inboxIds.map(String)).toEqual([kept.toHexString()]);

    const ids = tickets.map((t) => t.id).sort();
    expect(await listIds(targetAgent)).toEqual(ids);
    expect(await listIds(oldAgent)).not.toEqual(expect.arrayContaining([ids[0]]));
    expect((await call(api, 'GET', `/tickets/${ids[0]}`, { token: oldAgent })).status).toBe(404);
  });
});
