import { autoSubmittedReason } from './auto-submitted.js';
import { detectBounce } from './bounce.js';
import type { ParsedMail } from './mail.js';

/** Everything {@link shouldAutoReply} decides on; the caller looks up the counters, this module stays pure. */
export interface AutoReplyInput {
  mail: ParsedMail;
  /** The inbox's `autoReply.enabled`. */
  enabled: boolean;
  /** Every inbox address of ours, lower-case. */
  ownAddresses: ReadonlySet<string>;
  /** The X-Loop value we put on our automated mail, e.g. `threadline@help.example.com`. */
  loopId: string;
  /** The reply recipient is known to bounce. */
  recipientBouncing: boolean;
  /** When this recipient last got an auto-reply from us, or null. */
  lastAutoReplyToSenderAt: Date | null;
  /** At most one auto-reply per recipient within this many seconds (86400 by default). */
  windowSeconds: number;
  /** Auto-replies this inbox sent in the current hour. */
  sentThisHourForInbox: number;
  hourlyCap: number;
  now: Date;
}

/** The verdict: send, or a short machine-readable reason such as `list-header:list-id` or `window`. */
export type AutoReplyDecision = { send: true } | { send: false; reason: string };

/** A mailbox `local@domain.tld`, no display name, no brackets, no whitespace or specials. */
const MAILBOX = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u;

/**
 * List-manager mailboxes that autoSubmittedReason does not know, which Sieve vacation never
 * answers (RFC 5230 §4.6; Dovecot Pigeonhole checks the same local parts).
 */
const LIST_MANAGER: Array<[RegExp, string]> = [
  [/^listserv$/, 'listserv'],
  [/^majordomo$/, 'majordomo'],
  [/^owner-./, 'owner'],
  [/.-request$/, 'request'],
];

function isMailbox(address: string | null | undefined): address is string {
  return typeof address === 'string' && MAILBOX.test(address);
}

/**
 * Where an auto-reply goes: the first Reply-To address if it is a usable mailbox, else From's;
 * lower-case; null when neither is usable.
 */
export function autoReplyRecipient(mail: ParsedMail): string | null {
  const replyTo = mail.replyTo[0]?.address.trim();
  if (isMailbox(replyTo)) return replyTo.toLowerCase();
  const from = mail.from?.address.trim();
  return isMailbox(from) ? from.toLowerCase() : null;
}

/** `sender:*` for a system mailbox among the given addresses, or null. */
function systemSenderReason(mail: ParsedMail, recipient: string): string | null {
  const addresses = [recipient, mail.from?.address, mail.sender?.address, mail.returnPath];
  for (const address of addresses) {
    if (!address) continue;
    const at = address.lastIndexOf('@');
    // `owner-list+detail@` is still the list owner: the subaddress does not change the mailbox.
    const local = (at < 0 ? address : address.slice(0, at)).trim().toLowerCase().split('+')[0] ?? '';
    const match = LIST_MANAGER.find(([re]) => re.test(local));
    if (match) return `sender:${match[1]}`;
  }
  // autoSubmittedReason already checks From, Sender and Return-Path against its noreply/daemon
  // list; run the same rules on a Reply-To recipient, which it does not look at.
  return autoSubmittedReason({ ...bareMail(mail), from: { address: recipient, name: null } });
}

/** The mail with every header-borne signal removed, so only the sender rules can match. */
function bareMail(mail: ParsedMail): ParsedMail {
  return { ...mail, headers: {}, sender: null, returnPath: null, contentType: 'text/plain', reportType: null };
}

function hasOwnLoop(mail: ParsedMail, loopId: string): boolean {
  const id = loopId.trim().toLowerCase();
  return id !== '' && (mail.headers['x-loop'] ?? []).some((v) => v.toLowerCase().includes(id));
}

/**
 * Whether a received message may get the inbox's automatic acknowledgement. Follows RFC 3834 §2
 * and Sieve vacation (RFC 5230 §4.6): never answer software (Auto-Submitted, Precedence, List-*,
 * X-Auto-Response-Suppress, loops, reports, bounces, system mailboxes), never answer a null or
 * unknown envelope sender or ourselves, and answer at most once per recipient per window and
 * `hourlyCap` times an hour per inbox. A bounce forwarded by a person (detectBounce reason
 * `forwarded-bounce`) gets no auto-reply either: it may open a ticket, but acknowledging a bounce is
 * how loops start.
 */
export function shouldAutoReply(input: AutoReplyInput): AutoReplyDecision {
  const { mail } = input;
  const no = (reason: string): AutoReplyDecision => ({ send: false, reason });
  if (!input.enabled) return no('disabled');
  if (hasOwnLoop(mail, input.loopId)) return no('x-loop');

  const automated = autoSubmittedReason(mail);
  if (automated) return no(automated);
  if (detectBounce(mail)) return no('bounce');
  // Mail read over IMAP carries the Return-Path the final MTA added; without one the envelope
  // sender is unknown, and it might have been the null sender.
  if (mail.returnPath === null) return no('no-return-path');

  const recipient = autoReplyRecipient(mail);
  if (recipient === null) return no('no-recipient');
  const system = systemSenderReason(mail, recipient);
  if (system) return no(system);
  const ownAddresses = new Set([...input.ownAddresses].map((a) => a.trim().toLowerCase()));
  const own = [recipient, mail.from?.address, mail.sender?.address, mail.returnPath].some(
    (a) => a && ownAddresses.has(a.trim().toLowerCase()),
  );
  if (own) return no('own-address');

  if (input.recipientBouncing) return no('recipient-bouncing');
  if (input.lastAutoReplyToSenderAt !== null) {
    // A last reply "in the future" (clock skew) also counts as within the window.
    const elapsed = input.now.getTime() - input.lastAutoReplyToSenderAt.getTime();
    if (elapsed < input.windowSeconds * 1000) return no('window');
  }
  if (input.sentThisHourForInbox >= input.hourlyCap) return no('hourly-cap');
  return { send: true };
}
