import { isAppError } from '../domain/errors.js';
import type { MailLogin } from '../services/oauth/access-token.js';

/** What imapflow takes as `auth`: a password, or an access token for SASL XOAUTH2 / OAUTHBEARER. */
export type ImapAuth = { user: string; pass: string } | { user: string; accessToken: string };

type Provision = (user: string, renew: boolean, callback: (err: Error | null, accessToken?: string) => void) => void;

/** What nodemailer takes as `auth`: a password, or an access token for SASL XOAUTH2. */
export type SmtpAuth = { user: string; pass: string } | { type: 'OAuth2'; user: string; accessToken: string; provisionCallback: Provision };

/** The imapflow login for a MailLogin. */
export function imapAuthOf(login: MailLogin): ImapAuth {
  return login.kind === 'oauth2' ? { user: login.user, accessToken: login.accessToken } : { user: login.user, pass: login.pass };
}

/** The nodemailer login for an account with a user, and a password or an access token. */
export function smtpAuthOf(user: string, secret: { password: string | null; accessToken?: string | null }): SmtpAuth {
  const token = secret.accessToken;
  if (!token) return { user, pass: secret.password ?? '' };
  // Nodemailer logs in again at once after a refused token, with the same token unless it can get a
  // new one here; it cannot (the login source refreshes, once), so a refusal ends at one login.
  const provisionCallback: Provision = (_user, renew, callback) =>
    renew ? callback(Object.assign(new Error('The SMTP server refused the OAuth2 access token'), { code: 'EAUTH' })) : callback(null, token);
  return { type: 'OAuth2', user, accessToken: token, provisionCallback };
}

/** Whether an error says the inbox's OAuth2 grant is gone and an admin must connect it again. */
export function isReconnectNeeded(err: unknown): boolean {
  return isAppError(err, 'MAIL_RECONNECT_NEEDED');
}

/** When a login carries its token's expiry (an optional field a source may add), that expiry. */
export function loginExpiry(login: MailLogin): Date | null {
  const at = (login as { expiresAt?: unknown }).expiresAt;
  return at instanceof Date && !Number.isNaN(at.getTime()) ? at : null;
}

/**
 * What the server said when it refused a token, for the login source to record in words: imapflow
 * puts the reply on `responseText`/`response` and a decoded SASL error (RFC 7628 §3.2.2) on `oauthError`.
 */
export function refusalText(err: unknown): string {
  const e = (err ?? {}) as { responseText?: string; response?: string; message?: string; oauthError?: unknown };
  const words = e.responseText || e.response || e.message || String(err);
  const sasl = e.oauthError && typeof e.oauthError === 'object' ? ` ${JSON.stringify(e.oauthError)}` : '';
  return `${words}${sasl}`.slice(0, 500);
}

/** How long an OAuth2 IMAP session lasts at most when the login does not say when its token expires. */
export const DEFAULT_OAUTH_SESSION_MS = 30 * 60_000;
/** A session ends this long before its token expires. */
const TOKEN_MARGIN_MS = 60_000;

/**
 * How long an OAuth2 session may run before it is renewed with a fresh token: until a minute before
 * its token expires, and at most `longestMs`; never under a second.
 */
export function oauthSessionMs(expiresAt: Date | null, now: Date, longestMs = DEFAULT_OAUTH_SESSION_MS): number {
  const untilExpiry = expiresAt ? expiresAt.getTime() - now.getTime() - TOKEN_MARGIN_MS : Infinity;
  return Math.max(1000, Math.min(longestMs, untilExpiry));
}
