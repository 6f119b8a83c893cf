import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The scopes the test provider knows for mail, like Microsoft's IMAP.AccessAsUser.All and SMTP.Send. */
export const MAIL_SCOPES = { imap: 'mail.imap', smtp: 'mail.send' } as const;

/** The mail scopes of the flow tests (a generic provider's "IMAP" and "SMTP" permissions); known too. */
export const TEST_MAIL_SCOPES = ['mail.imap', 'mail.smtp'] as const;

/** A local OAuth2/OIDC identity provider on loopback, standing in for Microsoft or Google. */
export interface TestOAuthProvider {
  /** The issuer URL (discovery at `${issuer}/.well-known/openid-configuration`). */
  issuer: string;
  /** The app registration Threadline uses (authorization code + PKCE, refresh tokens). */
  client: { id: string; secret: string };
  /** The resource server's own credentials, with which Dovecot and the SMTP server introspect tokens. */
  resourceServer: { id: string; secret: string };
  introspectionUrl: string;
  tokenUrl: string;
  /** Access tokens issued from now on live this many seconds. */
  setAccessTokenTtl(seconds: number): void;
  /** The scopes the test user grants at consent, from those requested (default: all of them). */
  setConsent(grant: (requested: string[]) => string[]): void;
  /** Withdraws every consent the test users gave ("remove app access"): their tokens stop working. */
  revokeConsent(): Promise<void>;
  /** Asks the provider what it knows of a token (RFC 7662), with the resource server's credentials. */
  introspect(token: string): Promise<{ active: boolean; sub?: string; scope?: string; exp?: number }>;
  /** Tokens straight from the provider, as a consent would give them (the whole flow, driven here). */
  authorize(opts?: { scope?: string; user?: string }): Promise<{ accessToken: string; refreshToken: string; expiresIn: number; scope: string }>;
  /** Follows an authorization URL (from the app's connect flow) through sign-in and consent, both automatic, to the redirect back to the app. */
  consent(authorizationUrl: string): Promise<URL>;
  /** Spends a refresh token; with rotation on, the answer carries the next refresh token. */
  refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }>;
  /** How many requests each endpoint path answered (e.g. '/token/introspection', '/token'). */
  hits(path: string): number;
  /** How many refresh_token grants the token endpoint answered with new tokens. */
  refreshCount(): number;
  close(): Promise<void>;
}

export interface OAuthProviderOptions {
  /** The accounts that can sign in; the first signs in when an authorization asks for no one. */
  users: string[];
  /** Where the app registration may send the browser back to. */
  redirectUris?: string[];
  accessTokenTtlSeconds?: number;
  /** The app registration's credentials (default: a fixed id and a random secret). */
  clientId?: string;
  clientSecret?: string;
  /** Refuse authorizations without PKCE (as the flow tests want); default off. */
  pkceRequired?: boolean;
  /** Issue a refresh token only when `offline_access` was granted (as OIDC says); default: always, like Microsoft and Google. */
  refreshTokenNeedsOfflineAccess?: boolean;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Starts oidc-provider on 127.0.0.1: one confidential client, a resource-server client for introspection,
 * an interaction that signs in the test user (the mailbox address is the account id and `sub`) and
 * consents at once, refresh tokens rotated on every use, introspection and revocation on.
 */
export async function startOAuthProvider(opts: OAuthProviderOptions): Promise<TestOAuthProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = { id: opts.clientId ?? 'threadline-test', secret: opts.clientSecret ?? randomBytes(16).toString('hex') };
  const resourceServer = { id: 'mail-server', secret: randomBytes(16).toString('hex') };
  const fallbackRedirect = `${issuer}/test-callback`;
  let ttl = opts.accessTokenTtlSeconds ?? 3600;
  let consent = (requested: string[]) => requested;
  const grants = new Set<string>();
  const counts = new Map<string, number>();
  let refreshes = 0;
  // The login hint picks the user (authorize() passes it); otherwise the first one signs in.
  const pendingUser = new Map<string, string>();

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        redirect_uris: [...(opts.redirectUris ?? []), fallbackRedirect],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { client_id: resourceServer.id, client_secret: resourceServer.secret, redirect_uris: [], grant_types: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    ],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    findAccount: (_ctx: unknown, id: string) => (opts.users.includes(id) ? { accountId: id, claims: () => ({ sub: id, email: id }) } : undefined),
    claims: { openid: ['sub'], email: ['email'] },
    scopes: [...new Set(['openid', 'offline_access', 'email', MAIL_SCOPES.imap, MAIL_SCOPES.smtp, ...TEST_MAIL_SCOPES])],
    features: {
      devInteractions: { enabled: false },
      // Only the mail servers' own client (and a token's own client) may ask about a token.
      introspection: { enabled: true, allowedPolicy: async (_ctx: unknown, c: { clientId: string }, token: { clientId?: string }) => c.clientId === resourceServer.id || c.clientId === token.clientId },
      revocation: { enabled: true },
      // Plain OAuth2 scopes on the access token, as Microsoft's and Google's mail scopes are requested.
      resourceIndicators: { enabled: false },
    },
    // Like Microsoft and Google, a refresh token comes with every code (no prompt=consent dance needed).
    issueRefreshToken: async (_ctx: unknown, c: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      c.grantTypeAllowed('refresh_token') && (!opts.refreshTokenNeedsOfflineAccess || code.scopes.has('offline_access')),
    rotateRefreshToken: true,
    ttl: { AccessToken: () => ttl, IdToken: 3600, AuthorizationCode: 600, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600, Session: 3600, Interaction: 600 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => Boolean(opts.pkceRequired) },
    renderError: (ctx: { type: string; body: unknown }, out: Record<string, unknown>) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));
  provider.on('grant.success', (ctx) => {
    if ((ctx as { oidc?: { params?: { grant_type?: string } } }).oidc?.params?.grant_type === 'refresh_token') refreshes++;
  });
  const handle = provider.callback();

  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
      const user = pendingUser.get(String(details.params.state ?? '')) ?? (opts.users.includes(hint) ? hint : opts.users[0]!);
      await provider.interactionFinished(req, res, { login: { accountId: user } }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session!.accountId;
    const grant = details.grantId ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: details.params.client_id })) : new provider.Grant({ accountId, clientId: details.params.client_id });
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const granted = consent(missing);
    if (granted.length > 0) grant.addOIDCScope(granted.join(' '));
    // What the user left out is recorded as refused, or the provider would ask again and again.
    const refused = missing.filter((s) => !granted.includes(s));
    if (refused.length > 0) grant.rejectOIDCScope(refused.join(' '));
    const claims = details.prompt.details.missingOIDCClaims as string[] | undefined;
    if (claims?.length) grant.addOIDCClaims(claims);
    const grantId = await grant.save();
    grants.add(grantId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path.startsWith('/interaction/')) {
      interact(req, res).catch((err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      });
      return;
    }
    if (path === '/test-callback') {
      res.end('ok');
      return;
    }
    handle(req, res);
  });

  const tokenCall = async (fields: Record<string, string>) => {
    const res = await fetch(`${issuer}/token`, { method: 'POST', headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw Object.assign(new Error(`token endpoint: ${String(body.error)} ${String(body.error_description ?? '')}`), { body });
    return body;
  };

  /** Follows the provider's redirects the way a browser would, carrying its cookies, until the client's callback. */
  const followToCallback = async (start: string): Promise<URL> => {
    const jar = new Map<string, string>();
    let url = start;
    for (let hop = 0; hop < 10; hop++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0] ?? '';
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        // A cookie the provider clears (expired, empty) leaves the jar.
        if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider stopped at ${url} with ${res.status}: ${await res.text()}`);
      const next = new URL(location, url);
      if (next.pathname === '/test-callback' || next.origin !== issuer) return next;
      url = next.toString();
    }
    throw new Error('too many redirects');
  };

  return {
    issuer,
    client,
    resourceServer,
    introspectionUrl: `${issuer}/token/introspection`,
    tokenUrl: `${issuer}/token`,
    setAccessTokenTtl: (seconds) => void (ttl = seconds),
    setConsent: (grant) => void (consent = grant),
    async revokeConsent() {
      for (const id of grants) await (await provider.Grant.find(id))?.destroy();
      grants.clear();
    },
    async introspect(token) {
      const res = await fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic(resourceServer.id, resourceServer.secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ token }),
      });
      return (await res.json()) as { active: boolean; sub?: string; scope?: string; exp?: number };
    },
    async authorize({ scope = `openid offline_access ${MAIL_SCOPES.imap} ${MAIL_SCOPES.smtp}`, user = opts.users[0]! } = {}) {
      const state = randomBytes(8).toString('hex');
      pendingUser.set(state, user);
      const query = form({ client_id: client.id, response_type: 'code', redirect_uri: fallbackRedirect, scope, state, prompt: 'consent' });
      const back = await followToCallback(`${issuer}/auth?${query}`);
      const code = back.searchParams.get('code');
      if (!code) throw new Error(`no code in ${back.toString()}`);
      const body = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: fallbackRedirect });
      return { accessToken: String(body.access_token), refreshToken: String(body.refresh_token), expiresIn: Number(body.expires_in), scope: String(body.scope ?? '') };
    },
    async refresh(refreshToken) {
      const body = await tokenCall({ grant_type: 'refresh_token', refresh_token: refreshToken });
      return { accessToken: String(body.access_token), refreshToken: String(body.refresh_token), expiresIn: Number(body.expires_in) };
    },
    consent: (authorizationUrl) => followToCallback(authorizationUrl),
    hits: (path) => counts.get(path) ?? 0,
    refreshCount: () => refreshes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a flow test may set on the loopback identity provider. */
export interface TestProviderOptions {
  clientId?: string;
  clientSecret?: string;
  /** Where the client is sent back to (PUBLIC_URL + the callback path). */
  redirectUri: string;
  /** Seconds an access token lives (default 3600). */
  accessTokenTtl?: number;
  /** Of the requested scopes, the ones the test user grants (default: all); the rest are refused. */
  grantScopes?: (requested: string[]) => string[];
  /** The user who logs in and consents (default `support@example.test`). */
  accountId?: string;
}

/** The provider as the connect-flow tests use it: one app registration, PKCE required, an auto-consenting user. */
export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** How many refresh_token grants the token endpoint answered with new tokens. */
  refreshCount(): number;
  /** Follows an authorization URL through login and consent (both automatic) to the redirect back; returns that URL. */
  consent(authorizationUrl: string): Promise<URL>;
  /** Withdraws every grant the test user gave: their refresh tokens stop working (consent revoked). */
  revokeAll(): Promise<void>;
  /** Asks the introspection endpoint whether an access token is active. */
  introspect(token: string): Promise<{ active: boolean; scope?: string }>;
  close(): Promise<void>;
}

/**
 * The same provider for the connect-flow tests: a fixed client secret, PKCE required, a refresh token
 * only with `offline_access`, refresh tokens rotated (a reused one revokes the grant).
 */
export async function startTestProvider(opts: TestProviderOptions): Promise<TestProvider> {
  const provider = await startOAuthProvider({
    users: [opts.accountId ?? 'support@example.test'],
    redirectUris: [opts.redirectUri],
    accessTokenTtlSeconds: opts.accessTokenTtl ?? 3600,
    clientSecret: opts.clientSecret ?? 'test-client-secret-0123456789',
    pkceRequired: true,
    refreshTokenNeedsOfflineAccess: true,
    ...(opts.clientId ? { clientId: opts.clientId } : {}),
  });
  if (opts.grantScopes) provider.setConsent(opts.grantScopes);
  return {
    issuer: provider.issuer,
    clientId: provider.client.id,
    clientSecret: provider.client.secret,
    refreshCount: () => provider.refreshCount(),
    consent: (url) => provider.consent(url),
    revokeAll: () => provider.revokeConsent(),
    introspect: (token) => provider.introspect(token),
    close: () => provider.close(),
  };
}
