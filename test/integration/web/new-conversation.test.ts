import { Types } from 'mongoose';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY, slaClocks } from '../../../src/domain/sla.js';
import { createMailSender } from '../../../src/mail/smtp-transport.js';
import { ingestEmail, type IngestDeps } from '../../../src/services/ingest/ingest-email.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../src/services/outbound/deliver-outbox-item.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { call, createUser, login } from '../../helpers/api.js';
import { testLogger } from '../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../helpers/inbox.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { ingestDepsOver } from '../../helpers/ingest.js';
import { Client } from './pages-harness.js';
import { startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let smtp: TestSmtp;
let ingest: IngestDeps;
let deliver: DeliverDeps;
let agent: Client;
let api: string;
let token: string;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const inbox = new Types.ObjectId();
const otherInbox = new Types.ObjectId();
const team = new Types.ObjectId();

/** Delivers every mail queued for the ticket to the test SMTP server and returns them, parsed back. */
async function deliverAll(ticketId: string) {
  const items = await h.models.Outbox.find({ ticketId: new Types.ObjectId(ticketId) }).sort({ _id: 1 }).lean();
  for (const item of items) if (item.state === 'pending') expect(await deliverOutboxItem(deliver, item._id, 5000)).toBe('sent');
  const received = smtp.received.filter((m) => items.some((i) => m.raw.toString().includes(`<${i.messageId}>`)));
  return Promise.all(received.map(async (m) => ({ envelope: m.rcptTo, mail: await parseMail(m.raw, { maxBytes: 10 * 1024 * 1024 }) })));
}

/** The customer's answer to a mail, received through the real ingest path. */
async function customerAnswers(to: { messageId: string; subject: string }, from = 'carla@customer.test') {
  const raw = [
    `From: Carla <${from}>`,
    'To: support@example.test',
    `Subject: Re: ${to.subject}`,
    `Message-ID: <answer.${new Types.ObjectId().toHexString()}@customer.test>`,
    `In-Reply-To: <${to.messageId}>`,
    `References: <${to.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Thanks, the new date suits me.',
    '',
  ].join('\r\n');
  const result = await ingestEmail(ingest, { inboxId: inbox, raw: Buffer.from(raw), source: null });
  expect(result.outcome).toBe('ticketed');
  return (result as { ticketId: Types.ObjectId }).ticketId.toHexString();
}

beforeAll(async () => {
  h = await startSendingApp('new_conversation');
  smtp = await startSmtp();
  api = `${h.base}/api/v1`;
  await h.models.Inbox.create([
    { _id: inbox, name: 'Support', address: 'support@example.test', defaultTeamId: team, imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } },
    { _id: otherInbox, name: 'Billing', address: 'billing@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } },
  ]);
  await h.models.Team.create({ _id: team, name: 'Front desk', level: 'L1', inboxIds: [inbox], memberIds: [] });
  ingest = ingestDepsOver(h, h.blobs, {
    sign: h.sign,
    now: () => new Date(),
    ownAddresses: async () => new Set(['support@example.test', 'billing@example.test']),
    maxBytes: 10 * 1024 * 1024,
  });
  deliver = { ...h.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 400 } } };
  await createUser(h.models, { email: 'agnes@example.test', name: 'Agnes', password: 'agnes password 123', inboxIds: [inbox] });
  agent = new Client(h.base);
  await agent.login('agnes@example.test', 'agnes password 123');
  token = await login(api, 'agnes@example.test', 'agnes password 123');
});
afterAll(async () => {
  sender.close();
  await smtp.close();
  await h.close();
});

describe('POST /api/v1/tickets: an agent starts a conversation', () => {
  it('opens a ticket for the customer, mails them from the inbox, and their answer threads onto it', async () => {
    const res = await call(api, 'POST', '/tickets', {
      token,
      body: { inboxId: inbox.toHexString(), to: 'Carla@Customer.test', cc: ['dan@customer.test'], subject: 'Your appointment', text: 'Hello Carla,\n\nYour appointment moves to Tuesday.', requestKey: 'k-1' },
    });
    expect(res.status).toBe(201);
    const id = res.body.ticket.id as string;
    expect(res.body.ticket).toMatchObject({ status: 'pending', subject: 'Your appointment' });
    expect(res.body.outbox).toMatchObject({ to: ['carla@customer.test'], cc: ['dan@customer.test'], subject: `Your appointment [#${res.body.ticket.number}]` });

    const ticket = (await h.models.Ticket.findById(id).lean())!;
    expect(ticket).toMatchObject({ status: 'pending', requester: { email: 'carla@customer.test' }, messageCount: 1 });
    expect(ticket.teamId?.toHexString()).toBe(team.toHexString());
    // No customer mail waits: no first-response clock, no acknowledgement.
    expect(ticket.sla?.firstResponseDueAt ?? null).toBeNull();
    expect(ticket.sla?.firstRespondedAt).toBeInstanceOf(Date);
    expect(h.scheduled.filter((j) => j.name !== 'deliver-outbox')).toEqual([]);
    const trail = await h.models.TicketEvent.find({ ticketId: ticket._id }).lean();
    expect(trail.find((e) => e.type === 'conversation_started')).toMatchObject({ actor: { kind: 'user' }, data: { to: ['carla@customer.test'], cc: ['dan@customer.test'] } });

    // A retried request (same key) opens nothing more and queues nothing more.
    const again = await call(api, 'POST', '/tickets', {
      token,
      body: { inboxId: inbox.toHexString(), to: 'carla@customer.test', subject: 'Your appointment', text: 'Hello Carla,\n\nYour appointment moves to Tuesday.', requestKey: 'k-1' },
    });
    expect(again.status).toBe(201);
    expect(again.body.ticket.id).toBe(id);
    expect(again.body.outbox.id).toBe(res.body.outbox.id);
    expect(await h.models.Outbox.countDocuments({ ticketId: ticket._id })).toBe(1);
    expect((await h.models.Ticket.findById(id).lean())!.messageCount).toBe(1);

    // The mail as the SMTP server got it.
    const [sent] = await deliverAll(id);
    expect(sent!.envelope.sort()).toEqual(['carla@customer.test', 'dan@customer.test']);
    expect(sent!.mail.from?.address).toBe('support@example.test');
    expect(sent!.mail.subject).toBe(`Your appointment [#${ticket.number}]`);
    expect(sent!.mail.text).toContain('Your appointment moves to Tuesday.');
    expect(sent!.mail.messageId).toBe(res.body.outbox.messageId);

    // The customer's answer joins the same ticket and wakes it.
    const answered = await customerAnswers({ messageId: sent!.mail.messageId!, subject: sent!.mail.subject });
    expect(answered).toBe(id);
    const after = (await h.models.Ticket.findById(id).lean())!;
    expect(after).toMatchObject({ status: 'open', messageCount: 2 });
    expect(await h.models.Ticket.countDocuments({ 'requester.email': 'carla@customer.test' })).toBe(1);
    // Its SLA clocks once the ingest follow-up started the wait for our answer: a next response is due; no first-response clock ever runs.
    await h.stores.tickets.startAwaiting([after._id], new Date());
    const waiting = (await h.models.Ticket.findById(id).lean())!;
    expect(waiting.sla?.firstRespondedAt).toEqual(ticket.sla?.firstRespondedAt);
    const clocks = slaClocks({
      policy: DEFAULT_SLA_POLICY, priority: after.priority, level: null, status: after.status, createdAt: after.createdAt,
      firstRespondedAt: waiting.sla?.firstRespondedAt ?? null, awaitingSince: waiting.sla?.awaitingSince ?? null, pausedBusinessSeconds: 0, pausedAt: null, now: new Date(),
    }).map((c) => c.clock);
    expect(clocks).toContain('nextResponse');
    expect(clocks).not.toContain('firstResponse');
  });

  it('refuses a missing or bad address, our own address, an empty subject or text, and an inbox the agent is not in', async () => {
    const body = { inboxId: inbox.toHexString(), to: 'eve@customer.test', subject: 'Hello', text: 'Some words' };
    const bad = async (patch: Record<string, unknown>) => call(api, 'POST', '/tickets', { token, body: { ...body, ...patch } });
    for (const [patch, path] of [[{ to: 'not an address' }, 'to'], [{ to: 'billing@example.test' }, 'to'], [{ cc: ['nope'] }, 'cc.0'], [{ subject: '  ' }, 'subject'], [{ text: ' ' }, 'text']] as const) {
      const res = await bad(patch);
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect((res.body.error.details.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
    }
    expect((await bad({ inboxId: otherInbox.toHexString() })).status).toBe(404);
    expect((await bad({ inboxId: 'nope' })).status).toBe(404);
    expect(await h.models.Ticket.countDocuments({ 'requester.email': 'eve@customer.test' })).toBe(0);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await call(api, 'GET', '/openapi.json');
    expect(doc.body.paths['/tickets'].post).toMatchObject({ operationId: 'startConversation' });
    expect(Object.keys(doc.body.components.schemas.StartConversationInput.properties)).toEqual(expect.arrayContaining(['inboxId', 'to', 'cc', 'subject', 'text', 'status', 'requestKey']));
  });
});

describe('the New conversation page', () => {
  it('is linked from the ticket list and sends from the form, then shows the ticket', async () => {
    expect((await agent.get('/tickets')).text).toContain('<a class="button" href="/tickets/new">New conversation</a>');
    const form = await agent.get('/tickets/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${inbox.toHexString()}"`);
    expect(form.text).not.toContain(otherInbox.toHexString());

    const res = await agent.post('/tickets/new', {
      _csrf: Client.csrf(form.text), requestKey: 'page-1', inbox: inbox.toHexString(), to: 'frank@customer.test', cc: 'gail@customer.test, hal@customer.test',
      subject: 'Your parcel', text: 'Your parcel left our warehouse.', status: 'open',
    });
    expect(res.status).toBe(303);
    const id = /^\/tickets\/([0-9a-f]{24})$/.exec(res.headers.get('location') ?? '')?.[1];
    expect(id).toBeDefined();
    const page = await agent.get(`/tickets/${id}`);
    expect(page.text).toContain('Conversation started by Agnes');
    expect(page.text).toContain('Your parcel left our warehouse.');
    expect((await h.models.Ticket.findById(id).lean())!.status).toBe('open');

    const [sent] = await deliverAll(id!);
    expect(sent!.envelope.sort()).toEqual(['frank@customer.test', 'gail@customer.test', 'hal@customer.test']);
    expect(sent!.mail.text).toContain('Your parcel left our warehouse.');
    expect(await customerAnswers({ messageId: sent!.mail.messageId!, subject: sent!.mail.subject }, 'frank@customer.test')).toBe(id);
  });

  it('shows the form again with the text kept and the field named when something is wrong', async () => {
    const form = await agent.get('/tickets/new');
    const res = await agent.post('/tickets/new', { _csrf: Client.csrf(form.text), requestKey: 'page-2', inbox: inbox.toHexString(), to: 'support@example.test', subject: 'Hi', text: 'Kept words', status: 'pending' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="to-error"');
    expect(res.text).toContain('Kept words');
    expect(await h.models.Ticket.countDocuments({ subject: 'Hi' })).toBe(0);
  });

  it('speaks French', async () => {
    const fr = new Client(h.base, undefined, { 'accept-language': 'fr' });
    await fr.login('agnes@example.test', 'agnes password 123');
    const form = await fr.get('/tickets/new');
    expect(form.text).toContain('Écrire à un client');
    expect(form.text).toContain('Envoyer et ouvrir la demande');
  });
});
