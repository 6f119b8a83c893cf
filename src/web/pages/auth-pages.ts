import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError, isAppError } from '../../domain/errors.js';
import { checkLogin, type LoginCheck } from '../../services/auth/check-login.js';
import { createWebSession, DEFAULT_SESSION_LIFETIMES, endWebSession } from '../../services/auth/web-sessions.js';
import { adoptBrowserTimeZone } from '../../services/users/update-own-preferences.js';
import { loginCsrfCookieName, parseCookies, sessionCookieName, setCookie, wantsSecureCookies } from '../session/cookies.js';
import { requireCsrf, sameOrigin, sameToken, sessionOf } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { postedText } from './form-fields.js';
import { pageI18n, textOf } from './page-i18n.js';
import { scriptUrl } from './static-assets.js';


/** Only local paths, so `?next=` cannot send someone to another site after login (open redirect). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\r\n]/.test(value) ? value : '/';
}

/** `GET/POST /login` and `POST /logout`. */
export function authPages(ctx: PageContext): Router {
  const router = Router();
  const lifetimes = ctx.sessionLifetimes ?? DEFAULT_SESSION_LIFETIMES;
  // The use cases take the stores flat.
  const deps = { ...ctx, ...ctx.stores };
  // Without an instance-wide DEFAULT_TIME_ZONE, each user gets their browser's zone at first sign-in.
  const adoptsBrowserZone = !ctx.localeDefaults?.timeZone;

  const showLogin = (req: Request, res: Response, status: number, error: string | null, email = '', notice: string | null = null) => {
    const i18n = pageI18n(res);
    const secure = wantsSecureCookies(req, ctx.publicUrl);
    const token = randomBytes(32).toString('base64url');
    setCookie(res, loginCsrfCookieName(secure), token, { secure, maxAgeSeconds: 3600 });
    res.status(status).type('html').send(ctx.views.render(
          'login',
          {
            title: i18n.tr.t('web:login.title'),
            csrf: token,
            error,
            notice,
            email,
            next: safeNext(req.query.next ?? postedText(req, 'next')),
            timeZoneScript: adoptsBrowserZone ? scriptUrl('login.js') : null,
          },
          i18n,
        ));
  };

  router.get('/login', (req, res) => {
    if (sessionOf(res)) return res.redirect(303, safeNext(req.query.next));
    showLogin(req, res, 200, null, '', req.query.notice === 'password-set' ? textOf(res)('web:login.passwordSet') : null);
  });

  router.post('/login', async (req, res) => {
    const secure = wantsSecureCookies(req, ctx.publicUrl);
    const cookies = parseCookies(req.get('cookie'));
    if (!sameToken(postedText(req, '_csrf'), cookies.get(loginCsrfCookieName(secure))) || !sameOrigin(req, ctx.publicUrl)) {
      throw new AppError('FORBIDDEN', textOf(res)('web:login.expired'));
    }
    const email = postedText(req, 'email').trim().toLowerCase();
    let checked: LoginCheck;
    try {
      checked = await checkLogin(deps, { email, password: postedText(req, 'password'), ip: req.ip ?? 'unknown' });
    } catch (err) {
      if (!isAppError(err, 'RATE_LIMITED')) throw err;
      res.set('Retry-After', String(err.details?.retryAfterSeconds));
      return showLogin(req, res, 429, err.message, email);
    }
    const { userId } = checked;
    // One refusal text for unknown emails, wrong passwords and disabled users alike.
    if (!userId) return showLogin(req, res, 401, textOf(res)('web:login.refused'), email);
    // Whatever session the browser had is ended; the new one gets a fresh id (no fixation).
    await endWebSession(deps, cookies.get(sessionCookieName(secure)));
    if (adoptsBrowserZone) await adoptBrowserTimeZone(deps, userId, postedText(req, 'timeZone'));
    const token = await createWebSession({ webSessions: ctx.stores.webSessions, now: ctx.now, lifetimes }, userId, req.get('user-agent') ?? null);
    setCookie(res, sessionCookieName(secure), token, { secure, maxAgeSeconds: lifetimes.absoluteMs / 1000 });
    setCookie(res, loginCsrfCookieName(secure), '', { secure, maxAgeSeconds: 0 });
    res.redirect(303, safeNext(postedText(req, 'next')));
  });

  router.post('/logout', (req, res, next) => (sessionOf(res) ? next() : res.redirect(303, '/login')), requireCsrf(ctx.publicUrl), async (req, res) => {
    const secure = wantsSecureCookies(req, ctx.publicUrl);
    await endWebSession(deps, res.locals.sessionToken as string | undefined);
    setCookie(res, sessionCookieName(secure), '', { secure, maxAgeSeconds: 0 });
    res.redirect(303, '/login');
  });
  return router;
}
