import type { Types } from 'mongoose';

/*
 * The port the mail adapters (IMAP poller, SMTP delivery, connection test) use to log in to an inbox's
 * accounts: a password, or an OAuth2 user with an access token this module keeps fresh.
 */

/**
 * Credentials for an inbox's IMAP or SMTP login: a password, or an OAuth2 user + access token
 * (`expiresAt`: when that token expires, so a long session can renew itself before).
 */
export type MailLogin = { kind: 'password'; user: string; pass: string } | { kind: 'oauth2'; user: string; accessToken: string; expiresAt?: Date };

/** Which of an inbox's two accounts a login is for. */
export type MailAccountKind = 'imap' | 'smtp';

/** Where the mail adapters get an inbox's login from. */
export interface MailLoginSource {
  /** The login to use now; for OAuth2 a token valid for at least 60 s more (refreshed if needed). */
  loginFor(inboxId: Types.ObjectId, account: MailAccountKind): Promise<MailLogin>;
  /**
   * The server refused the token: refresh once and return the new login, or mark the inbox
   * "reconnect needed" (and notify admins) and throw AppError('MAIL_RECONNECT_NEEDED').
   * `refusedToken`: the access token the server refused, when the caller knows it (several callers
   * share one source per process, so "the token last handed out" need not be the refused one).
   */
  afterAuthFailure(inboxId: Types.ObjectId, account: MailAccountKind, serverText: string, refusedToken?: string): Promise<MailLogin>;
}
