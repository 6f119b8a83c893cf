import type { ParsedMail } from './mail.js';
import type { Signer } from './message-ids.js';

/*
 * An agent answers a notification mail from their own mail client, and the answer becomes an internal
 * note on the ticket. The notification's Reply-To is the inbox's own address with a sub-address
 * (RFC 5233 "+detail", which Microsoft 365, Google and Dovecot deliver to the same mailbox) naming the
 * notification and signed with the instance's key, so a reply cannot be forged for another ticket or
 * person: `support+n<24 hex notification id><10 signature chars>@example.com`.
 */
const TAG = /^n([0-9a-f]{24})([a-z0-9]{10})$/;
const SIGNATURE_LENGTH = 10;

const signatureOf = (notificationId: string, sign: Signer) => sign(`notification-reply.${notificationId}`).slice(0, SIGNATURE_LENGTH).toLowerCase();

/** The Reply-To of a notification mail: the inbox's address with the signed notification tag. */
export function notificationReplyAddress(inboxAddress: string, notificationId: string, sign: Signer): string {
  const at = inboxAddress.lastIndexOf('@');
  const id = notificationId.toLowerCase();
  return `${inboxAddress.slice(0, at)}+n${id}${signatureOf(id, sign)}${inboxAddress.slice(at)}`;
}

/**
 * The notification a recipient address answers, when it is `inboxAddress` with a validly signed
 * notification tag; null for anything else (the plain address, another tag, a bad signature).
 */
export function notificationOfReplyAddress(recipient: string, inboxAddress: string, sign: Signer): string | null {
  const r = recipient.trim().toLowerCase();
  const inbox = inboxAddress.trim().toLowerCase();
  const at = inbox.lastIndexOf('@');
  const [local, domain] = [inbox.slice(0, at), inbox.slice(at)];
  if (!r.endsWith(domain) || !r.startsWith(`${local}+`)) return null;
  const m = TAG.exec(r.slice(local.length + 1, r.length - domain.length));
  if (!m) return null;
  const [, id, signature] = m as unknown as [string, string, string];
  return signatureOf(id, sign) === signature ? id : null;
}

/** What the recipients of a received mail say about notification replies. */
export type NotificationTag =
  /** A validly signed tag: the mail answers this notification (the sender is still to be checked). */
  | { kind: 'signed'; notificationId: string; address: string }
  /** A tag of the right shape on one of our addresses whose signature does not match. */
  | { kind: 'forged'; address: string };

/** The sub-address part that names a notification: `n`, 24 hex digits, 10 signature characters. */
const TAG_SHAPE = /^n[0-9a-f]{24}[a-z0-9]{10}$/;

/**
 * Whether a received mail answers a notification: looks for a notification tag on one of our own
 * addresses (`own`, lower-case) among its recipients (To, Cc, Delivered-To, X-Original-To). A validly
 * signed tag wins over a forged one; null when no recipient carries a tag.
 */
export function notificationTagIn(recipients: readonly string[], own: ReadonlySet<string>, sign: Signer): NotificationTag | null {
  let forged: NotificationTag | null = null;
  for (const raw of recipients) {
    const r = raw.trim().toLowerCase();
    const at = r.lastIndexOf('@');
    const plus = r.lastIndexOf('+', at);
    if (at < 0 || plus < 0) continue;
    const base = `${r.slice(0, plus)}${r.slice(at)}`;
    if (!own.has(base) || !TAG_SHAPE.test(r.slice(plus + 1, at))) continue;
    const notificationId = notificationOfReplyAddress(r, base, sign);
    if (notificationId) return { kind: 'signed', notificationId, address: r };
    forged ??= { kind: 'forged', address: r };
  }
  return forged;
}

const ADDRESS = /[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g;

/** Where a notification tag may show in a received mail: To, Cc, and the delivery headers Delivered-To and X-Original-To. */
export function tagRecipientsOf(mail: Pick<ParsedMail, 'to' | 'cc' | 'headers'>): string[] {
  const delivery = [...(mail.headers['delivered-to'] ?? []), ...(mail.headers['x-original-to'] ?? [])].flatMap((v) => v.match(ADDRESS) ?? []);
  return [...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...delivery];
}
