import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { call, createUser, login } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { receivedTicket, startSendingApp } from './sending-app.js';

// Issue 18: the ticket page's reply editor. The page carries the editor's mount (its strings, the
// draft's HTML) and its bundled script; the reply route takes the editor's `html` field, which is
// sanitized before it is stored and sent, with a text/plain part; drafts keep the HTML too.
let h: Awaited<ReturnType<typeof startSendingApp>>;
let agnes: Client;
const inbox = new Types.ObjectId();
let number = 0;

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const replyForm = (html: string) => ({ _csrf: Client.csrf(html), requestKey: hidden(html, 'requestKey'), seenUntil: hidden(html, 'seenUntil') });
const editorHtml = (page: string) => /<div class="reply-editor" data-html="([^"]*)"/.exec(page)?.[1] ?? null;
const ticket = () => receivedTicket(h.models, inbox, ++number, 'editor');

/** The composed mail queued for a ticket, parsed. */
async function queuedMail(id: string) {
  const item = (await h.models.Outbox.findOne({ ticketId: new Types.ObjectId(id) }).lean())!;
  const raw = Buffer.from((item.raw as unknown as { buffer?: Uint8Array }).buffer ?? item.raw);
  return { raw: raw.toString('utf8'), mail: await parseMail(raw, { maxBytes: 1e7 }) };
}

beforeAll(async () => {
  h = await startSendingApp('pages_reply_html');
  await h.models.Inbox.create({ _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'agnes@example.test', name: 'Agnes', password: 'agnes password 123', inboxIds: [inbox] });
  agnes = await Client.signedIn(h.base, 'agnes@example.test', 'agnes password 123');
});
afterAll(() => h.close());

describe('the reply editor on the ticket page', () => {
  it('renders the textarea inside the editor mount, with its strings and its bundled script, served by content hash', async () => {
    const id = await ticket();
    const page = (await agnes.get(`/tickets/${id}`)).text;
    expect(page).toMatch(/<div class="reply-editor" data-html="" data-toolbar="Formatting"/);
    expect(page).toContain('data-tool-bold="Bold (Ctrl+B)"');
    expect(page).toContain('data-tool-code-block="Code block"');
    expect(page).toMatch(/<div class="reply-editor"[^>]*>\s*<textarea name="text" rows="7" required/);
    // The reply form sits in the wide reply area below the timeline, not in the sidebar.
    expect(page.indexOf('<section class="reply-area">')).toBeGreaterThan(page.indexOf('<section class="timeline">'));
    expect(page.indexOf('<section class="reply-area">')).toBeLessThan(page.indexOf('<aside class="side" id="forms">'));
    expect(page.slice(page.indexOf('<aside class="side" id="forms">'))).not.toContain('class="card reply-form"');

    const src = /<script src="(\/static\/assets\/editor\.js\?v&#x3D;([0-9a-f]{12}))" defer><\/script>/.exec(page);
    expect(src).not.toBeNull();
    const script = await agnes.get(`/static/assets/editor.js?v=${src![2]}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.text.startsWith('/*! Threadline reply editor')).toBe(true);
    expect((await agnes.get('/static/assets/editor.js?v=old')).headers.get('cache-control')).toBe('no-cache');
    expect((await agnes.get('/static/assets/nope.js')).status).toBe(404);
  });

  it('sends the posted HTML sanitized, with the text part, and stores the same', async () => {
    const id = await ticket();
    const page = (await agnes.get(`/tickets/${id}`)).text;
    const html = '<p onclick="steal()">Hello <strong>Carl</strong>, <a href="javascript:alert(1)">click</a></p><script>alert(1)</script><ul><li><p>restart it</p></li></ul>';
    const res = await agnes.post(`/tickets/${id}/reply`, { ...replyForm(page), text: 'Hello Carl, click\n\n- restart it', html });
    expect(res.status).toBe(303);
    const { raw, mail } = await queuedMail(id);
    expect(mail.html).toContain('Hello <strong>Carl</strong>');
    expect(mail.html).toContain('<ul><li><p>restart it</p></li></ul>');
    expect(raw).not.toMatch(/onclick|javascript:|<script|steal\(\)/i);
    expect(mail.text).toMatch(/^Hello Carl, click\n\n- restart it\n/);
    const stored = (await h.models.Message.findOne({ ticketId: new Types.ObjectId(id), direction: 'outbound' }).lean())!;
    expect(stored.text).toBe('Hello Carl, click\n\n- restart it');
    expect(stored.html).not.toMatch(/onclick|javascript:|<script/i);
    expect(stored.html).toContain('<strong>Carl</strong>');
  });

  it('makes the text from the HTML when the form brings none, and refuses a reply that is empty once cleaned', async () => {
    const id = await ticket();
    const page = (await agnes.get(`/tickets/${id}`)).text;
    const empty = await agnes.post(`/tickets/${id}/reply`, { ...replyForm(page), text: '', html: '<script>alert(1)</script>' });
    expect(empty.status).toBe(303);
    expect(empty.headers.get('location')).toBe(`/tickets/${id}?error=reply-empty#reply`);
    // Said in the reply area, by the form, not in the sidebar.
    const shown = (await agnes.get(empty.headers.get('location')!)).text;
    expect(shown).toMatch(/<section class="reply-area">\s*<p class="alert" role="alert">A reply needs some text/);
    expect(shown.slice(shown.indexOf('<aside class="side" id="forms">'))).not.toContain('A reply needs some text');
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);

    const ok = await agnes.post(`/tickets/${id}/reply`, { ...replyForm(page), text: '', html: '<p>See <a href="https://example.test/kb">the guide</a>.</p>' });
    expect(ok.status).toBe(303);
    const { mail } = await queuedMail(id);
    expect(mail.text).toMatch(/^See the guide \[https:\/\/example\.test\/kb\]\.\n/);
  });

  it('keeps the editor’s HTML in the draft (page autosave, API) and starts the editor from it', async () => {
    const id = await ticket();
    const page = (await agnes.get(`/tickets/${id}`)).text;
    const saved = await agnes.post(`/tickets/${id}/draft`, { ...replyForm(page), text: 'Dear Carl, soon', html: '<p>Dear Carl, <em>soon</em></p>' });
    expect(saved.status).toBe(303);
    const reloaded = (await agnes.get(`/tickets/${id}`)).text;
    expect(editorHtml(reloaded)).toBe('&lt;p&gt;Dear Carl, &lt;em&gt;soon&lt;/em&gt;&lt;/p&gt;');
    expect(/<textarea name="text" rows="7"[^>]*>([^<]*)<\/textarea>/.exec(reloaded)?.[1]).toBe('Dear Carl, soon');

    const token = await login(`${h.base}/api/v1`, 'agnes@example.test', 'agnes password 123');
    const got = await call(`${h.base}/api/v1`, 'GET', `/tickets/${id}/draft`, { token });
    expect(got.body).toMatchObject({ text: 'Dear Carl, soon', html: '<p>Dear Carl, <em>soon</em></p>' });
    const put = await call(`${h.base}/api/v1`, 'PUT', `/tickets/${id}/draft`, { token, body: { text: 'Plain now' } });
    expect(put.body).toMatchObject({ text: 'Plain now', html: null });
    // A text-only draft: the editor starts from the textarea's text.
    expect(editorHtml((await agnes.get(`/tickets/${id}`)).text)).toBe('');
  });

  it('a held reply (409) comes back with the posted HTML in the editor and in the draft', async () => {
    const id = await ticket();
    const page = (await agnes.get(`/tickets/${id}`)).text;
    const ticketId = new Types.ObjectId(id);
    const m = await h.models.Message.create({ ticketId, inboxId: inbox, direction: 'inbound', from: { address: 'carl@customer.test', name: 'Carl' }, text: 'Also smoking.', createdAt: new Date() });
    await h.models.TicketEvent.create({ ticketId, type: 'message_received', actor: { kind: 'contact', label: 'carl@customer.test' }, at: new Date(), data: { messageId: m._id } });
    const held = await agnes.post(`/tickets/${id}/reply`, { ...replyForm(page), text: 'On it', html: '<p><strong>On it</strong></p>' });
    expect(held.status).toBe(409);
    expect(editorHtml(held.text)).toBe('&lt;p&gt;&lt;strong&gt;On it&lt;/strong&gt;&lt;/p&gt;');
    expect((await h.models.ReplyDraft.findOne({ ticketId }).lean())?.html).toBe('<p><strong>On it</strong></p>');
  });
});
