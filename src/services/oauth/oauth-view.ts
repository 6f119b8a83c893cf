import { oauthErrorKey, type OAuthProvider } from '../../domain/oauth.js';
import type { OAuthGrantDoc, OAuthGrantState } from '../../store/models/oauth-grant.js';

/**
 * An inbox's OAuth2 login as pages and the API show it: never a secret, only whether a client secret
 * is stored. Null: the inbox logs in with passwords.
 */
export interface OAuthView {
  provider: OAuthProvider;
  clientId: string;
  hasClientSecret: boolean;
  tenant: string | null;
  issuer: string | null;
  scopes: string[];
  state: OAuthGrantState;
  connectedAt: Date | null;
  /** Why it needs reconnecting: the provider's error code and words. */
  lastError: { code: string; description: string | null; at: Date } | null;
}

/** Maps a stored login field by field, so no sealed field can leak through a new schema field. */
export function toOAuthView(grant: OAuthGrantDoc | null): OAuthView | null {
  if (!grant) return null;
  return {
    provider: grant.provider,
    clientId: grant.clientId,
    hasClientSecret: Boolean(grant.clientSecretSealed),
    tenant: grant.tenant ?? null,
    issuer: grant.issuer ?? null,
    scopes: [...grant.scopes],
    state: grant.state,
    connectedAt: grant.connectedAt ?? null,
    lastError: grant.lastError ? { code: grant.lastError.code, description: grant.lastError.description ?? null, at: grant.lastError.at } : null,
  };
}

/**
 * The words of an OAuth2 error in a language: the catalog's for the codes it knows
 * (`settings:oauth.error.<code>`), then the provider's own description.
 */
export function oauthErrorWords(error: { code: string; description: string | null }, t: (key: string, params?: Record<string, unknown>) => string): string {
  const words = t(`settings:oauth.error.${oauthErrorKey(error.code)}`, { code: error.code });
  return error.description ? t('settings:oauth.errorWithDescription', { words, description: error.description }) : words;
}
