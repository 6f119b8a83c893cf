/*
 * OAuth2 for an inbox's IMAP and SMTP logins (SASL XOAUTH2 / OAUTHBEARER): the providers an admin can
 * connect with, what each asks for, and the pure rules of the connect flow and of token refresh.
 */

/** The providers an inbox can connect with. */
export const OAUTH_PROVIDERS = ['microsoft', 'google', 'generic'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

/** Microsoft Entra ID: the mail scopes of Exchange Online, and `offline_access` for a refresh token. */
export const MICROSOFT_SCOPES = ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'] as const;
/** Google: full mail access is the only scope Gmail's IMAP and SMTP accept. */
export const GOOGLE_SCOPES = ['https://mail.google.com/'] as const;
/** A generic provider's default scopes when the admin names none. */
export const GENERIC_DEFAULT_SCOPES = ['offline_access'] as const;
/** The Entra tenant used when none is given: work and school accounts of any organization. */
export const MICROSOFT_DEFAULT_TENANT = 'organizations';

/** How long a started connect flow may take before its state is refused. */
export const OAUTH_FLOW_TTL_MS = 10 * 60_000;
/** A token is refreshed when it has less than this left (the port promises at least 60 s). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** The port's promise: a token handed out is valid at least this long. */
export const MIN_TOKEN_LIFE_MS = 60_000;
/** How long one process may hold the refresh lease before another may take it over. */
export const REFRESH_LEASE_MS = 30_000;

/** What an admin sets for an inbox's OAuth2 provider (the client secret travels separately, sealed). */
export interface OAuthProviderSettings {
  provider: OAuthProvider;
  clientId: string;
  /** Microsoft only: the directory (tenant) id or domain, `organizations`, or `common`. */
  tenant?: string | null;
  /** Generic only: the issuer URL whose discovery document names the endpoints. */
  issuer?: string | null;
  /** Generic only: the scopes to ask for (space-separated); the built-in providers have fixed scopes. */
  scopes?: readonly string[] | null;
}

/** The endpoints of a provider: fixed ones, or an issuer to discover them from. */
export type OAuthEndpoints =
  | { kind: 'fixed'; issuer: string; authorizationEndpoint: string; tokenEndpoint: string; revocationEndpoint?: string }
  | { kind: 'discovery'; issuer: string };

/** Where an Entra tenant's v2 endpoints are. */
function microsoftEndpoints(tenant: string): OAuthEndpoints {
  const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}`;
  // Fixed rather than discovered: the `common`/`organizations` documents name a `{tenantid}` issuer no check accepts.
  return { kind: 'fixed', issuer: `${base}/v2.0`, authorizationEndpoint: `${base}/oauth2/v2.0/authorize`, tokenEndpoint: `${base}/oauth2/v2.0/token` };
}

/** The endpoints to use for these settings. */
export function providerEndpoints(settings: OAuthProviderSettings): OAuthEndpoints {
  switch (settings.provider) {
    case 'microsoft':
      return microsoftEndpoints(settings.tenant?.trim() || MICROSOFT_DEFAULT_TENANT);
    case 'google':
      return {
        kind: 'fixed',
        issuer: 'https://accounts.google.com',
        authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenEndpoint: 'https://oauth2.googleapis.com/token',
        revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
      };
    case 'generic':
      return { kind: 'discovery', issuer: settings.issuer ?? '' };
  }
}

/** The scopes the authorization request asks for. */
export function providerScopes(settings: OAuthProviderSettings): string[] {
  switch (settings.provider) {
    case 'microsoft':
      return [...MICROSOFT_SCOPES];
    case 'google':
      return [...GOOGLE_SCOPES];
    case 'generic':
      return settings.scopes && settings.scopes.length > 0 ? [...settings.scopes] : [...GENERIC_DEFAULT_SCOPES];
  }
}

/**
 * Extra authorization parameters: Google hands out a refresh token only for offline access with
 * consent; an OpenID provider honours `offline_access` only with `prompt=consent` (OIDC Core §11).
 */
export function extraAuthorizationParams(provider: OAuthProvider, scopes: readonly string[]): Record<string, string> {
  if (provider === 'google') return { access_type: 'offline', prompt: 'consent' };
  if (provider === 'generic' && scopes.includes('offline_access')) return { prompt: 'consent' };
  return {};
}

/** Scopes that ask for a refresh token or an identity rather than access: providers seldom echo them back. */
const META_SCOPES = new Set(['offline_access', 'openid', 'profile', 'email']);

/** Splits a space-separated scope list, dropping empties and duplicates. */
export function parseScopes(text: string | null | undefined): string[] {
  return [...new Set((text ?? '').split(/\s+/).filter(Boolean))];
}

/**
 * The requested access scopes the token response did not grant. A response without `scope` grants
 * what was asked (RFC 6749 §5.1); the meta scopes are left out, since a missing refresh token says more.
 */
export function missingScopes(requested: readonly string[], grantedText: string | null | undefined): string[] {
  if (grantedText === undefined || grantedText === null) return [];
  const granted = new Set(parseScopes(grantedText).map((s) => s.toLowerCase()));
  return requested.filter((s) => !META_SCOPES.has(s) && !granted.has(s.toLowerCase()));
}

/** Why the settings cannot be used, as the field and the issue's catalog key; empty when they can. */
export function providerSettingsIssues(settings: { provider: string; clientId: string; tenant?: string | null; issuer?: string | null; scopes?: readonly string[] | null }): Array<{ path: string; key: string }> {
  const issues: Array<{ path: string; key: string }> = [];
  if (!(OAUTH_PROVIDERS as readonly string[]).includes(settings.provider)) issues.push({ path: 'provider', key: 'oauth.issue.provider' });
  if (!settings.clientId.trim()) issues.push({ path: 'clientId', key: 'oauth.issue.clientId' });
  if (settings.provider === 'microsoft' && settings.tenant && !/^[A-Za-z0-9.-]{1,100}$/.test(settings.tenant.trim())) issues.push({ path: 'tenant', key: 'oauth.issue.tenant' });
  if (settings.provider === 'generic' && !issuerAllowed(settings.issuer ?? '')) issues.push({ path: 'issuer', key: 'oauth.issue.issuer' });
  return issues;
}

/** Hosts a plain-HTTP issuer is accepted on: the machine itself (a local test provider), nothing else. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Whether an issuer URL is usable: HTTPS, or HTTP on the loopback interface. */
export function issuerAllowed(issuer: string): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return false;
  }
  if (url.search || url.hash || url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** The callback path of the connect flow, under PUBLIC_URL (the redirect URI to register). */
export const OAUTH_CALLBACK_PATH = '/settings/inboxes/oauth/callback';

/** The redirect URI for a PUBLIC_URL (with or without a trailing slash). */
export function redirectUri(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${OAUTH_CALLBACK_PATH}`;
}

/** A started connect flow as stored: who started it, in which session, until when. */
export interface PendingFlow {
  /** The admin's session; null for a flow the operator started from the command line (any admin may finish it). */
  sessionId: string | null;
  expiresAt: Date;
}

/** Why a callback's state is refused, or null when the flow may finish. */
export function flowRefusal(flow: PendingFlow | null, sessionId: string, now: Date): 'unknown' | 'other-session' | 'expired' | null {
  if (!flow) return 'unknown';
  if (flow.sessionId !== null && flow.sessionId !== sessionId) return 'other-session';
  if (now.getTime() >= flow.expiresAt.getTime()) return 'expired';
  return null;
}

/** Whether a token expiring at `expiresAt` must be refreshed now (unknown expiry: yes). */
export function needsRefresh(expiresAt: Date | null | undefined, now: Date, marginMs = REFRESH_MARGIN_MS): boolean {
  return !expiresAt || expiresAt.getTime() - now.getTime() < Math.max(marginMs, MIN_TOKEN_LIFE_MS);
}

/** When a token of `expiresInSeconds` received at `now` expires; unknown lifetimes count as one hour. */
export function tokenExpiry(now: Date, expiresInSeconds: number | undefined): Date {
  const seconds = typeof expiresInSeconds === 'number' && Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds : 3600;
  return new Date(now.getTime() + seconds * 1000);
}

/**
 * Whether a token endpoint's error means the grant is gone (an admin must connect again) rather than
 * a passing failure worth retrying later: RFC 6749 §5.2's `invalid_grant` (revoked, expired, consent
 * withdrawn), a client the provider no longer accepts, or a scope it no longer grants.
 */
export function grantIsGone(error: string | null | undefined): boolean {
  return error === 'invalid_grant' || error === 'invalid_client' || error === 'unauthorized_client' || error === 'invalid_scope';
}

/** The OAuth2 error codes the catalogs word (`settings:oauth.error.<code>`); others are shown as the provider sent them. */
export const WORDED_OAUTH_ERRORS = ['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope', 'access_denied', 'server_error', 'temporarily_unavailable', 'scope_missing', 'auth_failed', 'no_refresh_token'] as const;

/** The catalog key for an OAuth2 error code; `other` for codes the catalogs do not word. */
export function oauthErrorKey(code: string): string {
  return (WORDED_OAUTH_ERRORS as readonly string[]).includes(code) ? code : 'other';
}

/** Trims a provider's error description to something a settings page can show (no control characters). */
export function providerErrorText(description: string | null | undefined, max = 300): string | null {
  if (!description) return null;
  // eslint-disable-next-line no-control-regex
  const text = description.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text ? (text.length > max ? `${text.slice(0, max - 1)}…` : text) : null;
}
