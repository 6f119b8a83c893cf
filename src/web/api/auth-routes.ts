import { Router, type RequestHandler } from 'express';
import { issueApiToken, type IssueApiTokenDeps } from '../../services/auth/issue-api-token.js';
import { revokeApiToken } from '../../services/auth/revoke-api-token.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import { principalOf } from './authenticate.js';

/**
 * `POST /auth/token` (log in, public, under the sign-in page's throttle: 429 with Retry-After) and
 * `DELETE /auth/token` (revoke the token in use).
 */
export function authRoutes(deps: IssueApiTokenDeps & { apiTokens: Pick<ApiTokenStore, 'create' | 'deleteById'> }, requireAuth: RequestHandler): Router {
  const router = Router();
  router.post('/auth/token', async (req, res) => {
    const { token, expiresAt } = await issueApiToken(deps, req.body, req.ip ?? 'unknown');
    res.status(201).json({ token, expiresAt });
  });
  router.delete('/auth/token', requireAuth, async (_req, res) => {
    await revokeApiToken(deps, principalOf(res).tokenId);
    res.status(204).end();
  });
  return router;
}
