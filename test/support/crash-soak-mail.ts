import { setTimeout as sleep } from 'node:timers/promises';
import type { ImapFlow } from 'imapflow';
import type { DovecotServer } from '../helpers/dovecot.js';
import { rawMail } from '../helpers/mail.js';

/** A conversation the soak's customers start: one sender, one subject, its mails in order. */
export interface SoakThread {
  index: number;
  sender: string;
  subject: string;
  /** Message-IDs of its mails in delivery order; the first opened the ticket. */
  messageIds: string[];
}

/** A mail the soak delivered into the mailbox. */
export interface DeliveredMail {
  messageId: string;
  thread: number;
  /** It opened its thread (a new ticket) rather than answering it. */
  opens: boolean;
  /** Our auto-reply's Message-ID it answers (In-Reply-To), when it answers that rather than the customer's previous mail. */
  answersAutoReply: string | null;
  uid: number;
  /** Date.now() once the IMAP server confirmed the APPEND. */
  at: number;
}

/** What the mail feeder delivered. */
export interface MailFeed {
  threads: SoakThread[];
  mails: DeliveredMail[];
  /** Resolves when every mail is delivered. */
  done: Promise<void>;
}

/** How the feeder paces and shapes the mail. */
export interface FeedOptions {
  rng: () => number;
  count: number;
  meanGapMs: number;
  seed: number;
  dovecot: DovecotServer;
  /** The mailbox (Dovecot user) and the inbox address the customers write to. */
  mailbox: string;
  /** Our auto-reply to a thread's first mail, by that mail's Message-ID, once the SMTP server has it. */
  autoReplyTo: (rootMessageId: string) => string | undefined;
}

const WORDS = ['printer', 'invoice', 'refund', 'login', 'password', 'delivery', 'broken', 'urgent', 'question', 'account', 'order', 'upgrade'];

/**
 * Appends `count` mails to the mailbox one by one, with random gaps: about half open a new thread
 * (a new sender and subject each, so every thread is a ticket of its own and gets its own
 * acknowledgement), the rest answer a random earlier thread with In-Reply-To and References, a third
 * of those quoting our auto-reply once it has arrived. The random draws depend on the seed alone, so
 * a seed replays the same shape; whether a reply can quote the auto-reply depends on timing.
 */
export function feedMails(opts: FeedOptions): MailFeed {
  const threads: SoakThread[] = [];
  const mails: DeliveredMail[] = [];
  const domain = `customer-${opts.seed}.soak.test`;
  const word = () => WORDS[Math.floor(opts.rng() * WORDS.length)]!;

  const plan = () => {
    const index = mails.length;
    const opensThread = threads.length === 0 || opts.rng() < 0.45;
    const pick = opts.rng();
    const quote = opts.rng() < 1 / 3;
    const words = `${word()} ${word()}`;
    const messageId = `m${index}.${opts.seed}@${domain}`;
    if (opensThread) {
      const thread: SoakThread = { index: threads.length, sender: `c${threads.length}@${domain}`, subject: `Soak ${opts.seed}/${threads.length}: ${words}`, messageIds: [] };
      threads.push(thread);
      return { thread, messageId, opens: true, answersAutoReply: null, inReplyTo: undefined, references: [] as string[] };
    }
    const thread = threads[Math.floor(pick * threads.length)]!;
    const autoReply = quote ? opts.autoReplyTo(thread.messageIds[0]!) : undefined;
    const references = autoReply ? [...thread.messageIds, autoReply] : [...thread.messageIds];
    return { thread, messageId, opens: false, answersAutoReply: autoReply ?? null, inReplyTo: references.at(-1), references };
  };

  const deliver = async () => {
    let client: ImapFlow | null = null;
    try {
      for (let i = 0; i < opts.count; i++) {
        const gap = opts.rng() < 0.25 ? 0 : opts.rng() * 2 * opts.meanGapMs;
        if (gap > 0) await sleep(gap);
        const p = plan();
        const raw = rawMail({
          from: `Customer ${p.thread.index} <${p.thread.sender}>`,
          to: opts.mailbox,
          subject: p.opens ? p.thread.subject : `Re: ${p.thread.subject}`,
          messageId: p.messageId,
          inReplyTo: p.inReplyTo,
          references: p.references,
          body: `Mail ${i} of the crash soak (thread ${p.thread.index}).`,
          headers: [`Return-Path: <${p.thread.sender}>`],
        });
        let uid: number | undefined;
        for (let attempt = 1; uid === undefined; attempt++) {
          try {
            client ??= await opts.dovecot.client(opts.mailbox);
            const res = await client.append('INBOX', raw);
            if (!res || !res.uid) throw new Error('APPEND returned no UID');
            uid = res.uid;
          } catch (err) {
            await client?.logout().catch(() => undefined);
            client = null;
            if (attempt >= 5) throw err;
            await sleep(100 * attempt);
          }
        }
        p.thread.messageIds.push(p.messageId);
        mails.push({ messageId: p.messageId, thread: p.thread.index, opens: p.opens, answersAutoReply: p.answersAutoReply, uid, at: Date.now() });
      }
    } finally {
      await client?.logout().catch(() => undefined);
    }
  };
  return { threads, mails, done: deliver() };
}
