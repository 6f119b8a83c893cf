import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { call, createUser, login } from '../../helpers/api.js';
import type { openTestDb } from '../../helpers/db.js';
import { rawMail } from '../../helpers/mail.js';
import { Client } from './pages-harness.js';
import { startSideConversationApp } from './side-conversation-app.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let desk: Awaited<ReturnType<typeof startSideConversationApp>>;
let api: string;
let inboxId: Types.ObjectId;
let ticketId: string;
const tokens: Record<string, string> = {};
const clients: Record<string, Client> = {};

beforeAll(async () => {
  desk = await startSideConversationApp('partners_web', ['support@example.test']);
  ({ db, api } = desk);
  inboxId = await desk.inbox('Support', 'support@example.test');
  for (const [name, role] of [['ada', 'admin'], ['max', 'manager'], ['gina', 'agent']] as const) {
    await createUser(db.models, { email: `${name}@example.test`, password: `${name} password 123`, role, inboxIds: [inboxId], name });
    tokens[name] = await login(api, `${name}@example.test`, `${name} password 123`);
    clients[name] = await Client.signedIn(desk.base, `${name}@example.test`, `${name} password 123`);
  }

  const result = await ingestEmail(desk.ingest, { inboxId, raw: rawMail({ from: 'ann@customer.test', subject: 'Parcel lost', messageId: 'p1@customer.test', body: 'My parcel never came.' }), source: null });
  ticketId = (result as { ticketId: Types.ObjectId }).ticketId.toHexString();
});
afterAll(async () => desk?.close());

describe('/api/v1/partners', () => {
  it('admins add, change and remove partners; everyone lists them; others get 403', async () => {
    const created = await call(api, 'POST', '/partners', { token: tokens.ada, body: { name: 'Carrier', address: 'claims@carrier.test', note: 'Lost parcels' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Carrier', address: 'claims@carrier.test', note: 'Lost parcels' });
    expect((await call(api, 'POST', '/partners', { token: tokens.ada, body: { name: 'Again', address: 'CLAIMS@carrier.test' } })).status).toBe(409);
    expect((await call(api, 'POST', '/partners', { token: tokens.ada, body: { name: '', address: 'not-an-address' } })).status).toBe(400);
    expect((await call(api, 'POST', '/partners', { token: tokens.gina, body: { name: 'X', address: 'x@x.test' } })).status).toBe(403);
    const listed = await call(api, 'GET', '/partners', { token: tokens.gina });
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Carrier']);
    const changed = await call(api, 'PATCH', `/partners/${created.body.id}`, { token: tokens.ada, body: { note: null } });
    expect(changed.body.note).toBeNull();
    const temp = await call(api, 'POST', '/partners', { token: tokens.ada, body: { name: 'Temp', address: 'temp@x.test' } });
    expect((await call(api, 'DELETE', `/partners/${temp.body.id}`, { token: tokens.max })).status).toBe(403);
    expect((await call(api, 'DELETE', `/partners/${temp.body.id}`, { token: tokens.ada })).status).toBe(204);
    expect((await call(api, 'GET', `/partners/${temp.body.id}`, { token: tokens.ada })).status).toBe(404);
  });
});

describe('/api/v1/tickets/:id/side-conversations', () => {
  it('an agent of the inbox sends the ticket to a partner, lists it, answers in it; the ticket waits with the partner', async () => {
    const partner = (await call(api, 'GET', '/partners', { token: tokens.gina })).body.items[0];
    const message = (await db.models.Message.findOne({ messageId: 'p1@customer.test' }).lean())!;
    const opened = await call(api, 'POST', `/tickets/${ticketId}/side-conversations`, { token: tokens.gina, body: { partnerId: partner.id, text: 'Please trace this parcel.', messageIds: [message._id.toHexString()] } });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ kind: 'partner', partnerName: 'Carrier', to: ['claims@carrier.test'], awaiting: true });
    const item = (await db.models.Outbox.findOne({ kind: 'side-conversation' }).lean())!;
    expect(item.envelope.to).toEqual(['claims@carrier.test']);

    const listed = await call(api, 'GET', `/tickets/${ticketId}/side-conversations`, { token: tokens.gina });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].messages[0].text).toContain('> My parcel never came.');
    const ticket = await call(api, 'GET', `/tickets/${ticketId}`, { token: tokens.gina });
    expect(ticket.body.status).toBe('with_partner');
    // The customer's conversation holds the customer's mail only.
    expect(ticket.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual(['p1@customer.test']);

    const replied = await call(api, 'POST', `/tickets/${ticketId}/side-conversations/${opened.body.id}/replies`, { token: tokens.gina, body: { text: 'Any news?' } });
    expect(replied.status).toBe(201);
    expect(replied.body.messages).toHaveLength(2);
    expect((await call(api, 'POST', `/tickets/${ticketId}/side-conversations`, { token: tokens.gina, body: { text: 'no recipient' } })).status).toBe(400);
    expect((await call(api, 'POST', `/tickets/${ticketId}/side-conversations/${new Types.ObjectId().toHexString()}/replies`, { token: tokens.gina, body: { text: 'x' } })).status).toBe(404);
  });

  it('finds `status:partner` and `status:partenaire` in a search, and lists the ticket under status=with_partner', async () => {
    for (const q of ['status:partner', 'status:partenaire']) {
      const found = await call(api, 'GET', `/tickets?q=${encodeURIComponent(q)}`, { token: tokens.gina });
      expect(found.status).toBe(200);
      expect(found.body.items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    }
    const listed = await call(api, 'GET', '/tickets?status=with_partner', { token: tokens.gina });
    expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
  });
});

describe('the pages', () => {
  it('/settings/partners: admins edit, managers read, agents are refused', async () => {
    const page = await clients.ada!.get('/settings/partners');
    expect(page.status).toBe(200);
    expect(page.text).toContain('claims@carrier.test');
    const added = await clients.ada!.post('/settings/partners', { _csrf: Client.csrf(page.text), name: 'Vendor', address: 'desk@vendor.test', note: '' });
    expect(added.status).toBe(303);
    expect(await db.models.Partner.countDocuments({ address: 'desk@vendor.test' })).toBe(1);
    const taken = await clients.ada!.post('/settings/partners', { _csrf: Client.csrf(page.text), name: 'Vendor 2', address: 'desk@vendor.test', note: '' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Another partner already has this address.');
    const read = await clients.max!.get('/settings/partners');
    expect(read.status).toBe(200);
    expect(read.text).not.toContain('action="/settings/partners"');
    expect((await clients.gina!.get('/settings/partners')).status).toBe(403);
  });

  it('the ticket page shows the side conversations apart, and its form opens one', async () => {
    const page = await clients.gina!.get(`/tickets/${ticketId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="side-conversations"');
    expect(page.text).toContain('Please trace this parcel.');
    // The trail says who sent it where; the status badge names the new status.
    expect(page.text).toContain('gina sent the ticket to claims@carrier.test (side conversation)');
    expect(page.text).toContain('status-with_partner');
    const vendor = (await db.models.Partner.findOne({ address: 'desk@vendor.test' }).lean())!;
    const csrf = /action="\/tickets\/[0-9a-f]+\/side-conversations".*?name="_csrf" value="([^"]+)"/s.exec(page.text)![1]!;
    const sent = await clients.gina!.post(`/tickets/${ticketId}/side-conversations`, { _csrf: csrf, partnerId: vendor._id.toHexString(), address: '', text: 'Do you have it?', requestKey: 'form-1' });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/tickets/${ticketId}#side-conversations`);
    expect(await db.models.SideConversation.countDocuments({ partnerId: vendor._id })).toBe(1);
    const bad = await clients.gina!.post(`/tickets/${ticketId}/side-conversations`, { _csrf: csrf, partnerId: vendor._id.toHexString(), address: 'x@y.test', text: 'both' });
    expect(bad.headers.get('location')).toBe(`/tickets/${ticketId}?error=side-invalid#side-conversations`);
  });
});
