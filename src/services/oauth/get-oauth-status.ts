import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { OAUTH_PROVIDERS } from '../../domain/oauth.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import type { OAuthGrantState } from '../../store/models/oauth-grant.js';
import { parseObjectId, type Actor } from '../access.js';
import { getInbox } from '../inboxes/get-inbox.js';
import { toOAuthView, type OAuthView } from './oauth-view.js';

/** An inbox's OAuth2 sign-in as the API answers it: never a secret or a token. */
export interface OAuthStatus {
  inboxId: string;
  state: OAuthGrantState;
  provider: OAuthView['provider'] | null;
  clientId: string | null;
  hasClientSecret: boolean | null;
  tenant: string | null;
  issuer: string | null;
  scopes: string[] | null;
  connectedAt: Date | null;
  lastError: OAuthView['lastError'];
}

/**
 * The body of `POST /inboxes/{id}/oauth/connect`: the provider and the app registration, as the
 * settings page's form has them. startOAuthConnect checks them further (tenant, issuer…).
 */
export const connectOAuthSchema = z
  .object({
    provider: z.enum(OAUTH_PROVIDERS),
    clientId: z.string().min(1).max(500),
    clientSecret: z.string().max(2000).nullish().describe('Write-only; empty or absent keeps the stored one (for the same client id).'),
    tenant: z.string().max(200).nullish().describe('Microsoft only: the tenant ID or domain; absent: "organizations".'),
    issuer: z.string().max(500).nullish().describe('Generic provider only: the HTTPS issuer URL (OpenID discovery).'),
    scopes: z.string().max(1000).nullish().describe('Generic provider only: space-separated scopes.'),
  })
  .strict();

/**
 * An inbox's OAuth2 sign-in (admins, and managers of the inbox, as on the settings page; agents get
 * 403): whether it is connected, the app registration without its secret, and why it needs
 * reconnecting. `state` "not-connected" with null fields: the inbox logs in with passwords.
 */
export async function getOAuthStatus(
  deps: { inboxes: Pick<InboxStore, 'findById' | 'findStatus'>; oauthGrants: Pick<OAuthGrantStore, 'findByInbox'> },
  actor: Actor,
  inboxIdText: string,
): Promise<OAuthStatus> {
  if (actor.role === 'agent') throw new AppError('FORBIDDEN', 'Settings are for admins and managers.');
  const inbox = await getInbox(deps, actor, inboxIdText);
  const view = toOAuthView(await deps.oauthGrants.findByInbox(parseObjectId(inbox.id)!));
  return {
    inboxId: inbox.id,
    state: view?.state ?? 'not-connected',
    provider: view?.provider ?? null,
    clientId: view?.clientId ?? null,
    hasClientSecret: view?.hasClientSecret ?? null,
    tenant: view?.tenant ?? null,
    issuer: view?.issuer ?? null,
    scopes: view?.scopes ?? null,
    connectedAt: view?.connectedAt ?? null,
    lastError: view?.lastError ?? null,
  };
}
