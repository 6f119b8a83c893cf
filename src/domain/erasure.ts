import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Erasing a person (GDPR art. 17): what they wrote, their addresses and names are replaced by
 * placeholders everywhere, while tickets, their statuses, times and metrics stay, so reports still
 * count them. The placeholders below are what remains in their place.
 */

/** What replaces an erased person's name (headers, requester, contact). */
export const ERASED_NAME = '[erased]';
/** What replaces an erased text: a body, a subject, a comment. */
export const ERASED_TEXT = '[erased]';

/** The address that replaces each of an erased person's addresses: one per person, never deliverable (RFC 6761 `.invalid`). */
export function erasedAddress(personId: { toHexString(): string }): string {
  return `erased-${personId.toHexString()}@invalid`;
}

/** Whether an address is an erasure placeholder. */
export function isErasedAddress(address: string): boolean {
  return /^erased-[0-9a-f]{24}@invalid$/i.test(address);
}

/** Names shorter than this are not looked for in free text: "Al" would erase half the words of a note. */
export const MIN_NAME_NEEDLE = 3;

/**
 * The strings an erasure looks for in free text (notes, trail entries, notification data): the
 * person's addresses, their names, longest first so "Ann Smith" is replaced before "Ann".
 */
export function erasureNeedles(addresses: readonly string[], names: readonly string[]): string[] {
  const all = new Set<string>();
  for (const a of addresses) if (a.trim()) all.add(a.trim().toLowerCase());
  for (const n of names) {
    const name = n.trim();
    if (name.length >= MIN_NAME_NEEDLE && name !== ERASED_NAME) all.add(name.toLowerCase());
  }
  return [...all].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a text holds one of the needles (any case). */
export function mentionsAny(text: string, needles: readonly string[]): boolean {
  if (needles.length === 0 || !text) return false;
  const lower = text.toLowerCase();
  return needles.some((n) => lower.includes(n));
}

/** The text with every needle (any case) replaced by the placeholder. */
export function scrubText(text: string, needles: readonly string[]): string {
  if (!mentionsAny(text, needles)) return text;
  return text.replace(new RegExp(needles.map(escape).join('|'), 'gi'), ERASED_TEXT);
}

/**
 * A copy of a JSON-like value (trail data, notification data) with the needles scrubbed from every
 * string at any depth; ids, dates and numbers stay. `dropKeys` are set to null wherever they are
 * (free text the person wrote: a rating's comment, a mail's excerpt).
 */
export function scrubDeep(value: unknown, needles: readonly string[], dropKeys: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === 'string') return scrubText(value, needles);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, needles, dropKeys));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = dropKeys.has(k) && v != null ? null : scrubDeep(v, needles, dropKeys);
    return out;
  }
  return value;
}

/** Whether scrubbing changes the value (so unchanged documents are not written again). */
export function needsScrub(value: unknown, needles: readonly string[], dropKeys: ReadonlySet<string> = new Set()): boolean {
  return JSON.stringify(scrubDeep(value, needles, dropKeys)) !== JSON.stringify(value);
}

/** What an erasure found and changed; the access log keeps these counts, never what was erased. */
export interface ErasureCounts {
  tickets: number;
  messages: number;
  attachments: number;
  outbox: number;
  ratings: number;
  quarantine: number;
  contacts: number;
}

/** The counts as the access log's `detail` (ids and counts only). */
export function erasureDetail(c: ErasureCounts): string {
  return `tickets=${c.tickets} messages=${c.messages} attachments=${c.attachments} outbox=${c.outbox} ratings=${c.ratings} quarantine=${c.quarantine} contacts=${c.contacts}`;
}

/** How long the second confirmation page's "Erase now" button stays valid. */
export const ERASE_CONFIRM_TTL_MS = 10 * 60_000;

const confirmPayload = (contactId: string, userId: string, expiresAt: number) => `erase:${contactId}:${userId}:${expiresAt}`;
const mac = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/**
 * The token the second confirmation page carries: names the person, the admin and an expiry, signed
 * with a secret of the admin's session, so it cannot be made without having passed the first form
 * in that session, and is worth nothing after {@link ERASE_CONFIRM_TTL_MS}.
 */
export function eraseConfirmToken(key: string, contactId: string, userId: string, now: Date): string {
  const expiresAt = now.getTime() + ERASE_CONFIRM_TTL_MS;
  return `${expiresAt}.${mac(key, confirmPayload(contactId, userId, expiresAt))}`;
}

/** Whether a confirm token is this admin's for this person and not expired. */
export function checkEraseConfirmToken(key: string, token: string, contactId: string, userId: string, now: Date): 'ok' | 'expired' | 'invalid' {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return 'invalid';
  const expiresAt = Number(m[1]);
  const expected = Buffer.from(mac(key, confirmPayload(contactId, userId, expiresAt)));
  if (!timingSafeEqual(expected, Buffer.from(m[2]!))) return 'invalid';
  return now.getTime() > expiresAt ? 'expired' : 'ok';
}
