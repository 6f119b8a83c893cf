import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login } from '../../helpers/api.js';
import { startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let api: string;
let ann: string;
let ben: string;
const inbox = new Types.ObjectId();

beforeAll(async () => {
  h = await startSendingApp('api_reply_conflict');
  api = `${h.base}/api/v1`;
  await h.models.Inbox.create({ _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'ann@example.test', password: 'ann password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'ben@example.test', password: 'ben password 123', inboxIds: [inbox] });
  ann = await login(api, 'ann@example.test', 'ann password 123');
  ben = await login(api, 'ben@example.test', 'ben password 123');
});
afterAll(() => h.close());

describe('POST /api/v1/tickets/:id/replies with seenUntil', () => {
  it('answers 409 CONFLICT naming what arrived after seenUntil, queues nothing, and sends once the client has seen it', async () => {
    const t = await h.models.Ticket.create({ number: 7, inboxId: inbox, subject: 'Router', requester: { email: 'cy@customer.test' }, status: 'open' });
    const read = await call(api, 'GET', `/tickets/${t._id}`, { token: ann });
    const seenUntil = new Date(Date.now() - 1000).toISOString();
    expect(read.status).toBe(200);

    const note = await call(api, 'POST', `/tickets/${t._id}/notes`, { token: ben, body: { text: 'Cy called, it works again' } });
    expect(note.status).toBe(201);
    const held = await call(api, 'POST', `/tickets/${t._id}/replies`, { token: ann, body: { text: 'Try a reboot.', seenUntil } });
    expect(held.status).toBe(409);
    expect(held.body.error).toMatchObject({ code: 'CONFLICT', details: { items: [{ id: note.body.id, kind: 'note' }] } });
    expect(await h.models.Outbox.countDocuments({ ticketId: t._id })).toBe(0);

    const again = await call(api, 'POST', `/tickets/${t._id}/replies`, { token: ann, body: { text: 'Glad it works again.', seenUntil: held.body.error.details.seenUntil } });
    expect(again.status).toBe(202);
    // Ann's own reply does not hold her next one; without seenUntil nothing is checked.
    expect((await call(api, 'POST', `/tickets/${t._id}/replies`, { token: ann, body: { text: 'PS', seenUntil: held.body.error.details.seenUntil } })).status).toBe(202);
    expect((await call(api, 'POST', `/tickets/${t._id}/replies`, { token: ann, body: { text: 'PPS' } })).status).toBe(202);
    expect(await h.models.Outbox.countDocuments({ ticketId: t._id })).toBe(3);
  });

  it('refuses a seenUntil that is not an ISO time', async () => {
    const t = await h.models.Ticket.create({ number: 8, inboxId: inbox, subject: 'Modem', requester: { email: 'cy@customer.test' }, status: 'open' });
    const res = await call(api, 'POST', `/tickets/${t._id}/replies`, { token: ann, body: { text: 'Hi', seenUntil: 'yesterday' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['seenUntil']);
  });
});
