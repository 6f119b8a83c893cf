import { AppError } from './errors.js';
import type { TicketStatus } from './ticket-status.js';

/** What "mark as spam" adds to the inbox's block list: the sender's address, its whole domain, or nothing. */
export const SPAM_BLOCK_CHOICES = ['sender', 'domain', 'none'] as const;
export type SpamBlockChoice = (typeof SPAM_BLOCK_CHOICES)[number];

/** An entry of an inbox's block list: an address, or a domain (every address at it). */
export interface SpamBlock {
  kind: 'sender' | 'domain';
  /** Lower-case address or domain. */
  value: string;
}

/**
 * Public mail providers: a whole domain of theirs is never blocked (it would block every customer
 * who writes from it); their senders are blocked one by one. Lower-case, exact domains.
 */
export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'outlook.fr', 'hotmail.com', 'hotmail.fr', 'hotmail.co.uk', 'live.com', 'live.fr',
  'live.co.uk', 'msn.com', 'yahoo.com', 'yahoo.fr', 'yahoo.co.uk', 'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com',
  'gmx.com', 'gmx.de', 'gmx.net', 'gmx.fr', 'web.de', 't-online.de', 'proton.me', 'protonmail.com', 'pm.me', 'tutanota.com',
  'mail.com', 'zoho.com', 'fastmail.com', 'hey.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', '126.com',
  'naver.com', 'orange.fr', 'wanadoo.fr', 'free.fr', 'laposte.net', 'sfr.fr', 'neuf.fr', 'bbox.fr', 'libero.it', 'seznam.cz',
  'comcast.net', 'btinternet.com',
]);

/** The domain of an address (lower-case), or null when it has none. */
export function domainOf(email: string): string | null {
  const at = email.lastIndexOf('@');
  const domain = at < 0 ? '' : email.slice(at + 1).trim().toLowerCase();
  return domain === '' ? null : domain;
}

/** Whether a domain is a public mail provider's ({@link PUBLIC_MAIL_DOMAINS}). */
export function isPublicMailDomain(domain: string): boolean {
  return PUBLIC_MAIL_DOMAINS.has(domain.toLowerCase());
}

/** The block-list values a sender's mail is checked against: the address itself and its domain. */
export function blockKeysOf(email: string): string[] {
  const address = email.trim().toLowerCase();
  const domain = domainOf(address);
  return domain ? [address, domain] : [address];
}

/**
 * The block-list entry a "mark as spam" of mail from `email` asks for, or null for `none`. Blocking
 * the domain of a public mail provider (gmail.com, outlook.com, …) is refused (VALIDATION_FAILED on
 * `block`): it would shut out every customer who writes from it, which no confirmation makes right;
 * the sender alone can be blocked instead. An address without a domain can only be blocked as itself.
 */
export function spamBlockFor(email: string, choice: SpamBlockChoice): SpamBlock | null {
  if (choice === 'none') return null;
  const address = email.trim().toLowerCase();
  if (choice === 'sender') return { kind: 'sender', value: address };
  const domain = domainOf(address);
  if (!domain) throw invalidBlock('has no domain to block', 'noDomain', { email: address });
  if (isPublicMailDomain(domain)) throw invalidBlock(`${domain} is a public mail provider: block the sender instead`, 'publicDomain', { domain });
  return { kind: 'domain', value: domain };
}

function invalidBlock(message: string, key: string, params: Record<string, unknown>): AppError {
  return new AppError('VALIDATION_FAILED', `Spam is invalid: block: ${message}`, {
    details: { issues: [{ path: 'block', message, code: 'custom', key: `errors:issue.spam.${key}`, params }] },
    key: 'input.invalid',
    params: { what: 'Spam' },
  });
}

/** Where a ticket stands while in Spam: when and by whom (null: ingest, for a blocked sender), its status before, and what was blocked. */
export interface SpamMark<Id> {
  at: Date;
  by: Id | null;
  /** The status the ticket returns to when it is not spam. */
  from: TicketStatus;
  block: SpamBlock | null;
}

/**
 * The status a ticket takes back when it is marked "not spam": the one it had before (a ticket that
 * came straight into Spam from a blocked sender had none: it comes back `new`, as it would have arrived).
 */
export function statusAfterSpam(mark: { from?: TicketStatus | null } | null | undefined): TicketStatus {
  const from = mark?.from;
  return from && from !== 'spam' ? from : 'new';
}
