import { timingSafeEqual } from 'node:crypto';
import type { Signer } from './message-ids.js';

/**
 * Inline (`cid:`) images of a customer mail are served under this path. The framed mail body is
 * sandboxed into an opaque origin, so the browser treats its image requests as cross-site and
 * leaves out our SameSite session cookie: each URL carries its own short-lived signature instead.
 */
export const INLINE_IMAGE_PATH = '/mail-images/';

/** How long a signed inline-image URL works; the body route mints fresh ones on every load. */
export const INLINE_IMAGE_TTL_MS = 15 * 60_000;

/** What an inline-image URL grants: this user may fetch this Content-ID of this message until then. */
export interface InlineImageGrant {
  userId: string;
  messageId: string;
  contentId: string;
  expiresAt: Date;
}

const SIGNATURE_CHARS = 32;
const TOKEN = /^([0-9a-f]{24})\.([0-9a-z]{1,12})\.([0-9a-f]{32})$/;

// The newline-separated fields cannot be confused with the `<number>.<hex>` our Message-IDs sign.
const payload = (g: Omit<InlineImageGrant, 'expiresAt'>, expiresAtSeconds: number) =>
  ['inline-image', g.userId, g.messageId, String(expiresAtSeconds), g.contentId].join('\n');

/**
 * The Content-ID a `cid:` URL names (RFC 2392): the URL form is %-encoded and has no angle
 * brackets. Null when it is not valid %-encoding.
 */
export function contentIdOfCidUrl(value: string): string | null {
  try {
    return decodeURIComponent(value).replace(/^<(.*)>$/, '$1');
  } catch {
    return null;
  }
}

/** The URL that serves one inline image of one message to one user until `expiresAt`. */
export function inlineImageUrl(sign: Signer, grant: InlineImageGrant): string {
  const seconds = Math.floor(grant.expiresAt.getTime() / 1000);
  const signature = sign(payload(grant, seconds)).slice(0, SIGNATURE_CHARS);
  return `${INLINE_IMAGE_PATH}${grant.messageId}/${grant.userId}.${seconds.toString(36)}.${signature}?cid=${encodeURIComponent(grant.contentId)}`;
}

/**
 * Checks the token of an inline-image URL against the message and Content-ID it was asked for.
 * Returns the user it was issued to, or null when it is malformed, forged, for something else, or
 * expired at `now`.
 */
export function verifyInlineImageToken(sign: Signer, request: { messageId: string; contentId: string; token: string }, now: Date): { userId: string } | null {
  const match = TOKEN.exec(request.token);
  if (!match || !/^[0-9a-f]{24}$/.test(request.messageId)) return null;
  const [, userId, expires, signature] = match as unknown as [string, string, string, string];
  const seconds = parseInt(expires, 36);
  if (!Number.isSafeInteger(seconds) || seconds * 1000 <= now.getTime()) return null;
  const expected = Buffer.from(sign(payload({ userId, messageId: request.messageId, contentId: request.contentId }, seconds)).slice(0, SIGNATURE_CHARS));
  // A signer that returns less than a full signature (a misconfiguration) must not accept anything.
  if (expected.length !== SIGNATURE_CHARS || !timingSafeEqual(expected, Buffer.from(signature))) return null;
  return { userId };
}
