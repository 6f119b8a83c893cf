import { randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../../domain/errors.js';
import { PASSWORD_MIN_LENGTH } from '../../domain/user-rules.js';
import { checkPasswordLink, setPasswordWithLink } from '../../services/users/set-password-with-link.js';
import { parseCookies, setCookie, wantsSecureCookies } from '../session/cookies.js';
import { sameOrigin, sameToken } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { fixedMessage, postedText } from './form-fields.js';

/** The catalog keys of the texts `?error=` names on the password page. */
export const PASSWORD_PAGE_ERRORS: Record<string, string> = {
  short: 'settings:password.error.short',
  mismatch: 'settings:password.error.mismatch',
};

/** The password form's CSRF cookie: double submit, as on the login form, since there is no session. */
const csrfCookieName = (secure: boolean) => (secure ? '__Host-tl_password_csrf' : 'tl_password_csrf');

/** `GET/POST /password/:token`: the public page where an invite or reset link sets a password. */
export function passwordPages(ctx: PageContext & { logger: Logger }): Router {
  const router = Router();
  // The use cases take the stores flat.
  const deps = { ...ctx, ...ctx.stores };

  const deadLink = (res: Response) => {
    const i18n = pageI18n(res);
    res.status(404).type('html').send(ctx.views.render('password-set', { title: i18n.tr.t('settings:password.dead.title'), dead: true }, i18n));
  };

  router.get('/password/:token', async (req, res) => {
    const token = String(req.params.token);
    const target = await checkPasswordLink(deps, token);
    if (!target) return deadLink(res);
    const secure = wantsSecureCookies(req, ctx.publicUrl);
    const csrf = randomBytes(32).toString('base64url');
    setCookie(res, csrfCookieName(secure), csrf, { secure, maxAgeSeconds: 3600 });
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'password-set',
        {
          title: t(target.purpose === 'invite' ? 'settings:password.invite.title' : 'settings:password.reset.title'),
          target,
          invite: target.purpose === 'invite',
          csrf,
          action: `/password/${encodeURIComponent(token)}`,
          error: fixedMessage(PASSWORD_PAGE_ERRORS, req.query.error, t, { min: PASSWORD_MIN_LENGTH }),
          minLength: PASSWORD_MIN_LENGTH,
        },
        i18n,
      ),
    );
  });

  router.post('/password/:token', async (req, res) => {
    const token = String(req.params.token);
    const secure = wantsSecureCookies(req, ctx.publicUrl);
    if (!sameToken(postedText(req, '_csrf'), parseCookies(req.get('cookie')).get(csrfCookieName(secure))) || !sameOrigin(req, ctx.publicUrl)) {
      throw new AppError('FORBIDDEN', 'The form has expired or did not come from this site. Open the link again and retry.', { key: 'forbidden.formExpired' });
    }
    const back = `/password/${encodeURIComponent(token)}`;
    if (postedText(req, 'password') !== postedText(req, 'confirmPassword')) return res.redirect(303, `${back}?error=mismatch`);
    try {
      await setPasswordWithLink(deps, token, { password: postedText(req, 'password') });
    } catch (err) {
      if (isAppError(err, 'VALIDATION_FAILED')) return res.redirect(303, `${back}?error=short`);
      if (isAppError(err, 'NOT_FOUND')) return deadLink(res);
      throw err;
    }
    setCookie(res, csrfCookieName(secure), '', { secure, maxAgeSeconds: 0 });
    res.redirect(303, '/login?notice=password-set');
  });
  return router;
}
