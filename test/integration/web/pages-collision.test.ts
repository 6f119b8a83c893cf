import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { receivedTicket, startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let agnes: Client;
let bert: Client;
let outsider: Client;
const inbox = new Types.ObjectId();
let number = 0;
const HOUR_AGO = () => new Date(Date.now() - 3600_000);

/** A ticket with one customer message received an hour ago, as ingest leaves it. */
async function ticket() {
  number += 1;
  return receivedTicket(h.models, inbox, number, 'case');
}

/** A customer mail arriving now, recorded the way ingest does (the trail says when it arrived). */
async function customerWritesAgain(id: string, text: string) {
  const ticketId = new Types.ObjectId(id);
  // The mail's own Date is older than the page: only the trail shows it is new.
  const m = await h.models.Message.create({ ticketId, inboxId: inbox, direction: 'inbound', from: { address: 'carl@customer.test', name: 'Carl' }, text, createdAt: HOUR_AGO() });
  await h.models.TicketEvent.create({ ticketId, type: 'message_received', actor: { kind: 'contact', label: 'carl@customer.test' }, at: new Date(), data: { messageId: m._id } });
  return m._id.toHexString();
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const replyForm = (html: string) => ({ _csrf: Client.csrf(html), requestKey: hidden(html, 'requestKey'), seenUntil: hidden(html, 'seenUntil') });
const presence = (html: string) => /<p id="presence"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? null;
const queued = (id: string) => h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) });

beforeAll(async () => {
  h = await startSendingApp('pages_collision');
  const other = new Types.ObjectId();
  await h.models.Inbox.create([
    { _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } },
    { _id: other, name: 'Other', address: 'other@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } },
  ]);
  await createUser(h.models, { email: 'agnes@example.test', name: 'Agnes', password: 'agnes password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'bert@example.test', name: 'Bert', password: 'bert password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'otto@example.test', name: 'Otto', password: 'otto password 123', inboxIds: [other] });
  agnes = new Client(h.base);
  bert = new Client(h.base);
  outsider = new Client(h.base);
  await agnes.login('agnes@example.test', 'agnes password 123');
  await bert.login('bert@example.test', 'bert password 123');
  await outsider.login('otto@example.test', 'otto password 123');
});
afterAll(() => h.close());
beforeEach(() => h.setNow(null));

describe('presence', () => {
  it('shows who else has the ticket open, replying or not, for about a minute', async () => {
    const id = await ticket();
    const bertPage = await bert.get(`/tickets/${id}`);
    expect(presence(bertPage.text)).toBe('');
    const page = await agnes.get(`/tickets/${id}`);
    expect(presence(page.text)).toBe('Also here: Bert');
    expect(page.text).toMatch(/<script src="\/static\/ticket\.js\?v&#x3D;[0-9a-f]{12}" defer><\/script>/);

    const beat = await bert.post(`/tickets/${id}/presence`, { _csrf: Client.csrf(bertPage.text), state: 'replying' });
    expect(beat.status).toBe(200);
    expect(JSON.parse(beat.text)).toEqual({ text: 'Also here: Agnes' });
    expect(presence((await agnes.get(`/tickets/${id}`)).text)).toBe('Also here: Bert (replying)');

    h.setNow(new Date(Date.now() + 61_000));
    expect(presence((await agnes.get(`/tickets/${id}`)).text)).toBe('');
  });

  it('takes heartbeats only with the CSRF token, and only for tickets the user can see', async () => {
    const id = await ticket();
    const token = Client.csrf((await outsider.get('/')).text);
    expect((await bert.post(`/tickets/${id}/presence`, { state: 'viewing' })).status).toBe(403);
    expect((await outsider.post(`/tickets/${id}/presence`, { _csrf: token, state: 'viewing' })).status).toBe(404);
    expect(await h.models.TicketPresence.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
  });
});

describe('held send', () => {
  it('holds a reply when a customer message arrived after the form was rendered, keeps the draft, and sends on the second submit', async () => {
    const id = await ticket();
    const page = await agnes.get(`/tickets/${id}`);
    const form = replyForm(page.text);
    expect(form.seenUntil).toMatch(/^\d{4}-\d\d-\d\dT/);
    const newId = await customerWritesAgain(id, 'Actually the printer is also smoking now.');

    const held = await agnes.post(`/tickets/${id}/reply`, { ...form, text: 'Have you tried turning it off & on?', status: 'solved' });
    expect(held.status).toBe(409);
    expect(held.text).toContain('While you were writing:');
    expect(held.text).toContain(`<a href="#msg-${newId}">New message from Carl</a>`);
    expect(held.text).toContain('Actually the printer is also smoking now.');
    expect(held.text).toContain('placeholder="Write your reply…">Have you tried turning it off &amp; on?</textarea>');
    expect(held.text).toContain('<option value="solved" selected>solved</option>');
    expect(await queued(id)).toBe(0);
    const fresh = replyForm(held.text);
    expect(fresh.seenUntil > form.seenUntil).toBe(true);

    const sent = await agnes.post(`/tickets/${id}/reply`, { ...fresh, text: 'Have you tried turning it off & on?', status: 'solved' });
    expect(sent.status).toBe(303);
    expect(await queued(id)).toBe(1);
    expect((await h.models.Ticket.findById(id).lean())!.status).toBe('solved');
  });

  it('holds for another agent’s note or reply, but not for the agent’s own', async () => {
    const id = await ticket();
    const form = replyForm((await agnes.get(`/tickets/${id}`)).text);
    const bertPage = (await bert.get(`/tickets/${id}`)).text;
    expect((await agnes.post(`/tickets/${id}/note`, { _csrf: form._csrf, text: 'My own note' })).status).toBe(303);
    expect((await agnes.post(`/tickets/${id}/reply`, { ...form, text: 'First answer' })).status).toBe(303);

    const second = replyForm((await agnes.get(`/tickets/${id}`)).text);
    expect((await bert.post(`/tickets/${id}/note`, { _csrf: Client.csrf(bertPage), text: 'Carl is a reseller, careful.' })).status).toBe(303);
    expect((await bert.post(`/tickets/${id}/reply`, { ...replyForm(bertPage), text: 'Bert here, on it.' })).status).toBe(409);
    const held = await agnes.post(`/tickets/${id}/reply`, { ...second, text: 'Second answer' });
    expect(held.status).toBe(409);
    expect(held.text).toContain('Bert added a note');
    expect(held.text).toContain('Carl is a reseller, careful.');
    expect(await queued(id)).toBe(1);
  });

  it('sends at once when nothing changed, and without a marker checks nothing', async () => {
    const id = await ticket();
    const form = replyForm((await agnes.get(`/tickets/${id}`)).text);
    expect((await agnes.post(`/tickets/${id}/reply`, { ...form, text: 'All good.' })).status).toBe(303);
    await customerWritesAgain(id, 'Thanks!');
    const { seenUntil: _unused, ...noMarker } = replyForm((await agnes.get(`/tickets/${id}`)).text);
    await customerWritesAgain(id, 'One more thing.');
    expect((await agnes.post(`/tickets/${id}/reply`, { ...noMarker, text: 'Noted.' })).status).toBe(303);
    expect(await queued(id)).toBe(2);
  });
});
