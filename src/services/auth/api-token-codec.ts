import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'tl_';
const TOKEN_SHAPE = /^tl_[A-Za-z0-9_-]{43}$/;

/** A new bearer token: `tl_` + 32 random bytes in base64url. The prefix makes leaked tokens greppable. */
export function newApiToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** Whether a string has the shape of one of our tokens (cheap check before touching the database). */
export function looksLikeApiToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** What is stored instead of the token: its SHA-256 (hex). The token has 256 bits, so no salt is needed. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
