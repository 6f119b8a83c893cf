import { Router } from 'express';
import type { Logger } from 'pino';
import { isAppError } from '../../domain/errors.js';
import { PASSWORD_MIN_LENGTH } from '../../domain/user-rules.js';
import { changeOwnPassword } from '../../services/users/change-own-password.js';
import { createPersonalApiToken } from '../../services/auth/create-personal-api-token.js';
import { listPersonalApiTokens } from '../../services/auth/list-personal-api-tokens.js';
import { revokePersonalApiToken } from '../../services/auth/revoke-personal-api-token.js';
import { updateOwnName } from '../../services/users/update-own-name.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { stashSecret, takeSecret } from './reveal-once.js';
import { fixedText, postedText } from './form-fields.js';

/** Fixed texts for `?error=` on the account page. */
export const ACCOUNT_ERRORS: Record<string, string> = {
  name: 'That name was not accepted (at most 200 characters).',
  'password-wrong': 'That is not your current password.',
  'password-short': `A new password needs at least ${PASSWORD_MIN_LENGTH} characters.`,
  'password-mismatch': 'The two new passwords differ.',
  'token-invalid': 'A token needs a label (at most 100 characters) and a lifetime of 1 to 365 days.',
};

/** Fixed texts for `?saved=` on the account page. */
export const ACCOUNT_NOTICES: Record<string, string> = {
  name: 'Name saved.',
  password: 'Password changed. Your other browser sessions have been signed out.',
  'password-and-tokens': 'Password changed. Your other browser sessions have been signed out and your API tokens have been revoked.',
  token: 'API token created. Copy it now: it is shown only once.',
  revoked: 'API token revoked.',
};

const LIFETIMES = [7, 30, 90, 365];

const issuePaths = (err: unknown): string[] =>
  isAppError(err, 'VALIDATION_FAILED') ? ((err.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path) : [];

/** `/account`: every user's own name, password and API tokens. */
export function accountPages(ctx: PageContext & { logger: Logger }): Router {
  const router = Router();
  const write = [requireLogin, requireCsrf(ctx.publicUrl)];
  // The use cases take the stores flat.
  const deps = { ...ctx, ...ctx.stores };

  router.get('/account', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const tokens = await listPersonalApiTokens(deps, session.actor);
    res.type('html').send(
      ctx.views.render('account', {
        title: 'Your account',
        session,
        nav: 'account',
        error: fixedText(ACCOUNT_ERRORS, req.query.error),
        notice: fixedText(ACCOUNT_NOTICES, req.query.saved),
        newToken: await takeSecret(deps, session.id, 'api-token'),
        tokens,
        lifetimes: LIFETIMES.map((days) => ({ days, selected: days === 90 })),
        minLength: PASSWORD_MIN_LENGTH,
      }),
    );
  });

  router.post('/account/name', ...write, async (req, res) => {
    try {
      await updateOwnName(deps, requireSession(res).actor, { name: postedText(req, 'name') });
    } catch (err) {
      if (isAppError(err, 'VALIDATION_FAILED')) return res.redirect(303, '/account?error=name');
      throw err;
    }
    res.redirect(303, '/account?saved=name');
  });

  router.post('/account/password', ...write, async (req, res) => {
    const session = requireSession(res);
    if (postedText(req, 'newPassword') !== postedText(req, 'confirmPassword')) return res.redirect(303, '/account?error=password-mismatch#password');
    const revokeApiTokens = postedText(req, 'revokeApiTokens') === '1';
    try {
      await changeOwnPassword(deps, session.actor, session.id, { currentPassword: postedText(req, 'currentPassword'), newPassword: postedText(req, 'newPassword'), revokeApiTokens });
    } catch (err) {
      const paths = issuePaths(err);
      if (paths.includes('currentPassword')) return res.redirect(303, '/account?error=password-wrong#password');
      if (paths.length) return res.redirect(303, '/account?error=password-short#password');
      throw err;
    }
    res.redirect(303, `/account?saved=${revokeApiTokens ? 'password-and-tokens' : 'password'}`);
  });

  router.post('/account/tokens', ...write, async (req, res) => {
    const session = requireSession(res);
    let created;
    try {
      created = await createPersonalApiToken(deps, session.actor, 'web-session', { label: postedText(req, 'label'), expiresInDays: Number.parseInt(postedText(req, 'expiresInDays'), 10) });
    } catch (err) {
      if (issuePaths(err).length) return res.redirect(303, '/account?error=token-invalid#tokens');
      throw err;
    }
    await stashSecret(deps, session.id, 'api-token', created.token);
    res.redirect(303, '/account?saved=token#tokens');
  });

  router.post('/account/tokens/:id/revoke', ...write, async (req, res) => {
    await revokePersonalApiToken(deps, requireSession(res).actor, String(req.params.id));
    res.redirect(303, '/account?saved=revoked#tokens');
  });
  return router;
}
