import type { ParsedMail } from './mail.js';

/** RFC 5322 caps nothing, but a References header with hundreds of ids is noise or an attack. */
const MAX_REFERENCES = 100;

/**
 * The ids a message points at: References then In-Reply-To (RFC 5322 §3.6.4), deduplicated,
 * without the message's own id (reference loops), newest last, capped to the last 100.
 */
export function referencedIds(mail: Pick<ParsedMail, 'messageId' | 'references' | 'inReplyTo'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of [...mail.references, ...mail.inReplyTo]) {
    const key = id.toLowerCase();
    if (key === mail.messageId?.toLowerCase() || seen.has(key)) continue;
    seen.add(key);
    out.push(id);
  }
  return out.slice(-MAX_REFERENCES);
}

/**
 * Every id that links this message into a conversation: its own id and the ids it references.
 * Two messages belong together when these sets meet, or when one's own id is referenced by the
 * other; a shared missing parent (JWZ's dummy container) links siblings too. Ids are compared
 * case-sensitively on the local part by RFC 5322 but clients fold case, so matching is lower-case.
 */
export function threadKeysOf(mail: Pick<ParsedMail, 'messageId' | 'references' | 'inReplyTo'>): string[] {
  const keys = referencedIds(mail).map((id) => id.toLowerCase());
  if (mail.messageId) keys.push(mail.messageId.toLowerCase());
  return keys;
}

const REPLY_PREFIX = /^\s*((re|fw|fwd|aw|wg|sv|vs|antw|odp|tr|rif|r|ynt|enc|res)(\[\d+\])?\s*[:：]\s*)/i;
const LIST_TAG = /^\s*\[[^\]]{1,40}\]\s*/;
const TICKET_TOKEN = /\[#(\d{1,12})\]/;

/**
 * RFC 5256 §2.1 base subject: reply/forward prefixes (in many languages), list tags like
 * `[fedora-devel]`, our ticket token and `(fwd)` trailers removed, whitespace folded, lower-cased.
 */
export function baseSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  s = s.replace(TICKET_TOKEN, ' ');
  for (let guard = 0; guard < 20; guard++) {
    const before = s;
    s = s.replace(REPLY_PREFIX, '').replace(LIST_TAG, '').replace(/\s*\(fwd\)\s*$/i, '').trim();
    if (s === before) break;
  }
  return s.toLowerCase();
}

/** True when the subject says the message answers or forwards another (`Re:`, `AW:`, `Fwd:` …). */
export function looksLikeReply(subject: string): boolean {
  return REPLY_PREFIX.test(subject.replace(LIST_TAG, ''));
}

/** The ticket number in a subject token like `[#1234]`, or null. */
export function ticketTokenIn(subject: string): number | null {
  const match = TICKET_TOKEN.exec(subject);
  return match ? Number(match[1]) : null;
}

/** The subject of our outgoing mail: the customer's subject, once, with the ticket token. */
export function subjectWithToken(subject: string, ticketNumber: number): string {
  const clean = subject.replace(TICKET_TOKEN, '').replace(/\s+/g, ' ').trim();
  return `${clean} [#${ticketNumber}]`.trim();
}
