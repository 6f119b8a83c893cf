import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { DEFAULT_OAUTH_SESSION_MS, imapAuthOf, isReconnectNeeded, loginExpiry, oauthSessionMs, refusalText, smtpAuthOf } from '../../../src/mail/mail-login.js';

const now = new Date('2026-03-01T10:00:00Z');
const inMinutes = (m: number) => new Date(now.getTime() + m * 60_000);

describe('mail logins', () => {
  it('gives imapflow a password or an access token, never both', () => {
    expect(imapAuthOf({ kind: 'password', user: 'a@x.test', pass: 'pw' })).toEqual({ user: 'a@x.test', pass: 'pw' });
    expect(imapAuthOf({ kind: 'oauth2', user: 'a@x.test', accessToken: 'tok' })).toEqual({ user: 'a@x.test', accessToken: 'tok' });
  });

  it('gives nodemailer an XOAUTH2 login that cannot renew its own token', async () => {
    expect(smtpAuthOf('a@x.test', { password: 'pw' })).toEqual({ user: 'a@x.test', pass: 'pw' });
    const auth = smtpAuthOf('a@x.test', { password: 'ignored', accessToken: 'tok' });
    expect(auth).toMatchObject({ type: 'OAuth2', user: 'a@x.test', accessToken: 'tok' });
    const provision = (auth as { provisionCallback: (u: string, renew: boolean, cb: (err: Error | null, token?: string) => void) => void }).provisionCallback;
    const ask = (renew: boolean) => new Promise<{ err: Error | null; token?: string }>((resolve) => provision('a@x.test', renew, (err, token) => resolve({ err, token })));
    expect(await ask(false)).toEqual({ err: null, token: 'tok' });
    expect((await ask(true)).err).toMatchObject({ code: 'EAUTH' });
  });

  it('renews an OAuth2 session a minute before its token expires, within the longest session', () => {
    expect(oauthSessionMs(inMinutes(60), now)).toBe(DEFAULT_OAUTH_SESSION_MS);
    expect(oauthSessionMs(inMinutes(10), now)).toBe(9 * 60_000);
    expect(oauthSessionMs(inMinutes(10), now, 5 * 60_000)).toBe(5 * 60_000);
    expect(oauthSessionMs(null, now, 120_000)).toBe(120_000);
    // A token already about to expire: the next login comes after a second, not in a tight loop.
    expect(oauthSessionMs(inMinutes(0.5), now)).toBe(1000);
  });

  it('reads an expiry only when the login carries a real date', () => {
    expect(loginExpiry({ kind: 'oauth2', user: 'u', accessToken: 't' })).toBeNull();
    expect(loginExpiry({ kind: 'oauth2', user: 'u', accessToken: 't', expiresAt: inMinutes(5) } as never)).toEqual(inMinutes(5));
    expect(loginExpiry({ kind: 'oauth2', user: 'u', accessToken: 't', expiresAt: 'soon' } as never)).toBeNull();
  });

  it('tells reconnect-needed from other failures, and words a refusal with the SASL error', () => {
    expect(isReconnectNeeded(new AppError('MAIL_RECONNECT_NEEDED', 'gone'))).toBe(true);
    expect(isReconnectNeeded(new AppError('IMAP_AUTH_FAILED', 'no'))).toBe(false);
    expect(isReconnectNeeded(new Error('MAIL_RECONNECT_NEEDED'))).toBe(false);
    const text = refusalText({ responseText: 'AUTHENTICATIONFAILED Authentication failed.', oauthError: { status: 'invalid_token' } });
    expect(text).toBe('AUTHENTICATIONFAILED Authentication failed. {"status":"invalid_token"}');
    expect(refusalText({ message: 'x'.repeat(900) })).toHaveLength(500);
  });
});
