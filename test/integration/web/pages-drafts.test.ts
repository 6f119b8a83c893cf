import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { receivedTicket, startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let api: string;
let agnes: Client;
let agnesPhone: Client;
let bert: Client;
let outsider: Client;
const inbox = new Types.ObjectId();
let number = 0;
const HOUR_AGO = () => new Date(Date.now() - 3600_000);

/** A ticket with one customer message received an hour ago, as ingest leaves it. */
async function ticket() {
  number += 1;
  return receivedTicket(h.models, inbox, number, 'draft');
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const replyForm = (html: string) => ({ _csrf: Client.csrf(html), requestKey: hidden(html, 'requestKey'), seenUntil: hidden(html, 'seenUntil') });
const replyBox = (html: string) => /<textarea name="text" rows="7"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? null;
const drafts = (id: string) => h.models.ReplyDraft.find({ ticketId: new Types.ObjectId(id) }).lean();
/** The list row of ticket `n`, from its link to the end of its subject cell. */
const row = (html: string, id: string) => new RegExp(`<a href="/tickets/${id}">[^]*?</td>`).exec(html)?.[0] ?? '';

beforeAll(async () => {
  h = await startSendingApp('pages_drafts');
  api = `${h.base}/api/v1`;
  const other = new Types.ObjectId();
  await h.models.Inbox.create([
    { _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } },
    { _id: other, name: 'Other', address: 'other@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } },
  ]);
  await createUser(h.models, { email: 'agnes@example.test', name: 'Agnes', password: 'agnes password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'bert@example.test', name: 'Bert', password: 'bert password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'otto@example.test', name: 'Otto', password: 'otto password 123', inboxIds: [other] });
  agnes = await Client.signedIn(h.base, 'agnes@example.test', 'agnes password 123');
  // The same agent on another device: a session of their own, asking for JSON as the autosave script does.
  agnesPhone = new Client(h.base, undefined, { accept: 'application/json' });
  await agnesPhone.login('agnes@example.test', 'agnes password 123');
  bert = await Client.signedIn(h.base, 'bert@example.test', 'bert password 123');
  outsider = await Client.signedIn(h.base, 'otto@example.test', 'otto password 123');
});
afterAll(() => h.close());

describe('reply drafts on the pages', () => {
  it('saves with the button, pre-fills the box on reload and on another device, for that agent only', async () => {
    const id = await ticket();
    const page = await agnes.get(`/tickets/${id}`);
    expect(page.text).toContain(`<input type="submit" class="button" formaction="/tickets/${id}/draft" formnovalidate value="Save draft">`);
    expect(page.text).toMatch(/<script src="\/static\/drafts\.js\?v&#x3D;[0-9a-f]{12}" defer><\/script>/);
    expect(replyBox(page.text)).toBe('');

    const saved = await agnes.post(`/tickets/${id}/draft`, { ...replyForm(page.text), text: 'Dear Carl, <about> the printer & the toner' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/tickets/${id}?draft=saved#reply`);
    const reloaded = await agnes.get(`/tickets/${id}?draft=saved`);
    expect(replyBox(reloaded.text)).toBe('Dear Carl, &lt;about&gt; the printer &amp; the toner');
    expect(reloaded.text).toContain('<p class="muted small draft-status" role="status">Draft saved</p>');

    const phone = await agnesPhone.get(`/tickets/${id}`);
    expect(replyBox(phone.text)).toBe('Dear Carl, &lt;about&gt; the printer &amp; the toner');
    expect(replyBox((await bert.get(`/tickets/${id}`)).text)).toBe('');

    // The list marks the ticket for Agnes, not for Bert.
    expect(row((await agnes.get('/tickets')).text, id)).toContain('<span class="badge draft" title="You have an unsent reply draft on this ticket">Draft</span>');
    expect(row((await bert.get('/tickets')).text, id)).not.toContain('badge draft');
    expect(row((await bert.get('/tickets')).text, id)).toContain(`Case ${number}`);
  });

  it('keeps the Cc choice: a suggested address ticked in the draft is ticked again on reload', async () => {
    const id = await ticket();
    const ticketId = new Types.ObjectId(id);
    const m = await h.models.Message.create({ ticketId, inboxId: inbox, direction: 'inbound', from: { address: 'carl@customer.test', name: 'Carl' }, cc: [{ address: 'dora@customer.test', name: 'Dora' }], text: 'Dora reads along.', createdAt: HOUR_AGO() });
    await h.models.TicketEvent.create({ ticketId, type: 'message_received', actor: { kind: 'contact', label: 'carl@customer.test' }, at: HOUR_AGO(), data: { messageId: m._id } });
    const page = await agnes.get(`/tickets/${id}`);
    // Dora is new to the ticket: only suggested, unticked.
    expect(page.text).toContain('<input type="checkbox" name="cc" value="dora@customer.test">');
    await agnes.post(`/tickets/${id}/draft`, { ...replyForm(page.text), text: 'To Carl and Dora', recipientsShown: '1', cc: 'dora@customer.test' });
    expect((await drafts(id)).map((d) => d.cc)).toEqual([['dora@customer.test']]);
    const reloaded = await agnes.get(`/tickets/${id}`);
    expect(reloaded.text).toContain('<input type="checkbox" name="cc" value="dora@customer.test" checked>');
    expect(replyBox(reloaded.text)).toBe('To Carl and Dora');
  });

  it('autosaves from the script as JSON, and an empty box removes the draft', async () => {
    const id = await ticket();
    const form = replyForm((await agnesPhone.get(`/tickets/${id}`)).text);
    const auto = await agnesPhone.post(`/tickets/${id}/draft`, { _csrf: form._csrf, text: 'Typed on the phone' });
    expect(auto.status).toBe(200);
    expect(JSON.parse(auto.text)).toEqual({ text: 'Draft saved' });
    expect(replyBox((await agnes.get(`/tickets/${id}`)).text)).toBe('Typed on the phone');

    expect((await agnesPhone.post(`/tickets/${id}/draft`, { _csrf: form._csrf, text: '  ' })).status).toBe(200);
    expect(await drafts(id)).toHaveLength(0);
  });

  it('refuses a draft without the CSRF token, and on a ticket the agent cannot see', async () => {
    const id = await ticket();
    expect((await agnes.post(`/tickets/${id}/draft`, { text: 'no token' })).status).toBe(403);
    const token = Client.csrf((await outsider.get('/')).text);
    expect((await outsider.post(`/tickets/${id}/draft`, { _csrf: token, text: 'not mine' })).status).toBe(404);
    expect((await outsider.get(`/tickets/${id}/canned-text?canned=${new Types.ObjectId().toHexString()}`)).status).toBe(404);
    expect(await drafts(id)).toHaveLength(0);
  });

  it('sending the reply deletes the draft; a held reply (409) keeps it', async () => {
    const id = await ticket();
    const page = await agnes.get(`/tickets/${id}`);
    await agnes.post(`/tickets/${id}/draft`, { ...replyForm(page.text), text: 'First try' });

    // A customer mail arrives after the page: the reply is held, and the posted text becomes the draft.
    const m = await h.models.Message.create({ ticketId: new Types.ObjectId(id), inboxId: inbox, direction: 'inbound', from: { address: 'carl@customer.test', name: 'Carl' }, text: 'Also smoking.', createdAt: HOUR_AGO() });
    await h.models.TicketEvent.create({ ticketId: new Types.ObjectId(id), type: 'message_received', actor: { kind: 'contact', label: 'carl@customer.test' }, at: new Date(), data: { messageId: m._id } });
    const held = await agnes.post(`/tickets/${id}/reply`, { ...replyForm(page.text), text: 'Second try, longer' });
    expect(held.status).toBe(409);
    expect(replyBox(held.text)).toBe('Second try, longer');
    expect((await drafts(id)).map((d) => d.text)).toEqual(['Second try, longer']);
    expect(replyBox((await agnesPhone.get(`/tickets/${id}`)).text)).toBe('Second try, longer');

    const sent = await agnes.post(`/tickets/${id}/reply`, { ...replyForm(held.text), text: 'Second try, longer' });
    expect(sent.status).toBe(303);
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(1);
    expect(await drafts(id)).toHaveLength(0);
    expect(replyBox((await agnes.get(`/tickets/${id}`)).text)).toBe('');
    expect(row((await agnes.get('/tickets')).text, id)).not.toContain('badge draft');
  });

  it('adds a canned reply after the saved draft without script, and gives the script its text', async () => {
    const id = await ticket();
    const canned = await h.models.CannedReply.create({ inboxId: inbox, title: 'Thanks', body: 'Thanks {{customer.name}}!' });
    const page = await agnes.get(`/tickets/${id}`);
    expect(page.text).toContain(`data-canned-url="/tickets/${id}/canned-text"`);
    expect(page.text).toContain('Inserted where the cursor is; without JavaScript, added after your saved draft.');
    await agnes.post(`/tickets/${id}/draft`, { ...replyForm(page.text), text: 'Hello Carl,' });
    expect(replyBox((await agnes.get(`/tickets/${id}?canned=${canned._id.toHexString()}`)).text)).toBe('Hello Carl,\n\nThanks Carl!');

    const text = await agnes.get(`/tickets/${id}/canned-text?canned=${canned._id.toHexString()}`);
    expect(text.status).toBe(200);
    expect(JSON.parse(text.text)).toEqual({ text: 'Thanks Carl!' });
  });
});

describe('reply drafts in the API', () => {
  it('gets, saves and deletes the caller’s own draft; sending a reply removes it', async () => {
    const id = await ticket();
    const agnesToken = await login(api, 'agnes@example.test', 'agnes password 123');
    const bertToken = await login(api, 'bert@example.test', 'bert password 123');
    const ottoToken = await login(api, 'otto@example.test', 'otto password 123');

    expect((await call(api, 'GET', `/tickets/${id}/draft`, { token: agnesToken })).status).toBe(404);
    const put = await call(api, 'PUT', `/tickets/${id}/draft`, { token: agnesToken, body: { text: 'From the API', cc: ['Dora@Customer.test'] } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ticketId: id, text: 'From the API', cc: ['dora@customer.test'] });
    expect((await call(api, 'GET', `/tickets/${id}/draft`, { token: agnesToken })).body).toMatchObject({ text: 'From the API' });
    // The page shows the same draft; another agent and an outsider do not get it.
    expect(replyBox((await agnes.get(`/tickets/${id}`)).text)).toBe('From the API');
    expect((await call(api, 'GET', `/tickets/${id}/draft`, { token: bertToken })).status).toBe(404);
    expect((await call(api, 'PUT', `/tickets/${id}/draft`, { token: ottoToken, body: { text: 'x' } })).status).toBe(404);
    expect((await call(api, 'PUT', `/tickets/${id}/draft`, { token: agnesToken, body: { text: 'x', cc: ['not an address'] } })).status).toBe(400);

    const reply = await call(api, 'POST', `/tickets/${id}/replies`, { token: agnesToken, body: { text: 'From the API' } });
    expect(reply.status).toBe(202);
    expect(await drafts(id)).toHaveLength(0);

    await call(api, 'PUT', `/tickets/${id}/draft`, { token: agnesToken, body: { text: 'Again' } });
    expect((await call(api, 'DELETE', `/tickets/${id}/draft`, { token: agnesToken })).status).toBe(204);
    expect(await drafts(id)).toHaveLength(0);
  });
});
