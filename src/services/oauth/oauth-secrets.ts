import type { Types } from 'mongoose';
import type { OAuthGrantDoc } from '../../store/models/oauth-grant.js';
import type { SecretBox } from '../../store/secret-box.js';
import type { OAuthRegistration } from './oauth-endpoint.js';

/** The sealed fields of an inbox's OAuth2 login. */
export type OAuthSecretField = 'client-secret' | 'refresh-token' | 'access-token' | 'pkce-verifier';

/**
 * The additional data an OAuth2 secret is sealed with: one inbox and one field, so a ciphertext
 * copied onto another record or field does not open.
 */
export function oauthSecretContext(inboxId: Types.ObjectId, field: OAuthSecretField): string {
  return `inbox:${inboxId.toHexString()}:oauth:${field}`;
}

/** Seals one OAuth2 secret of an inbox. */
export function sealOAuthSecret(secrets: SecretBox, inboxId: Types.ObjectId, field: OAuthSecretField, value: string): string {
  return secrets.seal(value, oauthSecretContext(inboxId, field));
}

/** Opens one OAuth2 secret of an inbox. */
export function openOAuthSecret(secrets: SecretBox, inboxId: Types.ObjectId, field: OAuthSecretField, sealed: string): string {
  return secrets.open(sealed, oauthSecretContext(inboxId, field));
}

/** The app registration of a stored login, its client secret opened. */
export function registrationOf(secrets: SecretBox, grant: OAuthGrantDoc): OAuthRegistration {
  return {
    settings: { provider: grant.provider, clientId: grant.clientId, tenant: grant.tenant ?? null, issuer: grant.issuer ?? null, scopes: grant.scopes },
    clientSecret: grant.clientSecretSealed ? openOAuthSecret(secrets, grant.inboxId, 'client-secret', grant.clientSecretSealed) : null,
  };
}
