import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import { notFound } from '../access.js';
import { inboxPasswordContext } from '../inboxes/inbox-secrets.js';
import type { MailAccountKind, MailLogin, MailLoginSource } from './access-token.js';
import { freshAccessToken, type FreshTokenDeps } from './fresh-access-token.js';
import { markReconnectNeeded } from './reconnect-needed.js';

/** How many handed-out tokens the source remembers the generation of (a few per connected inbox). */
const TOKENS_KEPT = 1000;

/** What the login source needs. */
export interface MailLoginDeps extends FreshTokenDeps {
  inboxes: Pick<InboxStore, 'findById'>;
  oauthGrants: FreshTokenDeps['oauthGrants'] & Pick<OAuthGrantStore, 'findByInbox'>;
}

/**
 * The MailLoginSource of the mail adapters: an inbox without an OAuth2 login logs in with its sealed
 * passwords; one with it logs in as the account's user (the inbox's IMAP user, else its address) with
 * a fresh access token. After a server refused a token, the source refreshes ONCE per account and
 * generation: if the server refuses the token that refresh gave, the inbox is marked "reconnect
 * needed" (admins told once) rather than refreshed again. It remembers which generation each token it
 * handed out belongs to (and the last one per account), so a refusal of an older token (another
 * caller or the other account already refreshed) just hands out the newer one. One source per process,
 * shared by the poller, outbound delivery and the connection test.
 */
export function createMailLoginSource(deps: MailLoginDeps): MailLoginSource {
  /** `<inbox>:<account>` → the generation last handed out, and the one a refusal refreshed to. */
  const given = new Map<string, number>();
  const retried = new Map<string, number>();
  /** Access token → its generation, for the last TOKENS_KEPT tokens handed out. */
  const tokens = new Map<string, number>();
  const remember = (key: string, token: { accessToken: string; version: number }) => {
    given.set(key, token.version);
    tokens.delete(token.accessToken);
    tokens.set(token.accessToken, token.version);
    if (tokens.size > TOKENS_KEPT) tokens.delete(tokens.keys().next().value!);
  };
  const keyOf = (inboxId: Types.ObjectId, account: MailAccountKind) => `${inboxId.toHexString()}:${account}`;

  const userOf = async (inboxId: Types.ObjectId, account: MailAccountKind) => {
    const inbox = await deps.inboxes.findById(inboxId);
    if (!inbox) throw notFound('Inbox');
    return { inbox, user: inbox[account].user || inbox.imap.user || inbox.address };
  };

  const oauthLogin = (user: string, token: { accessToken: string; expiresAt: Date }): MailLogin => ({ kind: 'oauth2', user, accessToken: token.accessToken, expiresAt: token.expiresAt });

  return {
    async loginFor(inboxId, account) {
      const { inbox, user } = await userOf(inboxId, account);
      const grant = await deps.oauthGrants.findByInbox(inboxId);
      if (!grant) {
        const sealed = inbox[account].passwordSealed;
        return { kind: 'password', user: inbox[account].user ?? '', pass: sealed ? deps.secrets.open(sealed, inboxPasswordContext(inboxId, account)) : '' };
      }
      const token = await freshAccessToken(deps, inboxId);
      remember(keyOf(inboxId, account), token);
      return oauthLogin(user, token);
    },

    async afterAuthFailure(inboxId, account, serverText, refusedToken) {
      const { user } = await userOf(inboxId, account);
      const grant = await deps.oauthGrants.findByInbox(inboxId);
      if (!grant) throw new AppError(account === 'imap' ? 'IMAP_AUTH_FAILED' : 'DELIVERY_FAILED', serverText);
      const key = keyOf(inboxId, account);
      const refusedVersion = (refusedToken === undefined ? undefined : tokens.get(refusedToken)) ?? given.get(key) ?? grant.version;
      if (grant.state === 'connected' && grant.version > refusedVersion) {
        // The refused token is older than the stored one: try the stored one first.
        const token = await freshAccessToken(deps, inboxId);
        remember(key, token);
        return oauthLogin(user, token);
      }
      if (retried.get(key) === refusedVersion) {
        // Refreshed once already because of a refusal, and refused again: the grant does not give mail access.
        throw await markReconnectNeeded(deps, inboxId, refusedVersion, { code: 'auth_failed', description: serverText.slice(0, 300) || null });
      }
      const token = await freshAccessToken(deps, inboxId, { refusedVersion });
      remember(key, token);
      retried.set(key, token.version);
      return oauthLogin(user, token);
    },
  };
}
