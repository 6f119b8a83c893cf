import { Router } from 'express';
import { disconnectOAuth } from '../../services/oauth/disconnect.js';
import { connectOAuthSchema, getOAuthStatus } from '../../services/oauth/get-oauth-status.js';
import type { OAuthEndpoint } from '../../services/oauth/oauth-endpoint.js';
import { startOAuthConnect, type StartConnectDeps } from '../../services/oauth/start-connect.js';
import { parseInput } from '../../services/validate.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import { principalOf } from './authenticate.js';

/** What the inbox OAuth2 routes need. */
export interface InboxOAuthRouteDeps {
  inboxes: Pick<InboxStore, 'findById' | 'findStatus'>;
  oauthGrants: Pick<OAuthGrantStore, 'findByInbox' | 'startFlow' | 'removeByInbox'>;
  secrets: SecretBox;
  oauth: OAuthEndpoint;
  /** PUBLIC_URL: where the provider sends the admin back (connecting needs it). */
  publicUrl: string | null;
  now: () => Date;
}

/**
 * The inbox's OAuth2 sign-in, as the settings page has it: `GET /inboxes/:id/oauth` (the status,
 * never a secret or token), `POST /inboxes/:id/oauth/connect` (admins: saves the app registration and
 * answers the consent URL an admin opens in a browser signed in to Threadline), `DELETE
 * /inboxes/:id/oauth` (admins: back to passwords). The use cases check who may.
 */
export function inboxOAuthRoutes(deps: InboxOAuthRouteDeps): Router {
  const router = Router();
  const startDeps: StartConnectDeps = deps;
  router.get('/:id/oauth', async (req, res) => {
    res.json(await getOAuthStatus(deps, principalOf(res).actor, req.params.id));
  });
  router.post('/:id/oauth/connect', async (req, res) => {
    const input = parseInput(connectOAuthSchema, req.body, 'OAuth2 settings');
    // No session: the flow may be finished by any admin's browser session (as with the CLI).
    const started = await startOAuthConnect(startDeps, principalOf(res).actor, req.params.id, input, null);
    res.json(started);
  });
  router.delete('/:id/oauth', async (req, res) => {
    const { actor } = principalOf(res);
    await getOAuthStatus(deps, actor, req.params.id);
    await disconnectOAuth(deps, actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
