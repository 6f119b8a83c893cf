import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { OAUTH_FLOW_TTL_MS, parseScopes, providerScopes, providerSettingsIssues, redirectUri, type OAuthProvider, type OAuthProviderSettings } from '../../domain/oauth.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { inputIssue, invalidInput } from '../validate.js';
import type { OAuthEndpoint } from './oauth-endpoint.js';
import { openOAuthSecret, sealOAuthSecret } from './oauth-secrets.js';

/** What an admin enters to connect an inbox: the provider and their app registration. */
export interface ConnectInput {
  provider: string;
  clientId: string;
  /** Empty or absent: keep the stored one (a public client with PKCE needs none). */
  clientSecret?: string | null;
  tenant?: string | null;
  issuer?: string | null;
  /** Generic provider only: space-separated. */
  scopes?: string | null;
}

/** What starting the flow needs. */
export interface StartConnectDeps {
  inboxes: Pick<InboxStore, 'findById'>;
  oauthGrants: Pick<OAuthGrantStore, 'findByInbox' | 'startFlow'>;
  secrets: SecretBox;
  oauth: OAuthEndpoint;
  /** PUBLIC_URL: the provider sends the admin back to it. */
  publicUrl: string | null;
  now: () => Date;
}

/** SHA-256 of a flow's state: what is stored, so the database never holds a usable state. */
export function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** The S256 PKCE challenge of a verifier (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The English words of the settings' issues (the `errors:oauth.issue.*` catalog entries say the same). */
const ISSUE_TEXT: Record<string, string> = {
  provider: 'must be microsoft, google or generic',
  clientId: 'is required',
  tenant: 'must be a tenant ID or domain',
  issuer: 'must be an HTTPS URL without query',
};

/** Validates the input into provider settings, or throws VALIDATION_FAILED. */
function settingsOf(input: ConnectInput): OAuthProviderSettings {
  const settings = {
    provider: input.provider as OAuthProvider,
    clientId: input.clientId.trim(),
    tenant: input.provider === 'microsoft' ? input.tenant?.trim() || null : null,
    issuer: input.provider === 'generic' ? input.issuer?.trim().replace(/\/+$/, '') || null : null,
    scopes: input.provider === 'generic' ? parseScopes(input.scopes) : null,
  };
  const issues = providerSettingsIssues(settings).map((i) => inputIssue(i.path, `errors:${i.key}`, ISSUE_TEXT[i.path] ?? 'is invalid'));
  if (issues.length > 0) throw invalidInput(issues, 'OAuth2 settings');
  return settings;
}

/**
 * Starts "Connect with …" for an inbox (admins only): saves the app registration (client secret
 * sealed), a fresh state and PKCE verifier bound to the admin's session for OAUTH_FLOW_TTL_MS, and
 * returns the provider's consent URL. The flow comes back to PUBLIC_URL + OAUTH_CALLBACK_PATH.
 * `sessionId` null: started by the operator (CLI); any admin's session may then finish it.
 */
export async function startOAuthConnect(deps: StartConnectDeps, actor: Actor, inboxIdText: string, input: ConnectInput, sessionId: string | null): Promise<{ url: string; expiresAt: Date }> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can connect inboxes', { key: 'forbidden.adminOnly' });
  const inboxId = parseObjectId(inboxIdText);
  const inbox = inboxId ? await deps.inboxes.findById(inboxId) : null;
  if (!inboxId || !inbox || inbox.deletedAt) throw notFound('Inbox');
  if (!deps.publicUrl) throw new AppError('CONFIG_INVALID', 'PUBLIC_URL must be set to connect with OAuth2: the provider sends the admin back to it', { key: 'oauth.publicUrlMissing' });
  const settings = settingsOf(input);
  const stored = await deps.oauthGrants.findByInbox(inboxId);
  const secret = input.clientSecret?.trim() || null;
  // The stored secret belongs to the stored client id: a new client id needs its own secret (or none).
  const keptSecret = !secret && stored?.clientSecretSealed && stored.clientId === settings.clientId ? openOAuthSecret(deps.secrets, inboxId, 'client-secret', stored.clientSecretSealed) : null;
  const state = base64url(randomBytes(32));
  const verifier = base64url(randomBytes(48));
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + OAUTH_FLOW_TTL_MS);
  const scopes = providerScopes(settings);
  const url = await deps.oauth.authorizationUrl({ settings, clientSecret: secret ?? keptSecret }, { redirectUri: redirectUri(deps.publicUrl), state, codeChallenge: pkceChallenge(verifier), scopes });
  await deps.oauthGrants.startFlow(
    inboxId,
    {
      provider: settings.provider,
      clientId: settings.clientId,
      tenant: settings.tenant ?? null,
      issuer: settings.issuer ?? null,
      scopes,
      clientSecretSealed: secret ? sealOAuthSecret(deps.secrets, inboxId, 'client-secret', secret) : keptSecret ? stored!.clientSecretSealed : null,
    },
    { stateHash: stateHash(state), verifierSealed: sealOAuthSecret(deps.secrets, inboxId, 'pkce-verifier', verifier), sessionId, userId: actor.userId, expiresAt },
  );
  return { url: url.toString(), expiresAt };
}
