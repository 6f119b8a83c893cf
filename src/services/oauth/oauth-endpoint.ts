import * as oidc from 'openid-client';
import { AppError } from '../../domain/errors.js';
import { extraAuthorizationParams, isLoopbackHost, providerEndpoints, providerErrorText, type OAuthProviderSettings } from '../../domain/oauth.js';

/** An inbox's app registration: the provider settings and the client secret (opened). */
export interface OAuthRegistration {
  settings: OAuthProviderSettings;
  clientSecret: string | null;
}

/** What a token endpoint answered. `scope`: the granted scopes when the provider says (null: as asked). */
export interface ReceivedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresIn: number | undefined;
  scope: string | null;
}

/** The provider's side of the flow: authorization URL, code exchange, refresh. Errors are AppError('OAUTH_FAILED') with `details.error`. */
export interface OAuthEndpoint {
  authorizationUrl(reg: OAuthRegistration, params: { redirectUri: string; state: string; codeChallenge: string; scopes: string[] }): Promise<URL>;
  exchangeCode(reg: OAuthRegistration, callback: URL, checks: { state: string; verifier: string }): Promise<ReceivedTokens>;
  refresh(reg: OAuthRegistration, refreshToken: string): Promise<ReceivedTokens>;
}

/** The OAuth2 error code of a failure (`details.error` of OAUTH_FAILED), or null for any other error. */
export function oauthErrorCode(err: unknown): string | null {
  return err instanceof AppError && err.code === 'OAUTH_FAILED' && typeof err.details?.error === 'string' ? err.details.error : null;
}

/** Turns openid-client's errors into AppError('OAUTH_FAILED') carrying the provider's code and words. */
function providerFailure(err: unknown, step: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError) {
    const description = providerErrorText(err.error_description ?? null);
    return new AppError('OAUTH_FAILED', `OAuth2 ${step} refused: ${err.error}${description ? ` (${description})` : ''}`, {
      cause: err,
      details: { error: err.error, description },
      key: 'oauth.refused',
      params: { error: err.error, description: description ?? '' },
    });
  }
  const message = providerErrorText(err instanceof Error ? err.message : String(err)) ?? 'unknown error';
  // No answer the protocol defines (network, TLS, a malformed response): a passing failure, not a lost grant.
  return new AppError('OAUTH_FAILED', `OAuth2 ${step} failed: ${message}`, { cause: err, details: { error: 'server_error', description: message }, key: 'oauth.failed', params: { message } });
}

/** The openid-client configuration for a registration: fixed endpoints, or discovery for a generic issuer. */
async function configurationOf(reg: OAuthRegistration): Promise<oidc.Configuration> {
  const { settings, clientSecret } = reg;
  const endpoints = providerEndpoints(settings);
  const metadata = clientSecret ? { client_secret: clientSecret } : undefined;
  const auth = clientSecret ? oidc.ClientSecretPost(clientSecret) : oidc.None();
  if (endpoints.kind === 'fixed') {
    return new oidc.Configuration(
      { issuer: endpoints.issuer, authorization_endpoint: endpoints.authorizationEndpoint, token_endpoint: endpoints.tokenEndpoint, revocation_endpoint: endpoints.revocationEndpoint },
      settings.clientId,
      metadata,
      auth,
    );
  }
  const issuer = new URL(endpoints.issuer);
  // Plain HTTP only on the machine itself (a local provider); anything else must be HTTPS.
  const insecure = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  const discovered = await oidc.discovery(issuer, settings.clientId, metadata, auth, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined);
  const methods = discovered.serverMetadata().token_endpoint_auth_methods_supported;
  // HTTP Basic is the method every server must support (RFC 6749 §2.3.1) and the default of the metadata.
  if (!clientSecret || (methods && !methods.includes('client_secret_basic'))) return discovered;
  const config = new oidc.Configuration(discovered.serverMetadata(), settings.clientId, metadata, oidc.ClientSecretBasic(clientSecret));
  if (insecure) oidc.allowInsecureRequests(config);
  return config;
}

function received(tokens: oidc.TokenEndpointResponse): ReceivedTokens {
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null, expiresIn: tokens.expires_in, scope: tokens.scope ?? null };
}

/** The OAuthEndpoint of openid-client: discovery, authorization code with PKCE (S256) and state, refresh. */
export function createOAuthEndpoint(): OAuthEndpoint {
  return {
    async authorizationUrl(reg, params) {
      let config: oidc.Configuration;
      try {
        config = await configurationOf(reg);
      } catch (err) {
        throw providerFailure(err, 'discovery');
      }
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: params.redirectUri,
        scope: params.scopes.join(' '),
        state: params.state,
        code_challenge: params.codeChallenge,
        code_challenge_method: 'S256',
        ...extraAuthorizationParams(reg.settings.provider, params.scopes),
      });
    },
    async exchangeCode(reg, callback, checks) {
      try {
        const config = await configurationOf(reg);
        return received(await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: checks.verifier, expectedState: checks.state }));
      } catch (err) {
        throw providerFailure(err, 'code exchange');
      }
    },
    async refresh(reg, refreshToken) {
      try {
        const config = await configurationOf(reg);
        return received(await oidc.refreshTokenGrant(config, refreshToken));
      } catch (err) {
        throw providerFailure(err, 'refresh');
      }
    },
  };
}
