import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../../domain/errors.js';
import { resumeWebSession, type WebSessionDeps, type WebSessionView } from '../../services/auth/web-sessions.js';
import { sessionTokenOf } from './cookies.js';

/** Loads the session of the request's cookie (if any) into `res.locals.session`. */
export function loadSession(deps: WebSessionDeps & { publicUrl: string | null }): RequestHandler {
  return async (req, res, next) => {
    const token = sessionTokenOf(req, deps.publicUrl);
    res.locals.sessionToken = token;
    res.locals.session = await resumeWebSession(deps, token);
    next();
  };
}

/** The logged-in session of this request, or undefined. */
export function sessionOf(res: Response): WebSessionView | undefined {
  return res.locals.session as WebSessionView | undefined;
}

/** The session of a page that needs one (after {@link requireLogin}). */
export function requireSession(res: Response): WebSessionView {
  const session = sessionOf(res);
  if (!session) throw new AppError('UNAUTHENTICATED', 'Please log in', { key: 'auth.pleaseLogIn' });
  return session;
}

/** Sends visitors without a session to the login page, remembering where they were going. */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (sessionOf(res)) return next();
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  res.redirect(303, '/login');
};

/** Constant-time string comparison that tolerates different lengths. */
export function sameToken(a: unknown, b: string | undefined): boolean {
  if (typeof a !== 'string' || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Refuses a cross-site form POST: when the browser names the request's origin it must be ours.
 * This backs up the token check (and SameSite=Lax) rather than replacing it.
 */
export function sameOrigin(req: Request, publicUrl: string | null): boolean {
  const origin = req.get('origin');
  if (!origin) return true;
  if (origin === 'null') return false;
  const allowed = new Set([`${req.protocol}://${req.get('host')}`]);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  return allowed.has(origin);
}

/** Requires the session's CSRF token in the `_csrf` form field of every POST; 403 otherwise. */
export function requireCsrf(publicUrl: string | null): RequestHandler {
  return (req, res, next) => {
    const session = sessionOf(res);
    const field = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!session || !sameToken(field, session.csrfToken) || !sameOrigin(req, publicUrl)) {
      throw new AppError('FORBIDDEN', 'The form has expired or did not come from this site. Reload the page and try again.', { key: 'forbidden.formExpired' });
    }
    next();
  };
}
