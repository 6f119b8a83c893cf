import { Router } from 'express';
import { createPersonalApiToken, type PersonalApiTokenDeps } from '../../services/auth/create-personal-api-token.js';
import { createUser } from '../../services/users/create-user.js';
import { getUser } from '../../services/users/get-user.js';
import { issuePasswordLink } from '../../services/users/issue-password-link.js';
import { listPersonalApiTokens } from '../../services/auth/list-personal-api-tokens.js';
import { listUsers, type UserAdminDeps } from '../../services/users/list-users.js';
import { revokePersonalApiToken } from '../../services/auth/revoke-personal-api-token.js';
import { updateOwnPreferences } from '../../services/users/update-own-preferences.js';
import { updateUser } from '../../services/users/update-user.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { UserStore } from '../../store/user-store.js';
import { principalOf } from './authenticate.js';

/**
 * `/users` (admins: list, create, read, change, issue a password link), `PATCH /me` (every caller's
 * own language, time zone and away state) and `/me/tokens` (every caller's own API tokens: list and revoke;
 * creating one is refused, as it needs a browser session).
 */
export function userRoutes(
  deps: UserAdminDeps & PersonalApiTokenDeps & { apiTokens: Pick<ApiTokenStore, 'listByUser' | 'deleteOwned'>; users: Pick<UserStore, 'setPreferences' | 'setAway'> },
): Router {
  const router = Router();
  router.get('/users', async (_req, res) => {
    res.json({ items: await listUsers(deps, principalOf(res).actor) });
  });
  router.post('/users', async (req, res) => {
    res.status(201).json(await createUser(deps, principalOf(res).actor, req.body));
  });
  router.get('/users/:id', async (req, res) => {
    res.json(await getUser(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/users/:id', async (req, res) => {
    res.json(await updateUser(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/users/:id/password-link', async (req, res) => {
    res.status(201).json(await issuePasswordLink(deps, principalOf(res).actor, req.params.id));
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
