import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { isAppError } from '../../domain/errors.js';
import { PASSWORD_MIN_LENGTH } from '../../domain/user-rules.js';
import { requireAdmin } from '../../services/access.js';
import { createUser } from '../../services/users/create-user.js';
import { getUser } from '../../services/users/get-user.js';
import { issuePasswordLink, type PasswordLink } from '../../services/users/issue-password-link.js';
import { mailPasswordLink } from '../../services/users/mail-password-link.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { listUsers } from '../../services/users/list-users.js';
import { updateUser } from '../../services/users/update-user.js';
import { USER_ROLES } from '../../domain/user-roles.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { stashSecret, takeSecret } from './reveal-once.js';
import { fixedMessage, postedText } from './form-fields.js';

/** The catalog keys of the texts `?error=` names on the user pages. */
export const USER_FORM_ERRORS: Record<string, string> = {
  email: 'settings:users.error.email',
  'email-taken': 'settings:users.error.emailTaken',
  'password-short': 'settings:users.error.passwordShort',
  invalid: 'settings:users.error.invalid',
  'last-admin': 'settings:users.error.lastAdmin',
  self: 'settings:users.error.self',
  disabled: 'settings:users.error.disabled',
};

/** The catalog keys of the texts `?saved=` names on the user pages. */
export const USER_FORM_NOTICES: Record<string, string> = {
  created: 'settings:users.notice.created',
  invited: 'settings:users.notice.invited',
  'invited-emailed': 'settings:users.notice.invitedEmailed',
  'invited-not-emailed': 'settings:users.notice.invitedNotEmailed',
  saved: 'settings:users.notice.saved',
  disabled: 'settings:users.notice.disabled',
  enabled: 'settings:users.notice.enabled',
  away: 'settings:users.notice.away',
  back: 'settings:users.notice.back',
  'kb-editor': 'kb:userPermission.notice.granted',
  'kb-reader': 'kb:userPermission.notice.revoked',
  link: 'settings:users.notice.link',
  'link-emailed': 'settings:users.notice.linkEmailed',
  'link-not-emailed': 'settings:users.notice.linkNotEmailed',
};

/** What the user forms keep of a failed post (never the password). */
interface PostedUser {
  email: string;
  name: string;
  role: string;
  inboxIds: string[];
}

/** The input each error code is about, so the message is shown at that input. */
const ERROR_FIELDS: Record<string, string> = { email: 'email', 'email-taken': 'email', 'password-short': 'password' };

/** Every value of a repeated form field (checkboxes): one value arrives as a string, several as an array. */
const fieldList = (req: Request, name: string): string[] => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');
};

/** The fixed error code for an expected failure of a user form; anything else is rethrown. */
function errorCode(err: unknown): string {
  const reason = isAppError(err) ? err.details?.reason : undefined;
  if (reason === 'last-admin' || reason === 'self') return reason;
  if (isAppError(err, 'CONFLICT')) return 'email-taken';
  if (isAppError(err, 'VALIDATION_FAILED')) {
    const paths = ((err.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path);
    if (paths.includes('email')) return 'email';
    if (paths.includes('password')) return 'password-short';
    return 'invalid';
  }
  throw err;
}

/** The link a person opens to set their password: under the public URL, else the host they reached us on. */
function absoluteLink(ctx: PageContext, req: Request, path: string): string {
  const base = ctx.publicUrl ? ctx.publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return base + path;
}

const adminOnly: RequestHandler = (_req, res, next) => {
  requireAdmin(requireSession(res).actor);
  next();
};

/** `/settings/users…`: admins list, add and edit users, and create invite or password-reset links. */
export function userPages(ctx: PageContext & { logger: Logger }): Router {
  const router = Router();
  const read = [requireLogin, adminOnly];
  const write = [requireLogin, requireCsrf(ctx.publicUrl), adminOnly];
  // The use cases take the stores flat.
  const deps = { ...ctx, ...ctx.stores, ...(ctx.actions.refillTeamsOfMember ? { refillTeamsOfMember: ctx.actions.refillTeamsOfMember } : {}) };

  /**
   * Mails a fresh link to its user and names the notice to show: `<kind>` when mail is not set up
   * here, `<kind>-emailed`, or `<kind>-not-emailed` (no inbox can send, or queueing failed).
   */
  const mailLink = async (req: Request, userId: string, link: PasswordLink, kind: 'invited' | 'link'): Promise<string> => {
    if (!ctx.invitations) return kind;
    try {
      return (await mailPasswordLink(ctx.invitations, userId, link, absoluteLink(ctx, req, link.path))) ? `${kind}-emailed` : `${kind}-not-emailed`;
    } catch (err) {
      ctx.logger.error({ err, userId }, 'password link not mailed');
      return `${kind}-not-emailed`;
    }
  };

  const inboxChoices = async (res: Response, selected: string[]) =>
    (await listInboxes(ctx.stores, requireSession(res).actor)).map((i) => ({ id: i.id, name: i.name, address: i.address, checked: selected.includes(i.id) }));

  router.get('/settings/users', ...read, async (_req, res) => {
    const session = requireSession(res);
    const [users, inboxes] = await Promise.all([listUsers(deps, session.actor), listInboxes(ctx.stores, session.actor)]);
    const names = new Map(inboxes.map((i) => [i.id, i.name]));
    const rows = users.map((u) => ({ ...u, inboxNames: u.inboxIds.map((id) => names.get(id) ?? '').filter(Boolean) }));
    const i18n = pageI18n(res);
    res.type('html').send(ctx.views.render('settings-users', { title: i18n.tr.t('settings:users.list.title'), session, nav: 'settings', users: rows }, i18n));
  });

  /** The "add user" form: empty, or after a failed save what was typed (never the password) with the error at its field. */
  const renderNew = async (res: Response, error: unknown, posted: PostedUser | null, status = 200) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const code = typeof error === 'string' ? error : undefined;
    res.status(status).type('html').send(
      ctx.views.render(
        'settings-user-new',
        {
          title: t('settings:users.new.title'),
          session,
          nav: 'settings',
          error: fixedMessage(USER_FORM_ERRORS, error, t, { min: PASSWORD_MIN_LENGTH }),
          errorField: code ? (ERROR_FIELDS[code] ?? null) : null,
          values: posted ?? { email: '', name: '' },
          roles: USER_ROLES.map((r) => ({ value: r, selected: r === (posted?.role ?? 'agent') })),
          inboxes: await inboxChoices(res, posted?.inboxIds ?? []),
          minLength: PASSWORD_MIN_LENGTH,
        },
        i18n,
      ),
    );
  };

  router.get('/settings/users/new', ...read, async (req, res) => renderNew(res, req.query.error, null));

  router.post('/settings/users', ...write, async (req, res) => {
    const session = requireSession(res);
    const password = postedText(req, 'password');
    const input = { email: postedText(req, 'email'), name: postedText(req, 'name'), role: postedText(req, 'role'), inboxIds: fieldList(req, 'inboxIds'), ...(password ? { password } : {}) };
    let created;
    try {
      created = await createUser(deps, session.actor, input);
    } catch (err) {
      // Shown again with what was typed (but the password), not emptied by a redirect.
      const code = errorCode(err);
      return renderNew(res, code, { email: input.email, name: input.name, role: input.role, inboxIds: input.inboxIds }, code === 'email-taken' ? 409 : 400);
    }
    if (password) return res.redirect(303, `/settings/users/${created.id}?saved=created`);
    const link = await issuePasswordLink(deps, session.actor, created.id);
    await stashSecret(deps, session.id, `link:${created.id}`, link.path);
    res.redirect(303, `/settings/users/${created.id}?saved=${await mailLink(req, created.id, link, 'invited')}`);
  });

  /** One user's page; after a failed change of the account form, what was posted with the error. */
  const renderEdit = async (req: Request, res: Response, id: string, failed: { code: string; posted: Omit<PostedUser, 'email'> } | null) => {
    const session = requireSession(res);
    const user = await getUser(deps, session.actor, id);
    const linkPath = failed ? null : await takeSecret(deps, session.id, `link:${user.id}`);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'settings-user',
        {
          title: user.name ?? user.email,
          session,
          nav: 'settings',
          user,
          nameValue: failed ? failed.posted.name : (user.name ?? ''),
          self: user.id === session.user.id,
          error: fixedMessage(USER_FORM_ERRORS, failed?.code ?? req.query.error, t, { min: PASSWORD_MIN_LENGTH }),
          notice: failed ? null : fixedMessage(USER_FORM_NOTICES, req.query.saved, t, { email: user.email }),
          roles: USER_ROLES.map((r) => ({ value: r, selected: r === (failed?.posted.role ?? user.role) })),
          inboxes: await inboxChoices(res, failed?.posted.inboxIds ?? user.inboxIds),
          link: linkPath ? absoluteLink(ctx, req, linkPath) : null,
        },
        i18n,
      ),
    );
  };

  router.get('/settings/users/:id', ...read, async (req, res) => renderEdit(req, res, String(req.params.id), null));

  const change = (patch: (req: Request) => Record<string, unknown>, saved: string) =>
    async (req: Request, res: Response) => {
      const id = String(req.params.id);
      try {
        await updateUser(deps, requireSession(res).actor, id, patch(req));
      } catch (err) {
        if (isAppError(err, 'NOT_FOUND')) throw err;
        return res.redirect(303, `/settings/users/${encodeURIComponent(id)}?error=${errorCode(err)}`);
      }
      res.redirect(303, `/settings/users/${encodeURIComponent(id)}?saved=${saved}`);
    };

  router.post('/settings/users/:id', ...write, async (req, res) => {
    const id = String(req.params.id);
    const posted = { name: postedText(req, 'name'), role: postedText(req, 'role'), inboxIds: fieldList(req, 'inboxIds') };
    try {
      await updateUser(deps, requireSession(res).actor, id, posted);
    } catch (err) {
      if (isAppError(err, 'NOT_FOUND')) throw err;
      // The account form again with what was posted, so a refused change does not lose it.
      res.status(400);
      return renderEdit(req, res, id, { code: errorCode(err), posted });
    }
    res.redirect(303, `/settings/users/${encodeURIComponent(id)}?saved=saved`);
  });
  router.post('/settings/users/:id/disable', ...write, change(() => ({ disabled: true }), 'disabled'));
  router.post('/settings/users/:id/enable', ...write, change(() => ({ disabled: false }), 'enabled'));
  // Away for them (holiday, sick), as they would on their account page: auto-assignment passes over them.
  router.post('/settings/users/:id/away', ...write, change(() => ({ away: true }), 'away'));
  router.post('/settings/users/:id/back', ...write, change(() => ({ away: false }), 'back'));
  // An agent allowed (or no longer) to write knowledge base articles; admins and managers always may.
  router.post('/settings/users/:id/kb-editor', ...write, change(() => ({ kbEditor: true }), 'kb-editor'));
  router.post('/settings/users/:id/kb-reader', ...write, change(() => ({ kbEditor: false }), 'kb-reader'));

  router.post('/settings/users/:id/password-link', ...write, async (req, res) => {
    const session = requireSession(res);
    const id = String(req.params.id);
    let link;
    try {
      link = await issuePasswordLink(deps, session.actor, id);
    } catch (err) {
      if (isAppError(err, 'CONFLICT')) return res.redirect(303, `/settings/users/${encodeURIComponent(id)}?error=disabled`);
      throw err;
    }
    await stashSecret(deps, session.id, `link:${id}`, link.path);
    res.redirect(303, `/settings/users/${encodeURIComponent(id)}?saved=${await mailLink(req, id, link, 'link')}`);
  });
  return router;
}
