import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { receivedTicket, startSendingApp } from './sending-app.js';

// Issue 18: a reply draft keeps everything of the reply box (To, Cc, Bcc, the files, the HTML
// sanitized), and a file refused on the reply form without script brings the page back, text kept.
let h: Awaited<ReturnType<typeof startSendingApp>>;
let api: string;
let gina: Client;
let ginaLaptop: Client;
let otto: Client;
const inbox = new Types.ObjectId();
let number = 7000;
const DAY = 24 * 3600_000;

const cookieOf = (client: Client) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const ticket = async () => receivedTicket(h.models, inbox, ++number, 'compose');

/** Posts a urlencoded form with repeated fields, as the autosave script does (asking for JSON). */
async function postFields(client: Client, path: string, pairs: Array<[string, string]>, accept = 'application/json') {
  const res = await fetch(h.base + path, { method: 'POST', redirect: 'manual', headers: { cookie: cookieOf(client), accept, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(pairs).toString() });
  return { status: res.status, text: await res.text() };
}

/** Posts a multipart form as a browser without script does. */
async function postMultipart(client: Client, path: string, form: FormData) {
  const res = await fetch(h.base + path, { method: 'POST', redirect: 'manual', headers: { cookie: cookieOf(client), accept: 'text/html' }, body: form });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Uploads one file for the ticket's reply box, as the upload script does; its id. */
async function upload(client: Client, ticketId: string, name: string, bytes: string, type = 'text/plain'): Promise<string> {
  const form = new FormData();
  form.append('_csrf', Client.csrf((await client.get(`/tickets/${ticketId}`)).text));
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${h.base}/tickets/${ticketId}/uploads`, { method: 'POST', headers: { cookie: cookieOf(client), accept: 'application/json' }, body: form });
  expect(res.status).toBe(201);
  return String(((await res.json()) as { id: string }).id);
}

const inputValue = (html: string, name: string) => new RegExp(`<input type="text" name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? null;
const editorHtml = (html: string) => /<div class="reply-editor" data-html="([^"]*)"/.exec(html)?.[1] ?? null;
const replyBox = (html: string) => /<textarea name="text" rows="7"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? null;

beforeAll(async () => {
  h = await startSendingApp('drafts_compose');
  api = `${h.base}/api/v1`;
  await h.models.Inbox.create({ _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'gina@example.test', name: 'Gina', password: 'gina password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'otto@example.test', name: 'Otto', password: 'otto password 123', inboxIds: [inbox] });
  gina = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
  ginaLaptop = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
  otto = await Client.signedIn(h.base, 'otto@example.test', 'otto password 123');
}, 30_000);
afterAll(() => h?.close());

describe('a reply draft keeps the whole reply box', () => {
  it('saves To, Cc, Bcc and the agent’s own uploads, restores them on another device, and sanitizes the HTML', async () => {
    const id = await ticket();
    const own = await upload(gina, id, 'invoice.txt', 'invoice lines');
    const image = await upload(gina, id, 'shot.png', '\x89PNG fake', 'image/png');
    const others = await upload(otto, id, 'otto.txt', 'not Gina’s');
    const page = (await gina.get(`/tickets/${id}`)).text;
    const html = `<p onclick="steal()">Hello <b>Carl</b></p><script>alert(1)</script><img src="x" onerror="alert(2)"><p><img src="/tickets/${id}/uploads/${image}" alt="shot"></p><p><img src="/tickets/${id}/uploads/${others}" alt="theirs"></p><a href="javascript:alert(3)">click</a>`;
    const saved = await postFields(gina, `/tickets/${id}/draft`, [
      ['_csrf', Client.csrf(page)], ['text', 'Hello Carl'], ['html', html], ['recipientsShown', '1'],
      ['to', 'carl@customer.test, dora@customer.test'], ['cc', 'erik@customer.test'], ['bcc', 'boss@example.org, half@'],
      ['upload', own], ['upload', others],
    ]);
    expect(saved.status).toBe(200);

    const [draft] = await h.models.ReplyDraft.find({ ticketId: new Types.ObjectId(id) }).lean();
    expect(draft!.to).toEqual(['carl@customer.test', 'dora@customer.test']);
    expect(draft!.cc).toEqual(['erik@customer.test']);
    // An address still being typed is left out; another agent's upload is never kept.
    expect(draft!.bcc).toEqual(['boss@example.org']);
    expect(draft!.uploadIds!.map(String)).toEqual([own]);
    expect(draft!.html).toContain('Hello <b>Carl</b>');
    expect(draft!.html).toContain(`<img alt="shot" src="/tickets/${id}/uploads/${image}" />`);
    expect(draft!.html).not.toMatch(/script|onerror|onclick|javascript|alert|theirs/);

    // Another device of the same agent: the fields as saved, the file listed (a ticked box without script).
    const other = (await ginaLaptop.get(`/tickets/${id}`)).text;
    expect(replyBox(other)).toBe('Hello Carl');
    expect(inputValue(other, 'to')).toBe('carl@customer.test, dora@customer.test');
    expect(inputValue(other, 'bcc')).toBe('boss@example.org');
    expect(inputValue(other, 'cc')).toBe('erik@customer.test');
    expect(other).toContain(`<li class="upload done"><label><input type="checkbox" name="upload" value="${own}" checked> invoice.txt</label></li>`);
    expect(other).not.toContain(others);
    expect(editorHtml(other)).toContain(`/tickets/${id}/uploads/${image}`);
    expect(editorHtml(other)).not.toContain('onerror');
    // Otto sees none of it.
    const ottos = (await otto.get(`/tickets/${id}`)).text;
    expect(ottos).not.toContain('invoice.txt');
    expect(inputValue(ottos, 'bcc')).toBe('');
  });

  it('takes the same through the API, and reads back clean HTML', async () => {
    const id = await ticket();
    const own = await upload(gina, id, 'notes.txt', 'notes');
    const token = await login(api, 'gina@example.test', 'gina password 123');
    const put = await call(api, 'PUT', `/tickets/${id}/draft`, { token, body: { text: 'Hi', html: '<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(1)>', to: ['Carl@Customer.test'], bcc: ['boss@example.org'], uploadIds: [own, new Types.ObjectId().toHexString()] } });
    expect(put.status).toBe(200);
    const got = await call(api, 'GET', `/tickets/${id}/draft`, { token });
    expect(got.body).toMatchObject({ text: 'Hi', html: '<p>Hi</p>', to: ['carl@customer.test'], bcc: ['boss@example.org'], cc: null, uploads: [{ id: own, filename: 'notes.txt', contentType: 'text/plain', size: 5 }] });

    // A draft of files alone is kept; nothing at all removes it.
    expect((await call(api, 'PUT', `/tickets/${id}/draft`, { token, body: { text: ' ', uploadIds: [own] } })).status).toBe(200);
    expect((await call(api, 'PUT', `/tickets/${id}/draft`, { token, body: { text: ' ' } })).status).toBe(204);
  });

  it('keeps a draft’s upload from the day-old clean-up while the draft exists; sending uses it and ends the draft', async () => {
    const id = await ticket();
    h.setNow(new Date(Date.now() - 2 * DAY));
    const held = await upload(gina, id, 'held.txt', 'in the draft');
    const loose = await upload(gina, id, 'loose.txt', 'in nothing');
    const page = (await gina.get(`/tickets/${id}`)).text;
    expect((await postFields(gina, `/tickets/${id}/draft`, [['_csrf', Client.csrf(page)], ['text', 'See the file'], ['upload', held]])).status).toBe(200);
    h.setNow(null);
    // The next upload sweeps what is older than a day and unused: the loose file goes, the draft's stays.
    await upload(gina, id, 'fresh.txt', 'now');
    expect(await h.models.Upload.findById(loose).lean()).toBeNull();
    expect(await h.models.Upload.findById(held).lean()).not.toBeNull();

    const form = new FormData();
    const reloaded = (await gina.get(`/tickets/${id}`)).text;
    for (const [k, v] of [['_csrf', Client.csrf(reloaded)], ['requestKey', 'send-held'], ['text', 'See the file'], ['upload', held]] as const) form.append(k, v);
    const sent = await postMultipart(gina, `/tickets/${id}/reply`, form);
    expect(sent.status).toBe(303);
    expect((await h.models.Upload.findById(held).lean())!.usedAt).not.toBeNull();
    expect(await h.models.ReplyDraft.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
    const [message] = await h.models.Message.find({ ticketId: new Types.ObjectId(id), direction: 'outbound' }).lean();
    expect(message!.attachments.map((a) => a.filename)).toEqual(['held.txt']);
  });
});

describe('a file refused on the reply form without script', () => {
  it('brings the ticket page back with the reason above the form, the text, recipients and the files stored before it kept', async () => {
    const id = await ticket();
    const page = (await gina.get(`/tickets/${id}`)).text;
    const form = new FormData();
    for (const [k, v] of [['_csrf', Client.csrf(page)], ['requestKey', 'too-big'], ['recipientsShown', '1'], ['to', 'carl@customer.test'], ['bcc', 'boss@example.org'], ['text', 'Dear Carl, <see> the logs']] as const) form.append(k, v);
    form.append('files', new Blob(['small log']), 'small.log');
    form.append('files', new Blob([Buffer.alloc(10 * 1024 * 1024 + 1, 1)]), 'huge.bin');
    form.append('status', 'solved');
    const res = await postMultipart(gina, `/tickets/${id}/reply`, form);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toMatch(/<section class="reply-area">\s*<p class="alert" role="alert">huge\.bin is larger than 10 MB, the limit for one file\.<\/p>/);
    expect(replyBox(res.text)).toBe('Dear Carl, &lt;see&gt; the logs');
    expect(inputValue(res.text, 'bcc')).toBe('boss@example.org');
    expect(res.text).toMatch(/<option value="solved" selected>/);
    const small = await h.models.Upload.findOne({ filename: 'small.log' }).lean();
    expect(res.text).toContain(`<input type="checkbox" name="upload" value="${String(small!._id)}" checked> small.log`);
    expect(await h.models.Upload.countDocuments({ filename: 'huge.bin' })).toBe(0);
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
  });

  it('still refuses a form whose CSRF token does not check out, with no page of the ticket', async () => {
    const id = await ticket();
    const form = new FormData();
    form.append('_csrf', 'forged');
    form.append('text', 'Sneaky');
    form.append('files', new Blob([Buffer.alloc(10 * 1024 * 1024 + 1, 1)]), 'huge.bin');
    const res = await postMultipart(gina, `/tickets/${id}/reply`, form);
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('Sneaky');
  });
});
