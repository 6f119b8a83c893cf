import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail, type IngestDeps } from '../../../src/services/ingest/ingest-email.js';
import { call, createUser, login } from '../../helpers/api.js';
import { ingestDepsOver } from '../../helpers/ingest.js';
import { Client } from './pages-harness.js';
import { startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let ingest: IngestDeps;
let agent: Client;
let api: string;
let token: string;
const inbox = new Types.ObjectId();
let n = 0;

interface Mail { from: string; messageId: string; inReplyTo?: string; cc?: string[]; replyTo?: string; subject?: string }

/** Receives one customer mail through the real ingest path (threading, participants). */
async function receive(m: Mail): Promise<string> {
  const lines = [
    `From: ${m.from}`,
    'To: support@example.test',
    ...(m.cc ? [`Cc: ${m.cc.join(', ')}`] : []),
    ...(m.replyTo ? [`Reply-To: ${m.replyTo}`] : []),
    `Subject: ${m.subject ?? 'Re: Invoice 2291'}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`] : []),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello, about the invoice.',
    '',
  ];
  const result = await ingestEmail(ingest, { inboxId: inbox, raw: Buffer.from(lines.join('\r\n')), source: null });
  expect(result.outcome).toBe('ticketed');
  return (result as { ticketId: Types.ObjectId }).ticketId.toHexString();
}

/** A ticket opened by ann@customer.test (optionally Cc bob), and the id of its first mail. */
async function ticketFromAnn(cc?: string[]) {
  n += 1;
  const first = `open.${n}@customer.test`;
  const id = await receive({ from: 'Ann <ann@customer.test>', messageId: first, subject: `Invoice 2291 (${n})`, ...(cc ? { cc } : {}) });
  return { id, first };
}

/** The queued mail of a ticket's latest reply, parsed back, and its trail entry. */
async function lastReply(id: string) {
  const item = await h.models.Outbox.findOne({ ticketId: new Types.ObjectId(id) }).sort({ _id: -1 }).lean();
  const mail = await parseMail(Buffer.from(item!.raw.buffer), { maxBytes: 10 * 1024 * 1024 });
  const event = await h.models.TicketEvent.findOne({ ticketId: new Types.ObjectId(id), type: 'reply_queued' }).sort({ _id: -1 }).lean();
  return {
    to: mail.to.map((a) => a.address),
    cc: mail.cc.map((a) => a.address),
    envelope: item!.envelope.to,
    trail: { to: event!.data.to, cc: event!.data.cc },
  };
}

async function replyByForm(id: string, fields: Record<string, string> = {}) {
  const page = await agent.get(`/tickets/${id}`);
  const res = await agent.post(`/tickets/${id}/reply`, { _csrf: Client.csrf(page.text), text: 'We corrected the invoice.', status: 'pending', ...fields });
  expect(res.status).toBe(303);
  return page;
}

beforeAll(async () => {
  h = await startSendingApp('reply_recipients');
  api = `${h.base}/api/v1`;
  await h.models.Inbox.create({ _id: inbox, name: 'Support', address: 'support@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } });
  ingest = ingestDepsOver(h, h.blobs, {
    sign: (v) => createHmac('sha256', 'reply-recipients-test-key-32-chars!!').update(v).digest('hex'),
    now: () => new Date(),
    ownAddresses: async () => new Set(['support@example.test']),
    maxBytes: 10 * 1024 * 1024,
  });
  await createUser(h.models, { email: 'agnes@example.test', name: 'Agnes', password: 'agnes password 123', inboxIds: [inbox] });
  agent = new Client(h.base);
  await agent.login('agnes@example.test', 'agnes password 123');
  token = await login(api, 'agnes@example.test', 'agnes password 123');
});
afterAll(() => h.close());

describe('a spoofed mail with the requester\'s From and Reply-To attacker@evil.test redirected the next reply', () => {
  it('goes To the requester only; the attacker is only a suggestion, on the page and in the API', async () => {
    const { id, first } = await ticketFromAnn();
    await receive({ from: 'Ann <ann@customer.test>', replyTo: 'Ann <attacker@evil.test>', messageId: `spoof.${n}@evil.test`, inReplyTo: first });

    const page = await replyByForm(id);
    expect(await lastReply(id)).toEqual({ to: ['ann@customer.test'], cc: [], envelope: ['ann@customer.test'], trail: { to: ['ann@customer.test'], cc: [] } });
    expect(page.text).toMatch(/<span class="muted">To<\/span> <input type="text" name="to" value="ann@customer.test"/);
    expect(page.text).toMatch(/<input type="checkbox" name="cc" value="attacker@evil.test"> Ann &lt;attacker@evil.test&gt; <span class="muted small">\(Reply-To of the latest mail\)/);

    const ticket = await call(api, 'GET', `/tickets/${id}`, { token });
    expect(ticket.body.replyRecipients).toEqual({
      to: [{ address: 'ann@customer.test', name: 'Ann' }],
      cc: [],
      suggested: [{ address: 'attacker@evil.test', name: 'Ann', reason: 'reply-to' }],
    });
    const sent = await call(api, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'Anything else?' } });
    expect(sent.status).toBe(202);
    expect([sent.body.to, sent.body.cc]).toEqual([['ann@customer.test'], []]);
  });
});

describe('an outsider reusing a Message-ID threaded into the ticket and took the next reply', () => {
  it('goes To the requester only, even after a second outsider mail; the outsider is only suggested', async () => {
    const { id, first } = await ticketFromAnn();
    expect(await receive({ from: 'Eve <attacker@evil.test>', messageId: `eve.${n}@evil.test`, inReplyTo: first })).toBe(id);
    await replyByForm(id);
    expect((await lastReply(id)).envelope).toEqual(['ann@customer.test']);

    expect(await receive({ from: 'Eve <attacker@evil.test>', messageId: `eve2.${n}@evil.test`, inReplyTo: first })).toBe(id);
    const page = await replyByForm(id);
    expect(page.text).toContain('value="attacker@evil.test"> Eve &lt;attacker@evil.test&gt; <span class="muted small">(new to this ticket)');
    expect(await lastReply(id)).toEqual({ to: ['ann@customer.test'], cc: [], envelope: ['ann@customer.test'], trail: { to: ['ann@customer.test'], cc: [] } });
    expect((await call(api, 'GET', `/tickets/${id}`, { token })).body.replyRecipients.suggested).toEqual([{ address: 'attacker@evil.test', name: 'Eve', reason: 'new-address' }]);
  });

  it('sends to the outsider only when the agent names it (form tick or API list)', async () => {
    const { id, first } = await ticketFromAnn();
    await receive({ from: 'Eve <attacker@evil.test>', messageId: `eve.${n}@evil.test`, inReplyTo: first });
    await replyByForm(id, { recipientsShown: '1', cc: 'attacker@evil.test' });
    expect(await lastReply(id)).toMatchObject({ to: ['ann@customer.test'], cc: ['attacker@evil.test'], trail: { to: ['ann@customer.test'], cc: ['attacker@evil.test'] } });

    const res = await call(api, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'Only to Eve', to: ['attacker@evil.test'], cc: [] } });
    expect(res.status).toBe(202);
    expect([res.body.to, res.body.cc]).toEqual([['attacker@evil.test'], []]);
    expect((await call(api, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'Loop', cc: ['Support@example.test'] } })).status).toBe(400);
  });
});

describe('a customer mail with Cc a colleague dropped the colleague from the reply', () => {
  it('Cc the colleague who is already a participant; the page shows To and Cc before sending; the trail records them', async () => {
    const { id, first } = await ticketFromAnn(['Bob <bob@customer.test>']);
    await receive({ from: 'Ann <ann@customer.test>', cc: ['Bob <bob@customer.test>', 'Cleo <cleo@customer.test>'], messageId: `ann2.${n}@customer.test`, inReplyTo: first });

    const page = await agent.get(`/tickets/${id}`);
    expect(page.text).toMatch(/<span class="muted">To<\/span> <input type="text" name="to" value="ann@customer.test"/);
    expect(page.text).toContain('<input type="checkbox" name="cc" value="bob@customer.test" checked> Bob &lt;bob@customer.test&gt;');
    expect(page.text).toContain('<input type="checkbox" name="cc" value="cleo@customer.test"> Cleo &lt;cleo@customer.test&gt;');

    // What the browser posts with the boxes as shown: Bob ticked, Cleo not.
    await replyByForm(id, { recipientsShown: '1', cc: 'bob@customer.test' });
    expect(await lastReply(id)).toEqual({
      to: ['ann@customer.test'], cc: ['bob@customer.test'], envelope: ['ann@customer.test', 'bob@customer.test'],
      trail: { to: ['ann@customer.test'], cc: ['bob@customer.test'] },
    });
    const after = await agent.get(`/tickets/${id}`);
    expect(after.text).toContain('To ann@customer.test · Cc bob@customer.test</p>');

    const res = await call(api, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'PS' } });
    expect([res.body.to, res.body.cc]).toEqual([['ann@customer.test'], ['bob@customer.test']]);
  });

  it('leaves the colleague out when the agent unticks it', async () => {
    const { id, first } = await ticketFromAnn(['bob@customer.test']);
    await receive({ from: 'ann@customer.test', cc: ['bob@customer.test'], messageId: `ann2.${n}@customer.test`, inReplyTo: first });
    await replyByForm(id, { recipientsShown: '1' });
    expect((await lastReply(id)).envelope).toEqual(['ann@customer.test']);
  });
});
