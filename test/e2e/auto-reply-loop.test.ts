import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const A = 'help@one.test';
const B = 'support@two.test';
let dovecot: DovecotServer;
let smtp: TestSmtp;
let one: Awaited<ReturnType<typeof startRuntime>>;
let two: Awaited<ReturnType<typeof startRuntime>>;

beforeAll(async () => {
  dovecot = await startDovecot([A, B]);
  smtp = await startSmtp();
  // The "internet": whatever either deployment sends is delivered to the recipient's mailbox, with the
  // Return-Path a final MTA adds from the envelope (RFC 5321 §4.4), `<>` for the null sender.
  smtp.onMessage(async (mail) => {
    for (const rcpt of mail.rcptTo.filter((r) => r === A || r === B)) {
      await dovecot.append(rcpt, Buffer.concat([Buffer.from(`Return-Path: <${mail.mailFrom}>\r\n`), mail.raw]));
    }
  });
  one = await startRuntime('loop_one', ['jobs', 'poller']);
  two = await startRuntime('loop_two', ['jobs', 'poller']);
  for (const [app, address] of [[one, A], [two, B]] as const) {
    const inbox = await createImapInbox(app.models, { address, port: dovecot.port, password: dovecot.password });
    await app.models.Inbox.updateOne({ _id: inbox._id }, { $set: { smtp: { host: '127.0.0.1', port: smtp.port, secure: false } } });
  }
});
afterAll(async () => {
  await one.stop();
  await two.stop();
  await smtp.close();
  await dovecot.stop();
});

async function quiet(ms: number) {
  let seen = -1;
  while (seen !== smtp.received.length) {
    seen = smtp.received.length;
    await new Promise((r) => setTimeout(r, ms));
  }
}

describe('two Threadline inboxes that auto-reply to each other', () => {
  it('exchange at most one auto-reply each, and the loop stops', async () => {
    // Each inbox gets a plain mail "from" the other (a misrouted forward, say), starting the exchange both ways.
    await dovecot.append(A, Buffer.concat([Buffer.from(`Return-Path: <${B}>\r\n`), rawMail({ from: B, to: A, messageId: 'kick-a@two.test', subject: 'Hello from two' })]));
    await dovecot.append(B, Buffer.concat([Buffer.from(`Return-Path: <${A}>\r\n`), rawMail({ from: A, to: B, messageId: 'kick-b@one.test', subject: 'Hello from one' })]));
    await expect.poll(() => smtp.received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await quiet(3000);
    // Each side received the other's auto-reply and filed it without answering: an auto-reply to a mail
    // it never sent is kept in quarantine as an unmatched report (or, when it does match, on that ticket).
    const filed = async (app: typeof one) =>
      (await app.models.Quarantine.countDocuments({ reason: 'BOUNCE_UNMATCHED' })) + (await app.models.Message.countDocuments({ direction: 'inbound', 'flags.autoSubmitted': true }));
    for (const app of [one, two]) await expect.poll(() => filed(app), { timeout: 10_000 }).toBe(1);
    await quiet(1000);

    const sentBy = (app: typeof one) => app.models.Outbox.countDocuments({ kind: 'auto-reply' });
    expect(await sentBy(one)).toBe(1);
    expect(await sentBy(two)).toBe(1);
    expect(smtp.received).toHaveLength(2);
    for (const app of [one, two]) {
      expect(await app.models.Ticket.countDocuments()).toBe(1);
      expect(await app.models.TicketEvent.countDocuments({ type: 'auto_reply_sent' })).toBe(1);
    }
  }, 60_000);
});
