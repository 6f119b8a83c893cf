import { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { createPersonalApiToken, type PersonalApiTokenDeps } from '../../services/auth/create-personal-api-token.js';
import { createUser } from '../../services/users/create-user.js';
import { getUser } from '../../services/users/get-user.js';
import { issuePasswordLink, type PasswordLink } from '../../services/users/issue-password-link.js';
import { mailPasswordLink, type PasswordLinkMailDeps } from '../../services/users/mail-password-link.js';
import { listPersonalApiTokens } from '../../services/auth/list-personal-api-tokens.js';
import { listUsers, type UserAdminDeps } from '../../services/users/list-users.js';
import { revokePersonalApiToken } from '../../services/auth/revoke-personal-api-token.js';
import { updateOwnPreferences } from '../../services/users/update-own-preferences.js';
import { updateUser } from '../../services/users/update-user.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { AssignmentFollowUps } from '../../services/teams/assignment-refill.js';
import { principalOf } from './authenticate.js';

/**
 * `/users` (admins: list, create, read, change, issue a password link; with `invitations`, adding a
 * user without a password mails them an invite link, and every issued link is mailed to its user), `PATCH /me` (every caller's
 * own language, time zone and away state) and `/me/tokens` (every caller's own API tokens: list and revoke;
 * creating one is refused, as it needs a browser session).
 */
export function userRoutes(
  deps: UserAdminDeps &
    PersonalApiTokenDeps &
    Partial<Pick<AssignmentFollowUps, 'refillTeamsOfMember'>> & { apiTokens: Pick<ApiTokenStore, 'listByUser' | 'deleteOwned'>; users: Pick<UserStore, 'setPreferences' | 'setAway'>; invitations?: PasswordLinkMailDeps; logger: Logger },
): Router {
  const router = Router();
  /** Mails a fresh link to its user; whether it was queued (false without mail set up or an inbox that can send). */
  const mailed = async (req: Request, userId: string, link: PasswordLink): Promise<boolean> => {
    if (!deps.invitations) return false;
    const base = deps.invitations.publicUrl ? deps.invitations.publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    try {
      return await mailPasswordLink(deps.invitations, userId, link, base + link.path);
    } catch (err) {
      deps.logger.error({ err, userId }, 'password link not mailed');
      return false;
    }
  };
  router.get('/users', async (_req, res) => {
    res.json({ items: await listUsers(deps, principalOf(res).actor) });
  });
  router.post('/users', async (req, res) => {
    const actor = principalOf(res).actor;
    const user = await createUser(deps, actor, req.body);
    const invited = deps.invitations !== undefined && !(req.body as { password?: unknown } | undefined)?.password;
    const invitationEmailed = invited ? await mailed(req, user.id, await issuePasswordLink(deps, actor, user.id)) : false;
    res.status(201).json({ ...user, invitationEmailed });
  });
  router.get('/users/:id', async (req, res) => {
    res.json(await getUser(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/users/:id', async (req, res) => {
    res.json(await updateUser(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/users/:id/password-link', async (req, res) => {
    const link = await issuePasswordLink(deps, principalOf(res).actor, req.params.id);
    res.status(201).json({ ...link, invitationEmailed: await mailed(req, req.params.id, link) });
  });

  router.patch('/me', async (req, res) => {
    res.json(await updateOwnPreferences(deps, principalOf(res).actor, req.body));
  });
  router.get('/me/tokens', async (_req, res) => {
    res.json({ items: await listPersonalApiTokens(deps, principalOf(res).actor) });
  });
  router.post('/me/tokens', async (req, res) => {
    res.status(201).json(await createPersonalApiToken(deps, principalOf(res).actor, 'api-token', req.body));
  });
  router.delete('/me/tokens/:id', async (req, res) => {
    await revokePersonalApiToken(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
