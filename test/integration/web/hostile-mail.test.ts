import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import sanitizeHtml from 'sanitize-html';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ingestDeps } from '../../../src/composition.js';
import { SANITIZER_RULES } from '../../../src/mail/sanitize-html.js';
import { ingestEmail, type IngestResult } from '../../../src/services/ingest/ingest-email.js';
import { call, createUser, login } from '../../helpers/api.js';
import { nestedHtmlMail } from '../../helpers/hostile-mail.js';
import { readFixture } from '../../helpers/mail-fixtures.js';
import { startRuntime } from '../../helpers/runtime.js';
import { Client } from './pages-harness.js';
import { loopDelayDuring } from '../../helpers/event-loop.js';

// Spies on the sanitizer of this thread only: the mail workers load their own copy.
vi.mock('sanitize-html', { spy: true });

/** How long this thread's event loop may be kept from running while a hostile mail is ingested or shown. */
const MAX_LOOP_DELAY_MS = 1000;
const SUPPORT = 'support@example.test';

let app: Awaited<ReturnType<typeof startRuntime>>;
let base: string;
let agent: Client;
let token: string;
let inboxId: Types.ObjectId;

async function ingest(raw: Buffer): Promise<{ ticketId: string; messageDocId: Types.ObjectId; maxDelayMs: number }> {
  const { result, maxDelayMs } = await loopDelayDuring<IngestResult>(() => ingestEmail(ingestDeps(app.runtime), { inboxId, raw, source: null }));
  if (result.outcome !== 'ticketed') throw new Error(`expected a ticket, got ${JSON.stringify(result)}`);
  return { ticketId: result.ticketId.toHexString(), messageDocId: result.messageDocId, maxDelayMs };
}

beforeAll(async () => {
  app = await startRuntime('hostile_mail', ['web']);
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  inboxId = new Types.ObjectId();
  await app.models.Inbox.create({ _id: inboxId, name: 'Support', address: SUPPORT, imap: { host: '127.0.0.1', port: 143 }, smtp: { host: '127.0.0.1', port: 25 }, autoReply: { enabled: false } });
  await createUser(app.models, { email: 'hana@example.test', password: 'hana password 123', inboxIds: [inboxId] });
  agent = new Client(base);
  await agent.login('hana@example.test', 'hana password 123');
  token = await login(`${base}/api/v1`, 'hana@example.test', 'hana password 123');
});
afterAll(() => app?.stop());
beforeEach(() => vi.mocked(sanitizeHtml).mockClear());

describe('deeply nested HTML', () => {
  it('a mail with 60,000 nested divs is stored, flagged and shown as text, without stalling ingest or the page', async () => {
    const { ticketId, messageDocId, maxDelayMs } = await ingest(readFixture('hostile/deeply-nested-html-60k-divs.eml'));
    expect(maxDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    const stored = await app.models.Message.findById(messageDocId).lean();
    expect(stored).toMatchObject({ html: null, flags: { htmlTooComplex: true } });
    expect(stored!.text).toContain('Please look at my order, it is stuck.');

    const { result: page, maxDelayMs: pageDelayMs } = await loopDelayDuring(() => agent.get(`/tickets/${ticketId}`));
    expect(page.status).toBe(200);
    expect(pageDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    expect(page.text).toContain('Formatting too complex to display safely');
    expect(page.text).toContain('Please look at my order, it is stuck.');
    expect(page.text).not.toContain(`/messages/${messageDocId.toHexString()}/body`);
    expect((await agent.get(`/tickets/${ticketId}/messages/${messageDocId.toHexString()}/body`)).status).toBe(404);

    const api = await call(`${base}/api/v1`, 'GET', `/tickets/${ticketId}`, { token });
    expect(api.body.messages[0]).toMatchObject({ html: null, flags: { htmlTooComplex: true } });
    expect(vi.mocked(sanitizeHtml)).not.toHaveBeenCalled();
  });

  it('an HTML-only mail with 200,000 nested divs is stored with its words as text instead of being refused', async () => {
    const { messageDocId, maxDelayMs } = await ingest(nestedHtmlMail(200_000, { textPart: false, messageId: 'nested-200k-html-only@customer.example' }));
    expect(maxDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    expect(await app.models.Message.findById(messageDocId).lean()).toMatchObject({ html: null, text: 'Please look at my order, it is stuck.', flags: { htmlTooComplex: true } });
  });
});

describe('ordinary HTML', () => {
  it('is cleaned once at ingest, off this thread, and served as stored', async () => {
    const raw = Buffer.from(
      [
        'From: Olga Ordinary <olga@customer.example>',
        `To: ${SUPPORT}`,
        'Subject: Printer',
        'Message-ID: <ordinary-html@customer.example>',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p onclick="steal()">The printer <b>smokes</b>.</p><img src="https://tracker.example/p.gif" width="1"><script>steal()</script>',
        '',
      ].join('\r\n'),
    );
    const { ticketId, messageDocId } = await ingest(raw);
    expect(await app.models.Message.findById(messageDocId).lean()).toMatchObject({
      html: expect.stringMatching(/^<p>The printer <b>smokes<\/b>\.<\/p><img width="1" data-remote-src="https:\/\/tracker\.example\/p\.gif" \/>\s*$/),
      htmlRules: SANITIZER_RULES,
      flags: { htmlTooComplex: false },
    });
    expect((await agent.get(`/tickets/${ticketId}`)).text).toContain(`/tickets/${ticketId}/messages/${messageDocId.toHexString()}/body`);
    const body = await agent.get(`/tickets/${ticketId}/messages/${messageDocId.toHexString()}/body?images=1`);
    expect(body.text).toContain('<p>The printer <b>smokes</b>.</p><img width="1" src="https://tracker.example/p.gif" />');
    expect(vi.mocked(sanitizeHtml)).not.toHaveBeenCalled();
  });
});

describe('a huge Cc list', () => {
  it('adds the first 50 addresses as participants and says so on the trail, without stalling ingest', async () => {
    const { ticketId, messageDocId, maxDelayMs } = await ingest(readFixture('hostile/cc-with-20k-addresses.eml'));
    expect(maxDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    const ticket = await app.models.Ticket.findById(ticketId).lean();
    expect(ticket!.participants).toHaveLength(50);
    expect(ticket!.participants.slice(0, 2)).toEqual(['carl@customer.example', 'member00001@list.example.org']);
    expect((await app.models.Message.findById(messageDocId).lean())!.cc).toHaveLength(500);
    const capped = await app.models.TicketEvent.findOne({ ticketId, type: 'participants_capped' }).lean();
    expect(capped!.data).toMatchObject({ addresses: 20_000, headers: ['cc'], added: 50 });
    expect((await agent.get(`/tickets/${ticketId}`)).text).toContain('20,000 addresses in Cc; only the first 50 were added as participants');
  });
});
