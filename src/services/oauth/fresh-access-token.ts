import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { grantIsGone, needsRefresh, REFRESH_LEASE_MS, tokenExpiry } from '../../domain/oauth.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import { notFound } from '../access.js';
import { oauthErrorCode, type OAuthEndpoint } from './oauth-endpoint.js';
import { openOAuthSecret, registrationOf, sealOAuthSecret } from './oauth-secrets.js';
import { markReconnectNeeded, reconnectNeededError, type ReconnectNeededDeps } from './reconnect-needed.js';

/** What keeping an access token fresh needs. */
export interface FreshTokenDeps extends ReconnectNeededDeps {
  oauthGrants: ReconnectNeededDeps['oauthGrants'] & Pick<OAuthGrantStore, 'findByInbox' | 'takeRefreshLease' | 'saveRefreshed' | 'releaseRefreshLease'>;
  secrets: SecretBox;
  oauth: OAuthEndpoint;
  /** How long to wait between looks while another process refreshes (default 100 ms). */
  sleep?: (ms: number) => Promise<void>;
  /** REFRESH_LEASE_MS by default. */
  leaseMs?: number;
}

/** An access token and the generation of the login it belongs to. */
export interface FreshToken {
  accessToken: string;
  expiresAt: Date;
  version: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An inbox's access token, valid for at least a minute more. A token near its expiry (or, with
 * `refusedVersion`, the token of that generation a server refused) is refreshed by ONE process at a
 * time: it claims a lease on the login's generation, asks the token endpoint, and saves the result
 * compare-and-set over the generation it started from; the others wait and take its result, so a
 * rotated refresh token is never used twice nor overwritten by an older one. A grant the provider no
 * longer honours (`invalid_grant`, …) marks the inbox "reconnect needed" and throws
 * MAIL_RECONNECT_NEEDED; other failures (network, provider down) throw OAUTH_FAILED and change nothing.
 */
export async function freshAccessToken(deps: FreshTokenDeps, inboxId: Types.ObjectId, opts: { refusedVersion?: number } = {}): Promise<FreshToken> {
  const sleep = deps.sleep ?? defaultSleep;
  const leaseMs = deps.leaseMs ?? REFRESH_LEASE_MS;
  const giveUpAt = deps.now().getTime() + leaseMs * 2;
  for (;;) {
    const grant = await deps.oauthGrants.findByInbox(inboxId);
    if (!grant) throw notFound('OAuth2 login');
    if (grant.state !== 'connected' || !grant.refreshTokenSealed) throw reconnectNeededError(grant.lastError ?? { code: 'not_connected' });
    const now = deps.now();
    const refused = opts.refusedVersion !== undefined && grant.version <= opts.refusedVersion;
    if (!refused && grant.accessTokenSealed && !needsRefresh(grant.accessExpiresAt, now)) {
      return { accessToken: openOAuthSecret(deps.secrets, inboxId, 'access-token', grant.accessTokenSealed), expiresAt: grant.accessExpiresAt!, version: grant.version };
    }
    const owner = randomUUID();
    const leased = await deps.oauthGrants.takeRefreshLease(inboxId, grant.version, owner, now, new Date(now.getTime() + leaseMs));
    if (!leased) {
      // Another process is refreshing this generation (or just did): wait for its result.
      if (deps.now().getTime() > giveUpAt) throw reconnectNeededError({ code: 'temporarily_unavailable', description: 'another process holds the refresh' });
      await sleep(100);
      continue;
    }
    const refreshToken = openOAuthSecret(deps.secrets, inboxId, 'refresh-token', leased.refreshTokenSealed!);
    let tokens;
    try {
      tokens = await deps.oauth.refresh(registrationOf(deps.secrets, leased), refreshToken);
    } catch (err) {
      const code = oauthErrorCode(err);
      if (code && grantIsGone(code)) {
        const description = (err as { details?: { description?: string | null } }).details?.description ?? null;
        throw await markReconnectNeeded(deps, inboxId, leased.version, { code, description });
      }
      await deps.oauthGrants.releaseRefreshLease(inboxId, owner);
      throw err;
    }
    const at = deps.now();
    const expiresAt = tokenExpiry(at, tokens.expiresIn);
    const saved = await deps.oauthGrants.saveRefreshed(inboxId, leased.version, {
      accessTokenSealed: sealOAuthSecret(deps.secrets, inboxId, 'access-token', tokens.accessToken),
      accessExpiresAt: expiresAt,
      // Rotation: the provider's new refresh token replaces ours; without one ours stays valid.
      ...(tokens.refreshToken ? { refreshTokenSealed: sealOAuthSecret(deps.secrets, inboxId, 'refresh-token', tokens.refreshToken) } : {}),
    });
    if (saved) return { accessToken: tokens.accessToken, expiresAt, version: leased.version + 1 };
    // Another write came first (our lease ran out): its generation is the newer one; use it.
  }
}
