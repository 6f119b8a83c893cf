import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { htmlToPlainText } from '../../../../src/mail/html-text.js';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { sanitizeEmailHtml } from '../../../../src/mail/sanitize-html.js';
import type { Actor } from '../../../../src/services/access.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { replyToTicket, type SendReplyDeps } from '../../../../src/services/tickets/send-reply.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { startSmtp, type TestSmtp } from '../../../helpers/smtp.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

// Issue 18: what reaches the SMTP server for an agent's HTML reply is the sanitized HTML (never the
// raw one), laid out by the inbox's agent-reply template, with a text/plain alternative.
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let smtp: TestSmtp;
let deps: SendReplyDeps;
let deliverDeps: DeliverDeps;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const agent: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
let number = 90_000;

const HOSTILE =
  '<p onclick="steal()">Fixed <strong>now</strong>, see <a href="https://example.test/kb/42">the article</a>.</p>' +
  '<script>fetch("/api/v1/me")</script><ul><li><p>restart</p></li><li><p>print</p></li></ul>' +
  '<p><a href="javascript:alert(1)">click me</a></p><blockquote><p>as you wrote</p></blockquote>';

beforeAll(async () => {
  [fx, smtp] = await Promise.all([ingestFixture('send_reply_html_smtp'), startSmtp()]);
  await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'smtp.port': smtp.port } });
  deps = {
    ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now,
    render: renderEmail, sanitizeHtml: (html) => sanitizeEmailHtml(html).html, htmlToText: htmlToPlainText,
  };
  deliverDeps = { ...fx.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 1, backoff: { baseMs: 100, maxMs: 100 } } };
});
afterAll(async () => {
  sender.close();
  await smtp.close();
  await fx.db.drop();
});

async function ticket() {
  number += 1;
  return fx.models.Ticket.create({ number, inboxId: fx.inbox._id, subject: 'Printer', requester: { email: 'ivo@customer.test' }, status: 'open' });
}

/** Sends the reply through the real SMTP server and parses what it received (raw too). */
async function sendAndReceive(ticketId: Types.ObjectId, form: { text: string; html?: string }, replyDeps: SendReplyDeps = deps) {
  const item = await replyToTicket(replyDeps, agent, ticketId.toHexString(), { form });
  expect(await deliverOutboxItem(deliverDeps, item._id, 30_000)).toBe('sent');
  const got = smtp.received.filter((m) => m.raw.toString().includes(`<${item.messageId}>`));
  expect(got).toHaveLength(1);
  return { raw: got[0]!.raw.toString(), mail: await parseMail(got[0]!.raw, { maxBytes: 10 * 1024 * 1024 }) };
}

describe('an agent’s HTML reply at the SMTP server', () => {
  it('carries the sanitized HTML in the inbox’s layout and a text/plain alternative made from it', async () => {
    const t = await ticket();
    const { raw, mail } = await sendAndReceive(t._id, { text: '', html: HOSTILE });
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    const html = mail.html as string;
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Fixed <strong>now</strong>');
    expect(html).toContain('href="https://example.test/kb/42"');
    expect(html).toMatch(/<li><p>restart<\/p><\/li>/);
    // Nothing of the hostile parts reaches the customer, in either part or anywhere in the raw mail.
    expect(raw).not.toMatch(/<script|onclick|javascript:|steal\(\)|api\/v1\/me/i);
    expect(html).toContain('click me');
    // The text part: made from the sanitized HTML (the agent sent no text), links as `text [url]`, list items, quotes.
    expect(mail.text).toContain('Fixed now, see the article [https://example.test/kb/42].');
    expect(mail.text).toContain('- restart\n- print');
    expect(mail.text).toContain('> as you wrote');
    // The conversation keeps the same: the sanitized HTML and its text.
    const stored = (await fx.models.Message.findOne({ ticketId: t._id, direction: 'outbound' }).lean())!;
    expect(stored.html).toBe(sanitizeEmailHtml(HOSTILE).html);
    expect(stored.text).toContain('Fixed now, see the article [https://example.test/kb/42].');
  });

  it('keeps the agent’s own text for the text part when they sent some', async () => {
    const t = await ticket();
    const { mail } = await sendAndReceive(t._id, { text: 'Fixed now (text version).', html: '<p>Fixed <em>now</em>.</p>' });
    expect(mail.html).toContain('<p>Fixed <em>now</em>.</p>');
    expect(mail.text).toMatch(/^Fixed now \(text version\)\.\n/);
  });

  it('sends text only, never the raw HTML, when there is no sanitizer', async () => {
    const t = await ticket();
    const { sanitizeHtml: _, ...withoutSanitizer } = deps;
    const { raw, mail } = await sendAndReceive(t._id, { text: 'Fixed now.', html: HOSTILE }, withoutSanitizer);
    expect(raw).not.toMatch(/<script|onclick|javascript:/i);
    expect(mail.text).toMatch(/^Fixed now\.\n/);
    // The HTML part is the layout of the plain reply.
    expect(mail.html).not.toContain('<strong>now</strong>');
  });

  it('refuses HTML that sanitizes to nothing when there is no text', async () => {
    const t = await ticket();
    await expect(replyToTicket(deps, agent, t._id.toHexString(), { form: { text: ' ', html: '<script>alert(1)</script><p> </p>' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await fx.models.Message.countDocuments({ ticketId: t._id })).toBe(0);
  });
});
