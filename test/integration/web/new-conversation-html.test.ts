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
import { startSendingApp } from './sending-app.js';

// Issue 18: a new conversation written with the reply editor goes out as sanitized HTML with a
// text/plain alternative, its pasted images as inline parts, checked at the SMTP server.
let h: Awaited<ReturnType<typeof startSendingApp>>;
let smtp: TestSmtp;
let deliver: DeliverDeps;
let gina: Client;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const inbox = new Types.ObjectId();
const cookieOf = (client: Client) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

beforeAll(async () => {
  h = await startSendingApp('new_conv_html');
  smtp = await startSmtp();
  await h.models.Inbox.create({ _id: inbox, name: 'Support', address: 'support@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina' });
  gina = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
  deliver = { ...h.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 1000 } } };
}, 30_000);
afterAll(async () => {
  sender.close();
  await smtp?.close();
  await h?.close();
});

/** Delivers the ticket's queued mail to the test SMTP server and returns it, parsed. */
async function sentMail(ticketId: string) {
  const [item] = await h.models.Outbox.find({ ticketId: new Types.ObjectId(ticketId) }).lean();
  expect(await deliverOutboxItem(deliver, item!._id, 5000)).toBe('sent');
  const received = smtp.received.find((m) => m.raw.toString('latin1').includes(`<${item!.messageId}>`))!;
  return parseMail(received.raw, { maxBytes: 10 * 1024 * 1024 });
}

describe('a new conversation written with the editor', () => {
  it('offers the editor on the page, as on the reply form', async () => {
    const page = (await gina.get('/tickets/new')).text;
    expect(page).toContain('<form method="post" action="/tickets/new" enctype="multipart/form-data" data-upload-url="/tickets/new/uploads" class="compose-form">');
    expect(page).toMatch(/<div class="reply-editor" data-html="" data-toolbar="Formatting"/);
    expect(page).toContain('<textarea id="new-conversation-text" name="text" rows="12" required aria-label="Message">');
    expect(page).toMatch(/<script src="\/static\/assets\/editor\.js\?v&#x3D;[0-9a-f]+" defer><\/script>/);
  });

  it('sends sanitized HTML with a text/plain part and the pasted image inline; the ticket keeps the clean HTML', async () => {
    const page = (await gina.get('/tickets/new')).text;
    const csrf = Client.csrf(page);
    // The editor uploads a pasted image for the chosen inbox (`inbox` before the file).
    const up = new FormData();
    up.append('_csrf', csrf);
    up.append('inbox', inbox.toHexString());
    up.append('file', new Blob([Buffer.from('\x89PNG pasted', 'latin1')], { type: 'image/png' }), 'pasted.png');
    const res = await fetch(`${h.base}/tickets/new/uploads`, { method: 'POST', headers: { cookie: cookieOf(gina), accept: 'application/json' }, body: up });
    expect(res.status).toBe(201);
    const image = (await res.json()) as { id: string; url: string };
    expect(image.url).toBe(`/tickets/new/uploads/${image.id}`);

    const html = `<p>Hello <strong>Gus</strong>, see <a href="https://example.org/guide">the guide</a>.</p><ul><li><p>one</p></li><li><p>two</p></li></ul><script>alert(1)</script><p><img src="${image.url}" alt="pasted" onerror="alert(2)"></p>`;
    const form = new FormData();
    for (const [k, v] of [['_csrf', csrf], ['requestKey', 'nc-html-1'], ['inbox', inbox.toHexString()], ['to', 'gus@customer.test'], ['subject', 'Your order'], ['text', ''], ['html', html], ['status', 'pending']]) form.append(k!, v!);
    const posted = await fetch(`${h.base}/tickets/new`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieOf(gina), accept: 'text/html' }, body: form });
    expect(posted.status).toBe(303);
    const ticketId = /\/tickets\/([0-9a-f]{24})$/.exec(posted.headers.get('location') ?? '')![1]!;

    const mail = await sentMail(ticketId);
    expect(mail.text).toContain('Hello Gus, see the guide [https://example.org/guide].');
    expect(mail.text).toContain('- one\n- two');
    expect(mail.html).toContain('Hello <strong>Gus</strong>');
    expect(mail.html).not.toMatch(/<script|alert|onerror/);
    const inline = mail.attachments.find((a) => a.filename === 'pasted.png')!;
    expect(inline.content.toString('latin1')).toBe('\x89PNG pasted');
    expect(inline.contentId).toBeTruthy();
    expect(mail.html).toContain(`cid:${inline.contentId}`);

    const [message] = await h.models.Message.find({ ticketId: new Types.ObjectId(ticketId) }).lean();
    expect(message!.html).toContain('Hello <strong>Gus</strong>');
    expect(message!.html).not.toContain('<script');
    expect(message!.text).toContain('- one\n- two');
    expect((await h.models.Upload.findById(image.id).lean())!.usedAt).not.toBeNull();
  });

  it('takes html through the API too, and still needs text or html', async () => {
    const api = `${h.base}/api/v1`;
    const token = await login(api, 'gina@example.test', 'gina password 123');
    const started = await call(api, 'POST', '/tickets', { token, body: { inboxId: inbox.toHexString(), to: 'hal@customer.test', subject: 'Hi', html: '<p>Only <em>HTML</em></p><img src=x onerror=alert(1)>' } });
    expect(started.status).toBe(201);
    const ticketId = (started.body as { ticket: { id: string } }).ticket.id;
    const mail = await sentMail(ticketId);
    expect(mail.text).toContain('Only HTML');
    expect(mail.html).toContain('Only <em>HTML</em>');
    expect(mail.html).not.toContain('onerror');

    const empty = await call(api, 'POST', '/tickets', { token, body: { inboxId: inbox.toHexString(), to: 'hal@customer.test', subject: 'Hi', text: ' ', html: ' ' } });
    expect(empty.status).toBe(400);
  });
});
