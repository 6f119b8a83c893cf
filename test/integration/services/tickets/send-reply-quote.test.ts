import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { quoteAttribution } from '../../../../src/mail/quote-attribution.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { sanitizeEmailHtml } from '../../../../src/mail/sanitize-html.js';
import type { Actor } from '../../../../src/services/access.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { deliverOutboxItem, type DeliverDeps } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { replyToTicket, type SendReplyDeps } from '../../../../src/services/tickets/send-reply.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { startSmtp, type TestSmtp } from '../../../helpers/smtp.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let smtp: TestSmtp;
let deps: SendReplyDeps;
let deliverDeps: DeliverDeps;
const sender = createMailSender({ connectionTimeoutMs: 2000 });
const agent: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

beforeAll(async () => {
  [fx, smtp] = await Promise.all([ingestFixture('send_reply_quote'), startSmtp()]);
  await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'smtp.port': smtp.port } });
  deps = {
    ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now,
    render: renderEmail, sanitizeHtml: (html) => sanitizeEmailHtml(html).html, quoteAttribution, localeDefaults: { timeZone: 'Europe/Paris' },
  };
  deliverDeps = { ...fx.stores, sender, secrets: createSecretBox(TEST_SECRET_KEY), now: () => new Date(), logger: testLogger, settings: { maxAttempts: 1, backoff: { baseMs: 100, maxMs: 100 } } };
});
afterAll(async () => {
  sender.close();
  await smtp.close();
  await fx.db.drop();
});

let seq = 0;
/** A ticket opened by a customer mail in `inboxId`, with that mail's Message-ID. */
async function customerTicket(inboxId: Types.ObjectId, body: string, from = 'Ann Customer <ann@customer.test>') {
  seq += 1;
  const messageId = `quote-${seq}-${Date.now()}@customer.test`;
  const result = await ingestEmail(fx.deps, { inboxId, raw: rawMail({ from, messageId, subject: `Printer ${seq}`, date: 'Mon, 02 Mar 2026 13:05:00 +0000', body }), source: null });
  expect(result.outcome).toBe('ticketed');
  return { ticketId: (result as { ticketId: Types.ObjectId }).ticketId, messageId };
}

/** Queues the reply, delivers it through the real SMTP server and parses what the server received. */
async function sendAndReceive(ticketId: Types.ObjectId, form: { text: string; html?: string }, replyDeps = deps) {
  const item = await replyToTicket(replyDeps, agent, ticketId.toHexString(), { form });
  expect(await deliverOutboxItem(deliverDeps, item._id, 30_000)).toBe('sent');
  const got = smtp.received.filter((m) => m.raw.toString().includes(`<${item.messageId}>`));
  expect(got).toHaveLength(1);
  return { item, mail: await parseMail(got[0]!.raw, { maxBytes: 10 * 1024 * 1024 }) };
}

describe('an agent reply quotes the customer’s previous mail, checked at the SMTP server', () => {
  it('quotes the latest customer mail (not an out-of-office) below the reply: `> ` lines and a blockquote type="cite", in English', async () => {
    const { ticketId, messageId } = await customerTicket(fx.inbox._id, 'Hello,\n\nthe printer shows <b>E42</b> & stops.');
    // An automatic answer of the customer's mail system is nobody's words to quote.
    const ooo = await ingestEmail(fx.deps, {
      inboxId: fx.inbox._id,
      raw: rawMail({ from: 'Ann Customer <ann@customer.test>', subject: 'Out of office', inReplyTo: messageId, references: [messageId], body: 'I am away until Monday.', headers: ['Auto-Submitted: auto-replied'] }),
      source: null,
    });
    expect(ooo.outcome).not.toBe('quarantined');
    const inbound = await fx.models.Message.find({ ticketId, direction: 'inbound' }).sort({ createdAt: 1 }).lean();
    expect(inbound.map((m) => m.flags.autoReply === true)).toEqual([false, true]);

    const { mail } = await sendAndReceive(ticketId, { text: 'Please restart it.' });
    expect(mail.text).toContain('Please restart it.');
    expect(mail.text).toContain('On Mar 2, 2026, 2:05 PM, Ann Customer <ann@customer.test> wrote:\n> Hello,\n>\n> the printer shows <b>E42</b> & stops.');
    expect(mail.text).not.toContain('I am away');
    expect(mail.text!.indexOf('Please restart it.')).toBeLessThan(mail.text!.indexOf('> Hello,'));
    expect(mail.html).toMatch(/Ann Customer &lt;ann@customer\.test&gt; wrote:<\/p><blockquote type="cite"[^>]*><p[^>]*>Hello,<\/p><p[^>]*>the printer shows &lt;b&gt;E42&lt;\/b&gt; &amp; stops\.<\/p><\/blockquote>/);
    expect(mail.html).not.toContain('<b>E42</b>');
    expect(mail.html).not.toContain('I am away');

    // The conversation keeps the reply alone.
    const stored = await fx.models.Message.findOne({ ticketId, direction: 'outbound' }).lean();
    expect(stored!.text).toBe('Please restart it.');
  });

  it('appends the quote to an agent’s HTML reply laid out like a text one, the HTML part cleaned of nothing the customer sent', async () => {
    const { ticketId } = await customerTicket(fx.inbox._id, 'Line one\nLine <two>');
    const { mail } = await sendAndReceive(ticketId, { text: 'Fixed now.', html: '<p>Fixed <b>now</b>.</p>' });
    // The agent's HTML inside the inbox's agent-reply layout (a whole document), the quote after it.
    const html = mail.html as string;
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<p>Fixed <b>now</b>.</p>');
    expect(html.indexOf('<p>Fixed <b>now</b>.</p>')).toBeLessThan(html.indexOf('<div class="tl-quoted-history"'));
    expect(html).toMatch(/<div class="tl-quoted-history"[\s\S]*<\/body>/);
    expect(html).toContain('<blockquote type="cite"');
    expect(html).toContain('Line one<br>Line &lt;two&gt;');
    expect(mail.text).toMatch(/^Fixed now\.\n/);
    expect(mail.text).toContain('On Mar 2, 2026, 2:05 PM, Ann Customer <ann@customer.test> wrote:\n> Line one\n> Line <two>');
  });

  it('writes the attribution in French for a customer written to in French', async () => {
    const frInbox = await fx.models.Inbox.create({
      name: 'Support FR', address: 'support-fr@example.test', defaultLocale: 'fr',
      imap: { host: '127.0.0.1', port: 143, secure: false, user: 'support-fr@example.test' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
    });
    const { ticketId } = await customerTicket(frInbox._id, 'Bonjour,\nmon imprimante est en panne.', 'Anne Client <anne@client.test>');
    const { mail } = await sendAndReceive(ticketId, { text: 'Merci de la redémarrer.' });
    expect(mail.text).toContain('Le 2 mars 2026, 14:05, Anne Client <anne@client.test> a écrit\u00a0:\n> Bonjour,\n> mon imprimante est en panne.');
    expect(mail.html).toContain('Anne Client &lt;anne@client.test&gt; a écrit\u00a0:</p><blockquote type="cite"');
  });

  it('quotes nothing when the inbox turned quoted history off', async () => {
    const quiet = await fx.models.Inbox.create({
      name: 'Quiet', address: 'quiet@example.test', quoteHistory: false,
      imap: { host: '127.0.0.1', port: 143, secure: false, user: 'quiet@example.test' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
    });
    const { ticketId } = await customerTicket(quiet._id, 'Secret details of my first mail.');
    const { mail } = await sendAndReceive(ticketId, { text: 'Thanks, looking.' });
    expect(mail.text).toContain('Thanks, looking.');
    expect(mail.text).not.toContain('Secret details');
    expect(mail.text).not.toMatch(/^> /m);
    expect(mail.html).not.toContain('blockquote');
    expect(mail.html).not.toContain('Secret details');
  });
});
