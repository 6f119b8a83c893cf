import type { Request, Response } from 'express';
import { parseCookies, setCookie, wantsSecureCookies } from '../session/cookies.js';

/**
 * Carries a secret that must be shown exactly once (a new API token, a password link) across the
 * 303 after a form post: a short-lived HttpOnly cookie the next page reads and deletes. It is bound
 * to one session and one page, so another account signing in on the same browser never sees it.
 */
const cookieName = (secure: boolean) => (secure ? '__Host-tl_reveal' : 'tl_reveal');
const LIFETIME_SECONDS = 300;

/** Remembers a secret for the page named by `scope` (e.g. `token` or `link:<userId>`) in this session. */
export function stashSecret(req: Request, res: Response, publicUrl: string | null, sessionId: string, scope: string, secret: string): void {
  const secure = wantsSecureCookies(req, publicUrl);
  setCookie(res, cookieName(secure), `${sessionId}|${scope}|${secret}`, { secure, maxAgeSeconds: LIFETIME_SECONDS });
}

/** The secret stashed for this session and scope, deleting it so a reload shows it no more; else null. */
export function takeSecret(req: Request, res: Response, publicUrl: string | null, sessionId: string, scope: string): string | null {
  const secure = wantsSecureCookies(req, publicUrl);
  const value = parseCookies(req.get('cookie')).get(cookieName(secure));
  if (value === undefined) return null;
  const prefix = `${sessionId}|${scope}|`;
  if (!value.startsWith(prefix)) return null;
  setCookie(res, cookieName(secure), '', { secure, maxAgeSeconds: 0 });
  return value.slice(prefix.length) || null;
}
