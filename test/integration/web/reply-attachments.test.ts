import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { createMailSender } from '../../../src/mail/smtp-transport.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../src/services/outbound/deliver-outbox-item.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { call, createUser, login } from '../../helpers/api.js';
import { testLogger } from '../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../helpers/inbox.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { Client } from './pages-harness.js';
import { receivedTicket, startSendingApp } from './sending-app.js';

// Issue 18: files attached to replies through the ticket page (with and without the upload script)
// and the JSON API (multipart), checked at the SMTP server; uploads stay their uploader's.
let h: Awaited<ReturnType<typeof startSendingApp>>;
let smtp: TestSmtp;
let deliver: DeliverDeps;
let gina: Client;
let otto: Client;
let token: string;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const inbox = new Types.ObjectId();
// Tickets made here skip the numbers the counter hands out (a new conversation takes the next one).
let number = 5000;

beforeAll(async () => {
  h = await startSendingApp('reply_attachments');
  smtp = await startSmtp();
  await h.models.Inbox.create({ _id: inbox, name: 'Support', address: 'support@example.test', quoteHistory: false, imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina' });
  await createUser(h.models, { email: 'otto@example.test', password: 'otto password 123', inboxIds: [inbox], name: 'Otto' });
  gina = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
  otto = await Client.signedIn(h.base, 'otto@example.test', 'otto password 123');
  token = await login(`${h.base}/api/v1`, 'gina@example.test', 'gina password 123');
  deliver = { ...h.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 1000 } } };
}, 30_000);
afterAll(async () => {
  sender.close();
  await smtp?.close();
  await h?.close();
});

/** Posts a multipart form as the client's browser would (its cookies, no redirects followed). */
async function postForm(client: Client, path: string, form: FormData, accept = 'text/html') {
  const res = await fetch(h.base + path, { method: 'POST', headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), accept }, body: form, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** The ticket page's reply form as FormData, in the page's order: `_csrf` first. */
async function replyForm(client: Client, ticketId: string, fields: Record<string, string | string[]>) {
  const page = await client.get(`/tickets/${ticketId}`);
  const form = new FormData();
  form.append('_csrf', Client.csrf(page.text));
  form.append('requestKey', new Types.ObjectId().toHexString());
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
  return { form, page: page.text };
}

/** Delivers the ticket's queued mail to the test SMTP server and returns the last one, parsed. */
async function sentMail(ticketId: string) {
  const items = await h.models.Outbox.find({ ticketId: new Types.ObjectId(ticketId) }).sort({ _id: 1 }).lean();
  for (const item of items) if (item.state === 'pending') expect(await deliverOutboxItem(deliver, item._id, 5000)).toBe('sent');
  const last = items.at(-1)!;
  const received = smtp.received.find((m) => m.raw.toString('latin1').includes(`<${last.messageId}>`))!;
  return parseMail(received.raw, { maxBytes: 30 * 1024 * 1024 });
}

const ticket = async () => receivedTicket(h.models, inbox, ++number, 'att');

describe('the ticket page’s uploads', () => {
  it('offers a multipart reply form with a file input and the limits in words', async () => {
    const id = await ticket();
    const page = (await gina.get(`/tickets/${id}`)).text;
    expect(page).toMatch(/<form class="card reply-form"[^>]*enctype="multipart\/form-data"[^>]*data-upload-url="\/tickets\/[0-9a-f]{24}\/uploads"/);
    expect(page).toContain('<input type="file" name="files" multiple>');
    expect(page).toContain('Up to 20 files, 10 MB each and 25 MB in all.');
    // Handlebars writes the `=` of the query as `&#x3D;`, which the browser reads back.
    expect(page).toMatch(/<script src="\/static\/uploads\.js\?v&#x3D;[0-9a-f]{12}" defer><\/script>/);
    const script = await gina.get(page.match(/\/static\/uploads\.js\?v&#x3D;([0-9a-f]{12})/)![0].replace('&#x3D;', '='));
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('stores a file posted to /tickets/:id/uploads (CSRF field first) and serves it to its uploader only', async () => {
    const id = await ticket();
    const { form } = await replyForm(gina, id, {});
    form.delete('requestKey');
    form.append('file', new Blob([Buffer.from('\x89PNG pixels', 'latin1')], { type: 'image/png' }), 'shot.png');
    const res = await postForm(gina, `/tickets/${id}/uploads`, form, 'application/json');
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ filename: 'shot.png', size: 11, contentType: 'image/png', url: `/tickets/${id}/uploads/${String(res.json!.id)}` });

    const own = await fetch(h.base + String(res.json!.url), { headers: { cookie: [...gina.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBe('private');
    expect(own.headers.get('content-disposition')).toMatch(/^inline; filename="shot\.png"/);
    expect(Buffer.from(await own.arrayBuffer()).toString('latin1')).toBe('\x89PNG pixels');
    expect((await otto.get(String(res.json!.url))).status).toBe(404);
  });

  it('refuses a file sent before the CSRF field (403, nothing stored) and a file over the limit (413, localized JSON)', async () => {
    const id = await ticket();
    const before = await h.models.Upload.countDocuments();
    const early = new FormData();
    early.append('file', new Blob(['x']), 'a.txt');
    early.append('_csrf', Client.csrf((await gina.get(`/tickets/${id}`)).text));
    const refused = await postForm(gina, `/tickets/${id}/uploads`, early, 'application/json');
    expect(refused.status).toBe(403);
    expect(await h.models.Upload.countDocuments()).toBe(before);

    const { form } = await replyForm(gina, id, {});
    form.append('file', new Blob([Buffer.alloc(10 * 1024 * 1024 + 1, 1)]), 'huge.bin');
    const tooLarge = await fetch(`${h.base}/tickets/${id}/uploads`, { method: 'POST', headers: { cookie: [...gina.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': 'fr' }, body: form });
    expect(tooLarge.status).toBe(413);
    const body = (await tooLarge.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toBe('huge.bin dépasse 10 Mo, la limite pour un fichier.');
    expect(await h.models.Upload.countDocuments()).toBe(before);
  });

  it('sends a reply with a file chosen in the form (no script) and one uploaded before, and lists both on the trail', async () => {
    const id = await ticket();
    const pre = new FormData();
    pre.append('_csrf', Client.csrf((await gina.get(`/tickets/${id}`)).text));
    pre.append('file', new Blob(['first file']), 'first.txt');
    const uploaded = (await postForm(gina, `/tickets/${id}/uploads`, pre, 'application/json')).json!;

    const { form } = await replyForm(gina, id, { text: 'Both files attached.', status: 'pending', upload: String(uploaded.id) });
    form.append('files', new Blob(['second file, straight from the form'], { type: 'text/plain' }), 'second.txt');
    // An empty file input still sends a part: it is no file.
    form.append('files', new Blob([]), '');
    const res = await postForm(gina, `/tickets/${id}/reply`, form);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${id}#end`);

    const mail = await sentMail(id);
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['first.txt', 'first file'],
      ['second.txt', 'second file, straight from the form'],
    ]);
    const page = (await gina.get(`/tickets/${id}`)).text;
    expect(page).toMatch(/<a href="\/attachments\/[0-9a-f]{24}">first\.txt<\/a>/);
    expect(page).toMatch(/<a href="\/attachments\/[0-9a-f]{24}">second\.txt<\/a>/);
  });

  it('answers a reply whose file is over the limit (no script) with a page naming the file, and sends nothing', async () => {
    const id = await ticket();
    const { form } = await replyForm(gina, id, { text: 'Too big to send.' });
    form.append('files', new Blob([Buffer.alloc(10 * 1024 * 1024 + 1, 4)]), 'huge.bin');
    const res = await postForm(gina, `/tickets/${id}/reply`, form);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('huge.bin is larger than 10 MB, the limit for one file.');
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
  });

  it('keeps the files of a held reply (409) in the form, ticked, so the second submit sends them', async () => {
    const id = await ticket();
    const { form } = await replyForm(gina, id, { text: 'Here it is.', seenUntil: new Date(Date.now() - 2 * 3600_000).toISOString() });
    form.append('files', new Blob(['held file']), 'held.txt');
    const res = await postForm(gina, `/tickets/${id}/reply`, form);
    expect(res.status).toBe(409);
    const upload = await h.models.Upload.findOne({ filename: 'held.txt' }).lean();
    expect(res.text).toContain(`<label><input type="checkbox" name="upload" value="${upload!._id.toHexString()}" checked> held.txt</label>`);
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
  });

  it('refuses another agent’s upload in the form, and saves a draft from the multipart form', async () => {
    const id = await ticket();
    const pre = new FormData();
    pre.append('_csrf', Client.csrf((await otto.get(`/tickets/${id}`)).text));
    pre.append('file', new Blob(['otto only']), 'otto.txt');
    const ottos = (await postForm(otto, `/tickets/${id}/uploads`, pre, 'application/json')).json!;
    const { form } = await replyForm(gina, id, { text: 'Sneaky.', upload: String(ottos.id) });
    const res = await postForm(gina, `/tickets/${id}/reply`, form);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('?error=');
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);

    const draft = await replyForm(gina, id, { text: 'Half written.' });
    draft.form.append('files', new Blob(['ignored']), 'ignored.txt');
    expect((await postForm(gina, `/tickets/${id}/draft`, draft.form)).status).toBe(303);
    expect((await h.models.ReplyDraft.findOne({ ticketId: new Types.ObjectId(id) }).lean())?.text).toBe('Half written.');
  });

  it('starts a new conversation with a file attached', async () => {
    const page = await gina.get('/tickets/new');
    expect(page.text).toMatch(/<form method="post" action="\/tickets\/new" enctype="multipart\/form-data"/);
    const form = new FormData();
    form.append('_csrf', Client.csrf(page.text));
    form.append('requestKey', 'nc-1');
    form.append('inbox', inbox.toHexString());
    form.append('to', 'dora@customer.test');
    form.append('subject', 'Your contract');
    form.append('text', 'Please find the contract attached.');
    form.append('files', new Blob(['contract text'], { type: 'text/plain' }), 'contract.txt');
    const res = await postForm(gina, '/tickets/new', form);
    expect(res.status, res.text.slice(0, 2000)).toBe(303);
    const ticketId = res.headers.get('location')!.split('/').pop()!;
    const mail = await sentMail(ticketId);
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['contract.txt', 'contract text']]);
  });
});

describe('the API’s multipart replies', () => {
  it('takes an upload from POST /uploads and a file part in the reply, and refuses a file over the limit', async () => {
    const id = await ticket();
    const up = new FormData();
    up.append('ticketId', id);
    up.append('file', new Blob(['%PDF api'], { type: 'application/pdf' }), 'api.pdf');
    const created = await fetch(`${h.base}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: up });
    expect(created.status).toBe(201);
    const upload = (await created.json()) as { id: string; url: string };
    expect(upload.url).toBe(`/tickets/${id}/uploads/${upload.id}`);

    const reply = new FormData();
    reply.append('text', 'Two files via the API.');
    reply.append('uploadIds', upload.id);
    reply.append('cc', 'boss@customer.test');
    reply.append('attachments', new Blob(['inline part'], { type: 'text/plain' }), 'part.txt');
    const res = await fetch(`${h.base}/api/v1/tickets/${id}/replies`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: reply });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { cc: string[] }).cc).toEqual(['boss@customer.test']);
    const mail = await sentMail(id);
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ['api.pdf', 'application/pdf', '%PDF api'],
      ['part.txt', 'text/plain', 'inline part'],
    ]);

    const big = new FormData();
    big.append('text', 'Too big.');
    big.append('attachments', new Blob([Buffer.alloc(10 * 1024 * 1024 + 10, 2)]), 'big.bin');
    const refused = await fetch(`${h.base}/api/v1/tickets/${id}/replies`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: big });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    // JSON replies are unchanged.
    expect((await call(`${h.base}/api/v1`, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'Plain JSON still works.' } })).status).toBe(202);
  });
});

describe('the OpenAPI document', () => {
  it('describes POST /uploads and the multipart bodies of replies and new conversations', async () => {
    const doc = (await call(`${h.base}/api/v1`, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }; responses: Record<string, unknown> }>> };
    const upload = doc.paths['/uploads']!.post!;
    expect(Object.keys(upload.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(upload.requestBody!.content['multipart/form-data']!.schema.properties!)).toEqual(['ticketId', 'inboxId', 'file']);
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(['201', '413', '422']));
    for (const path of ['/tickets/{id}/replies', '/tickets']) {
      const content = doc.paths[path]!.post!.requestBody!.content;
      expect(Object.keys(content)).toEqual(['application/json', 'multipart/form-data']);
      expect(content['multipart/form-data']!.schema.properties).toHaveProperty('attachments');
    }
  });
});
