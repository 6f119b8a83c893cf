import { Router } from 'express';
import type { Logger } from 'pino';
import { isAppError } from '../../domain/errors.js';
import { PASSWORD_MIN_LENGTH } from '../../domain/user-rules.js';
import { changeOwnPassword } from '../../services/users/change-own-password.js';
import { createPersonalApiToken } from '../../services/auth/create-personal-api-token.js';
import { listPersonalApiTokens } from '../../services/auth/list-personal-api-tokens.js';
import { revokePersonalApiToken } from '../../services/auth/revoke-personal-api-token.js';
import { updateOwnName } from '../../services/users/update-own-name.js';
import { updateOwnPreferences } from '../../services/users/update-own-preferences.js';
import { getOwnNotificationSettings } from '../../services/users/get-own-notification-settings.js';
import { updateOwnNotificationSettings } from '../../services/users/update-own-notification-settings.js';
import { NOTIFICATION_KINDS, type NotificationPrefs } from '../../domain/notifications.js';
import { LOCALES } from '../../i18n/locales.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { stashSecret, takeSecret } from './reveal-once.js';
import { checked, field, fixedMessage, formOf, postedText, type FormBody } from './form-fields.js';
import { TIME_ZONES } from './settings-access.js';

/** The catalog keys of the texts `?error=` names on the account page. */
export const ACCOUNT_ERRORS: Record<string, string> = {
  name: 'settings:account.error.name',
  'password-wrong': 'settings:account.error.passwordWrong',
  'password-short': 'settings:account.error.passwordShort',
  'password-mismatch': 'settings:account.error.passwordMismatch',
  'token-invalid': 'settings:account.error.tokenInvalid',
  'prefs-locale': 'settings:account.error.locale',
  'prefs-time-zone': 'settings:account.error.timeZone',
};

/** The catalog keys of the texts `?saved=` names on the account page. */
export const ACCOUNT_NOTICES: Record<string, string> = {
  name: 'settings:account.notice.name',
  password: 'settings:account.notice.password',
  'password-and-tokens': 'settings:account.notice.passwordAndTokens',
  token: 'settings:account.notice.token',
  revoked: 'settings:account.notice.revoked',
  prefs: 'settings:account.notice.prefs',
  away: 'settings:account.notice.away',
  notify: 'settings:account.notice.notify',
  'notify-reset': 'settings:account.notice.notifyReset',
  back: 'settings:account.notice.back',
};

const LIFETIMES = [7, 30, 90, 365];

/**
 * The notification switches the form changed: each kind is posted with the value it was shown with
 * (`shown.<kind>`), so a switch left alone keeps following its default; "Back to the defaults"
 * (`reset`) sets every kind back.
 */
function postedNotifyChoices(body: FormBody): NotificationPrefs {
  if (field(body, 'reset') === '1') return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, null]));
  const changed = NOTIFICATION_KINDS.flatMap((kind) => {
    const shown = field(body, `shown.${kind}`);
    const on = checked(body, `notify.${kind}`);
    return shown !== '' && (shown === '1') !== on ? [[kind, on] as const] : [];
  });
  return Object.fromEntries(changed);
}

const issuePaths = (err: unknown): string[] =>
  isAppError(err, 'VALIDATION_FAILED') ? ((err.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path) : [];

/** `/account`: every user's own name, language, time zone, notification mail, away state, password and API tokens. */
export function accountPages(ctx: PageContext & { logger: Logger }): Router {
  const router = Router();
  const write = [requireLogin, requireCsrf(ctx.publicUrl)];
  // The use cases take the stores flat.
  const deps = { ...ctx, ...ctx.stores, ...(ctx.actions.refillTeamsOfMember ? { refillTeamsOfMember: ctx.actions.refillTeamsOfMember } : {}) };

  router.get('/account', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const [tokens, notify] = await Promise.all([listPersonalApiTokens(deps, session.actor), getOwnNotificationSettings(deps, session.actor)]);
    const chosen = session.user.locale ?? '';
    res.type('html').send(
      ctx.views.render(
        'account',
        {
          title: t('settings:account.title'),
          session,
          nav: 'account',
          error: fixedMessage(ACCOUNT_ERRORS, req.query.error, t, { min: PASSWORD_MIN_LENGTH }),
          notice: fixedMessage(ACCOUNT_NOTICES, req.query.saved, t),
          newToken: await takeSecret(deps, session.id, 'api-token'),
          tokens,
          lifetimes: LIFETIMES.map((days) => ({ days, selected: days === 90 })),
          minLength: PASSWORD_MIN_LENGTH,
          locales: ['', ...LOCALES].map((value) => ({ value, label: t(`settings:account.prefs.locale.${value || 'auto'}`), selected: value === chosen })),
          timeZone: session.user.timeZone ?? '',
          // What an empty time zone means: the instance default, else the browser's at the next sign-in.
          timeZoneDefault: ctx.localeDefaults?.timeZone ?? null,
          timeZones: TIME_ZONES,
          // Every kind's switch shows what applies: the user's choice, else the default.
          notify: NOTIFICATION_KINDS.map((kind) => ({ kind, enabled: notify[kind].enabled })),
        },
        i18n,
      ),
    );
  });

  router.post('/account/preferences', ...write, async (req, res) => {
    try {
      await updateOwnPreferences(deps, requireSession(res).actor, { locale: postedText(req, 'locale'), timeZone: postedText(req, 'timeZone') });
    } catch (err) {
      const paths = issuePaths(err);
      if (paths.includes('timeZone')) return res.redirect(303, '/account?error=prefs-time-zone#preferences');
      if (paths.length) return res.redirect(303, '/account?error=prefs-locale#preferences');
      throw err;
    }
    // The session is read on every request, so the next page is already in the chosen language.
    res.redirect(303, '/account?saved=prefs#preferences');
  });

  // The same use case as `PATCH /api/v1/me/notification-settings`.
  router.post('/account/notifications', ...write, async (req, res) => {
    const choices = postedNotifyChoices(formOf(req));
    await updateOwnNotificationSettings(deps, requireSession(res).actor, choices);
    res.redirect(303, `/account?saved=${field(formOf(req), 'reset') === '1' ? 'notify-reset' : 'notify'}#notifications`);
  });

  // The same use case as `PATCH /api/v1/me` with `away`; the top bar shows it from the next page on.
  router.post('/account/away', ...write, async (req, res) => {
    const away = postedText(req, 'away') === '1';
    await updateOwnPreferences(deps, requireSession(res).actor, { away });
    res.redirect(303, `/account?saved=${away ? 'away' : 'back'}#away`);
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
