import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/mail/parse-mail.js';
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
let ingest: Parameters<typeof ingestEmail>[0];
const tokens: Record<string, string> = {};
const clients: Record<string, Client> = {};

/** A customer's mail with a PDF attached. */
function mailWithFile(messageId: string, subject: string): Buffer {
  return Buffer.from([
    'From: Ann Customer <ann@customer.test>', 'To: support@example.test', 'Cc: Bob <bob@customer.test>', `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`, `Message-ID: <${messageId}>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'The invoice attached has the wrong VAT.',
    '--b1', 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '',
    Buffer.from('%PDF-1.4 invoice 4411').toString('base64'), '--b1--', '',
  ].join('\r\n'));
}

async function newTicket(raw: Buffer): Promise<string> {
  const result = await ingestEmail(ingest, { inboxId, raw, source: null });
  return (result as { ticketId: Types.ObjectId }).ticketId.toHexString();
}

/** An outbox item's stored bytes (a lean read gives BSON Binary). */
const bytes = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from((v as { buffer: Uint8Array }).buffer));

/** A form posted with repeated fields (checkbox groups). */
const post = (client: Client, path: string, pairs: Array<[string, string]>) => client.request('POST', path, pairs as unknown as Record<string, string>);
const csrfOf = (html: string, action: string) => new RegExp(`action="${action.replace(/[/]/g, '\\/')}".*?name="_csrf" value="([^"]+)"`, 's').exec(html)![1]!;

beforeAll(async () => {
  desk = await startSideConversationApp('recipients_forward', ['support@example.test', 'other@example.test']);
  ({ db, api, ingest } = desk);
  inboxId = await desk.inbox('Support', 'support@example.test');
  const other = await desk.inbox('Other', 'other@example.test');
  for (const [name, inboxes] of [['gina', [inboxId]], ['otto', [other]]] as const) {
    await createUser(db.models, { email: `${name}@example.test`, password: `${name} password 123`, role: 'agent', inboxIds: [...inboxes], name });
    tokens[name] = await login(api, `${name}@example.test`, `${name} password 123`);
    clients[name] = await Client.signedIn(desk.base, `${name}@example.test`, `${name} password 123`);
  }

});
afterAll(async () => desk?.close());

describe('To, Cc and Bcc on the reply form', () => {
  it('offers To, more Cc and Bcc with the ticket’s addresses, sends Bcc in the envelope only, and a Bcc is no participant', async () => {
    const id = await newTicket(mailWithFile('vat@customer.test', 'Wrong VAT'));
    const page = await clients.gina!.get(`/tickets/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<input type="text" name="to" value="ann@customer.test"/);
    expect(page.text).toContain('name="bcc"');
    const datalist = /<datalist id="ticket-addresses">(.*?)<\/datalist>/s.exec(page.text)![1]!;
    expect(datalist).toContain('value="ann@customer.test"');
    expect(datalist).toContain('value="bob@customer.test"');
    expect(datalist).not.toContain('support@example.test');

    const sent = await post(clients.gina!, `/tickets/${id}/reply`, [
      ['_csrf', csrfOf(page.text, `/tickets/${id}/reply`)], ['recipientsShown', '1'], ['to', 'ann@customer.test'],
      ['cc', 'bob@customer.test'], ['cc', 'carol@customer.test, dave@customer.test'], ['bcc', 'boss@customer.test'], ['text', 'We are fixing the invoice.'], ['status', 'pending'],
    ]);
    expect(sent.status).toBe(303);
    const item = (await db.models.Outbox.findOne({ ticketId: new Types.ObjectId(id), kind: 'agent-reply' }).lean())!;
    expect(item.envelope.to).toEqual(['ann@customer.test', 'bob@customer.test', 'carol@customer.test', 'dave@customer.test', 'boss@customer.test']);
    const raw = bytes(item.raw).toString('utf8');
    expect(raw).toMatch(/^Cc: Bob <bob@customer.test>, carol@customer.test, dave@customer.test\r$/m);
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(raw).not.toContain('boss@customer.test');

    const stored = (await db.models.Message.findOne({ messageId: item.messageId }).lean())!;
    expect(stored.bcc?.map((a) => a.address)).toEqual(['boss@customer.test']);
    const event = (await db.models.TicketEvent.findOne({ ticketId: new Types.ObjectId(id), type: 'reply_queued' }).lean())!;
    expect(event.data).toMatchObject({ cc: ['bob@customer.test', 'carol@customer.test', 'dave@customer.test'], bcc: ['boss@customer.test'] });
    const ticket = (await db.models.Ticket.findById(id).lean())!;
    expect(ticket.participants).toEqual(expect.arrayContaining(['carol@customer.test', 'dave@customer.test']));
    expect(ticket.participants).not.toContain('boss@customer.test');
    // Agents see the blind copy on the trail; the next reply does not Cc it.
    const after = await clients.gina!.get(`/tickets/${id}`);
    expect(after.text).toMatch(/<span class="msg-bcc">Bcc boss@customer.test<\/span>/);
    const api1 = await call(api, 'GET', `/tickets/${id}`, { token: tokens.gina });
    expect(api1.body.replyRecipients.cc.map((a: { address: string }) => a.address)).not.toContain('boss@customer.test');
    expect(api1.body.messages.at(-1).bcc).toEqual([{ address: 'boss@customer.test', name: null }]);
  });

  it('refuses a malformed or own address, naming it, and keeps the text and the typed addresses', async () => {
    const id = await newTicket(rawMail({ from: 'ann@customer.test', subject: 'Login fails', messageId: 'login@customer.test' }));
    const page = await clients.gina!.get(`/tickets/${id}`);
    const csrf = csrfOf(page.text, `/tickets/${id}/reply`);
    const bad = await post(clients.gina!, `/tickets/${id}/reply`, [
      ['_csrf', csrf], ['recipientsShown', '1'], ['to', 'ann@customer.test'], ['cc', 'carol@customer.test'], ['bcc', 'boss@customer'], ['text', 'A long answer I do not want to lose.'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Not sent: Bcc: boss@customer is not an email address.');
    expect(bad.text).toContain('A long answer I do not want to lose.</textarea>');
    expect(bad.text).toMatch(/name="bcc" value="boss@customer"/);
    expect(bad.text).toMatch(/name="cc" value="carol@customer.test"/);
    const own = await post(clients.gina!, `/tickets/${id}/reply`, [['_csrf', csrf], ['recipientsShown', '1'], ['to', 'ann@customer.test, Support@Example.test'], ['text', 'Hello']]);
    expect(own.status).toBe(400);
    expect(own.text).toContain('Support@Example.test is one of our own addresses');
    const none = await post(clients.gina!, `/tickets/${id}/reply`, [['_csrf', csrf], ['recipientsShown', '1'], ['to', ''], ['text', 'Hello']]);
    expect(none.status).toBe(400);
    expect(await db.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
    // In French, the same problem in French.
    const fr = new Client(desk.base, undefined, { 'accept-language': 'fr' });
    await fr.login('gina@example.test', 'gina password 123');
    const frPage = await fr.get(`/tickets/${id}`);
    const frBad = await post(fr, `/tickets/${id}/reply`, [['_csrf', csrfOf(frPage.text, `/tickets/${id}/reply`)], ['recipientsShown', '1'], ['to', 'ann@customer.test'], ['bcc', 'x@'], ['text', 'Bonjour']]);
    expect(frBad.status).toBe(400);
    expect(frBad.text).toContain('x@ n’est pas une adresse e-mail');
  });

  it('saving a draft keeps the ticked and typed Cc that are addresses, an empty or half-typed field does not fail it', async () => {
    const id = await newTicket(rawMail({ from: 'ann@customer.test', cc: 'bob@customer.test', subject: 'Draft me', messageId: 'draft@customer.test' }));
    const page = await clients.gina!.get(`/tickets/${id}`);
    const saved = await post(clients.gina!, `/tickets/${id}/draft`, [
      ['_csrf', csrfOf(page.text, `/tickets/${id}/reply`)], ['recipientsShown', '1'], ['to', 'ann@customer.test'], ['cc', 'bob@customer.test'], ['cc', 'carol@customer.test carol@'], ['bcc', ''], ['text', 'Half written'],
    ]);
    expect(saved.status).toBe(303);
    const again = await clients.gina!.get(`/tickets/${id}`);
    expect(again.text).toContain('Half written</textarea>');
    expect(again.text).toMatch(/name="cc" value="bob@customer.test" checked>/);
    expect(again.text).toMatch(/<input type="text" name="cc" value="carol@customer.test"/);
  });

  it('the API takes bcc on a reply and on a new conversation, and refuses bad ones with a 400 naming the field', async () => {
    const id = await newTicket(rawMail({ from: 'ann@customer.test', subject: 'Refund', messageId: 'refund@customer.test' }));
    const ok = await call(api, 'POST', `/tickets/${id}/replies`, { token: tokens.gina, body: { text: 'Refunded.', bcc: ['audit@customer.test'] } });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ to: ['ann@customer.test'], cc: [], bcc: ['audit@customer.test'] });
    expect((await db.models.Outbox.findById(ok.body.id).lean())!.envelope.to).toEqual(['ann@customer.test', 'audit@customer.test']);
    const own = await call(api, 'POST', `/tickets/${id}/replies`, { token: tokens.gina, body: { text: 'x', bcc: ['support@example.test'] } });
    expect(own.status).toBe(400);
    expect(JSON.stringify(own.body)).toContain('bcc');
    expect((await call(api, 'POST', `/tickets/${id}/replies`, { token: tokens.gina, body: { text: 'x', bcc: ['nope'] } })).status).toBe(400);

    const started = await call(api, 'POST', '/tickets', { token: tokens.gina, body: { inboxId: inboxId.toHexString(), to: 'eve@customer.test', cc: ['fred@customer.test'], bcc: ['audit@customer.test'], subject: 'Your order', text: 'It shipped.' } });
    expect(started.status).toBe(201);
    expect(started.body.outbox).toMatchObject({ to: ['eve@customer.test'], cc: ['fred@customer.test'], bcc: ['audit@customer.test'] });
    const item = (await db.models.Outbox.findById(started.body.outbox.id).lean())!;
    expect(item.envelope.to).toEqual(['eve@customer.test', 'fred@customer.test', 'audit@customer.test']);
    expect(bytes(item.raw).toString('utf8')).not.toMatch(/^Bcc:/im);
    expect((await db.models.Ticket.findById(started.body.ticket.id).lean())!.participants).not.toContain('audit@customer.test');
    expect((await call(api, 'POST', '/tickets', { token: tokens.gina, body: { inboxId: inboxId.toHexString(), to: 'eve@customer.test', bcc: ['other@example.test'], subject: 'x', text: 'y' } })).status).toBe(400);
  });

  it('the new-conversation page has a Bcc field that goes to the envelope only', async () => {
    const page = await clients.gina!.get('/tickets/new');
    expect(page.text).toContain('name="bcc"');
    const sent = await clients.gina!.post('/tickets/new', { _csrf: Client.csrf(page.text), inbox: inboxId.toHexString(), to: 'gus@customer.test', cc: '', bcc: 'audit2@customer.test', subject: 'Hello', text: 'Welcome', status: 'pending', requestKey: 'nc-bcc' });
    expect(sent.status).toBe(303);
    expect((await db.models.Outbox.findOne({ 'envelope.to': 'gus@customer.test' }).lean())!.envelope.to).toEqual(['gus@customer.test', 'audit2@customer.test']);
    const refused = await clients.gina!.post('/tickets/new', { _csrf: Client.csrf(page.text), inbox: inboxId.toHexString(), to: 'hal@customer.test', bcc: 'support@example.test', subject: 'Hello', text: 'Kept text', requestKey: 'nc-bcc-2' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Each Bcc must be an email address');
    expect(refused.text).toContain('Kept text</textarea>');
  });
});

describe('Forward', () => {
  it('forwards one message with its attachment as a side conversation, as mail clients do', async () => {
    const id = await newTicket(mailWithFile('fwd1@customer.test', 'Invoice 4411'));
    const message = (await db.models.Message.findOne({ messageId: 'fwd1@customer.test' }).lean())!;
    const ticketPage = await clients.gina!.get(`/tickets/${id}`);
    expect(ticketPage.text).toContain(`href="/tickets/${id}/forward?message=${message._id.toHexString()}"`);
    expect(ticketPage.text).toContain(`href="/tickets/${id}/forward"`);

    const viewsBefore = await db.models.AccessLog.countDocuments({ ticketId: new Types.ObjectId(id), action: 'ticket_viewed' });
    const page = await clients.gina!.get(`/tickets/${id}/forward?message=${message._id.toHexString()}`);
    expect(page.status).toBe(200);
    // The forward page shows the conversation: an access like opening the ticket.
    expect(await db.models.AccessLog.countDocuments({ ticketId: new Types.ObjectId(id), action: 'ticket_viewed' })).toBe(viewsBefore + 1);
    expect(page.text).toContain('value="Fwd: Invoice 4411"');
    expect(page.text).toContain('---------- Forwarded message ---------\nFrom: Ann Customer &lt;ann@customer.test&gt;');
    expect(page.text).toMatch(/name="attachmentIds" value="[0-9a-f]{24}" checked> invoice.pdf/);
    expect(page.text).toContain('<option value="bob@customer.test">');

    const csrf = csrfOf(page.text, `/tickets/${id}/forward`);
    const bad = await clients.gina!.post(`/tickets/${id}/forward`, { _csrf: csrf, message: message._id.toHexString(), address: 'support@', subject: 'Fwd: Invoice 4411', text: 'Keep me' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Not forwarded: To:');
    expect(bad.text).toContain('Keep me</textarea>');

    const fileId = message.attachments[0]!.fileId.toHexString();
    const sent = await post(clients.gina!, `/tickets/${id}/forward`, [
      ['_csrf', csrf], ['message', message._id.toHexString()], ['address', 'accounting@vendor.test'], ['subject', 'Fwd: Invoice 4411'], ['text', 'Can you check the VAT?'], ['attachmentIds', fileId], ['requestKey', 'fwd-1'],
    ]);
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/tickets/${id}#side-conversations`);
    const sc = (await db.models.SideConversation.findOne({ ticketId: new Types.ObjectId(id) }).lean())!;
    expect(sc).toMatchObject({ kind: 'forward', subject: 'Fwd: Invoice 4411' });
    const item = (await db.models.Outbox.findOne({ ticketId: new Types.ObjectId(id), kind: 'side-conversation' }).lean())!;
    expect(item.envelope.to).toEqual(['accounting@vendor.test']);
    const mail = await parseMail(bytes(item.raw), { maxBytes: 1e7 });
    expect(mail.subject).toMatch(/^Fwd: Invoice 4411 \[#\d+\]$/);
    expect(mail.text).toContain('Can you check the VAT?\n\n\n---------- Forwarded message ---------\nFrom: Ann Customer <ann@customer.test>\nDate: ');
    expect(mail.text).toContain('Subject: Invoice 4411\nTo: support@example.test\nCc: Bob <bob@customer.test>\n\nThe invoice attached has the wrong VAT.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['invoice.pdf']);
    // The customer's conversation is untouched.
    expect((await db.models.Message.countDocuments({ ticketId: new Types.ObjectId(id), sideConversationId: null }))).toBe(1);
  });

  it('forwards the whole ticket (API: forward without messageIds), oldest first, in the caller’s language', async () => {
    const id = await newTicket(rawMail({ from: 'ann@customer.test', subject: 'Printer', messageId: 'pr1@customer.test', body: 'First mail.' }));
    await ingestEmail(ingest, { inboxId, raw: rawMail({ from: 'ann@customer.test', subject: 'Re: Printer', messageId: 'pr2@customer.test', inReplyTo: 'pr1@customer.test', references: ['pr1@customer.test'], body: 'Second mail.' }), source: null });
    const page = await clients.gina!.get(`/tickets/${id}/forward`);
    expect(page.status).toBe(200);
    expect(page.text.indexOf('First mail.')).toBeLessThan(page.text.indexOf('Second mail.'));
    const res = await fetch(`${api}/tickets/${id}/side-conversations`, {
      method: 'POST', headers: { authorization: `Bearer ${tokens.gina}`, 'content-type': 'application/json', 'accept-language': 'fr' },
      body: JSON.stringify({ address: 'l2@vendor.test', forward: true }),
    });
    expect(res.status).toBe(201);
    const view = (await res.json()) as { subject: string; messages: Array<{ text: string }> };
    expect(view.subject).toBe('Fwd: Printer');
    const text = view.messages[0]!.text;
    expect(text.startsWith('---------- Message transféré ---------\nDe\u00a0: ann@customer.test')).toBe(true);
    expect(text.indexOf('First mail.')).toBeLessThan(text.indexOf('Second mail.'));
    expect(text).toContain('À\u00a0: support@example.test');
  });

  it('refuses a message of another ticket and agents who may not work the ticket', async () => {
    const id = await newTicket(rawMail({ from: 'ann@customer.test', subject: 'Mine', messageId: 'mine@customer.test' }));
    const foreign = (await db.models.Message.findOne({ messageId: 'vat@customer.test' }).lean())!;
    expect((await clients.gina!.get(`/tickets/${id}/forward?message=${foreign._id.toHexString()}`)).status).toBe(404);
    expect((await clients.gina!.get(`/tickets/${id}/forward?message=nonsense`)).status).toBe(404);
    const viaApi = await call(api, 'POST', `/tickets/${id}/side-conversations`, { token: tokens.gina, body: { address: 'x@vendor.test', forward: true, messageIds: [foreign._id.toHexString()] } });
    expect(viaApi.status).toBe(400);
    expect(JSON.stringify(viaApi.body)).toContain('messageIds');
    const own = await call(api, 'POST', `/tickets/${id}/side-conversations`, { token: tokens.gina, body: { address: 'Other@Example.test', forward: true } });
    expect(own.status).toBe(400);
    expect(JSON.stringify(own.body)).toContain('one of our own addresses');
    expect((await clients.otto!.get(`/tickets/${id}/forward`)).status).toBe(404);
    expect((await call(api, 'POST', `/tickets/${id}/side-conversations`, { token: tokens.otto, body: { address: 'x@vendor.test', forward: true } })).status).toBe(404);
    expect(await db.models.SideConversation.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
  });
});
