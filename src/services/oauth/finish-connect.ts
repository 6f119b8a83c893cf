import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { flowRefusal, missingScopes, providerErrorText, redirectUri, tokenExpiry } from '../../domain/oauth.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import type { Actor } from '../access.js';
import type { OAuthEndpoint } from './oauth-endpoint.js';
import { openOAuthSecret, registrationOf, sealOAuthSecret } from './oauth-secrets.js';
import { stateHash } from './start-connect.js';

/** What finishing the flow needs. */
export interface FinishConnectDeps {
  oauthGrants: Pick<OAuthGrantStore, 'consumeFlow' | 'saveConnected'>;
  secrets: SecretBox;
  oauth: OAuthEndpoint;
  publicUrl: string | null;
  now: () => Date;
}

/** A refused callback; `inboxId` (when the flow was found) lets the page show it on the inbox's settings. */
const refused = (error: string, message: string, inboxId: Types.ObjectId | null, description: string | null = null) =>
  // A state that is unknown, spent, expired or another session's is refused to the caller (403); the rest is the provider's doing.
  new AppError(error.startsWith('state_') ? 'FORBIDDEN' : 'OAUTH_FAILED', message, { details: { error, description, inboxId: inboxId?.toHexString() ?? null }, key: `oauth.callback.${error.replace('-', '_')}`, params: { description: description ?? '' } });

/** Adds the inbox to a provider failure, so the page can show it there. */
function onInbox(err: unknown, inboxId: Types.ObjectId): unknown {
  return err instanceof AppError && err.code === 'OAUTH_FAILED' ? new AppError(err.code, err.message, { cause: err.cause, details: { ...err.details, inboxId: inboxId.toHexString() }, key: err.key, params: err.params }) : err;
}

/**
 * The provider's redirect back (`?code&state` or `?error`): takes the flow of that state (single use),
 * checks it belongs to this admin's session and has not expired, exchanges the code with the PKCE
 * verifier, refuses a grant without a refresh token or without the mail scopes, and stores the tokens
 * sealed: the inbox is connected. Returns the inbox's id.
 */
export async function finishOAuthConnect(deps: FinishConnectDeps, actor: Actor, sessionId: string, query: URLSearchParams): Promise<{ inboxId: Types.ObjectId }> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can connect inboxes', { key: 'forbidden.adminOnly' });
  // The state first: a callback no flow of ours started is refused as such, whatever the configuration.
  const state = query.get('state');
  const grant = state ? await deps.oauthGrants.consumeFlow(stateHash(state)) : null;
  const refusal = flowRefusal(grant?.flow ?? null, sessionId, deps.now());
  if (refusal || !grant?.flow || !state) throw refused(`state_${refusal ?? 'unknown'}`, `The connect flow is ${refusal === 'expired' ? 'expired' : 'unknown or was started by someone else'}: start it again`, refusal && refusal !== 'unknown' ? grant!.inboxId : null);
  if (!deps.publicUrl) throw new AppError('CONFIG_INVALID', 'PUBLIC_URL must be set to connect with OAuth2', { key: 'oauth.publicUrlMissing', details: { inboxId: grant.inboxId.toHexString() } });
  const providerError = query.get('error');
  if (providerError) {
    const description = providerErrorText(query.get('error_description'));
    throw new AppError('OAUTH_FAILED', `The provider refused: ${providerError}${description ? ` (${description})` : ''}`, {
      details: { error: providerError, description, inboxId: grant.inboxId.toHexString() },
      key: 'oauth.refused',
      params: { error: providerError, description: description ?? '' },
    });
  }
  const verifier = openOAuthSecret(deps.secrets, grant.inboxId, 'pkce-verifier', grant.flow.verifierSealed);
  // The URL the provider redirected to, rebuilt on PUBLIC_URL (a proxy may have changed the request's own).
  const callback = new URL(redirectUri(deps.publicUrl));
  for (const [name, value] of query) callback.searchParams.append(name, value);
  let tokens;
  try {
    tokens = await deps.oauth.exchangeCode(registrationOf(deps.secrets, grant), callback, { state, verifier });
  } catch (err) {
    throw onInbox(err, grant.inboxId);
  }
  const missing = missingScopes(grant.scopes, tokens.scope);
  if (missing.length > 0) throw refused('scope_missing', `The provider did not grant ${missing.join(', ')}: allow these permissions in the app registration and connect again`, grant.inboxId, missing.join(' '));
  if (!tokens.refreshToken) throw refused('no_refresh_token', 'The provider gave no refresh token: ask for offline access (offline_access) and connect again', grant.inboxId);
  const now = deps.now();
  const saved = await deps.oauthGrants.saveConnected(
    grant.inboxId,
    {
      accessTokenSealed: sealOAuthSecret(deps.secrets, grant.inboxId, 'access-token', tokens.accessToken),
      accessExpiresAt: tokenExpiry(now, tokens.expiresIn),
      refreshTokenSealed: sealOAuthSecret(deps.secrets, grant.inboxId, 'refresh-token', tokens.refreshToken),
    },
    now,
    actor.userId,
  );
  // Disconnected while the admin was at the provider: nothing to connect any more.
  if (!saved) throw refused('state_unknown', 'The inbox was disconnected meanwhile: start again', null);
  return { inboxId: grant.inboxId };
}
