import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import { parseObjectId } from '../access.js';

/** The poller's error code of an inbox whose OAuth2 grant is lost. */
export const RECONNECT_NEEDED_CODE = 'MAIL_RECONNECT_NEEDED';

/** Why an inbox needs reconnecting: the provider's error code and words, as its grant recorded them. */
export interface ReconnectReason {
  code: string;
  description: string | null;
}

/**
 * The provider's reasons of the inboxes (ids) whose OAuth2 login needs reconnecting, by inbox id;
 * an inbox whose grant recorded none (or has no grant any more) is left out. One query for the list.
 */
export async function reconnectReasons(deps: { oauthGrants: Pick<OAuthGrantStore, 'listByInboxes'> }, inboxIds: readonly string[]): Promise<Map<string, ReconnectReason>> {
  const ids = inboxIds.map((id) => parseObjectId(id)).filter((id) => id !== null);
  if (ids.length === 0) return new Map();
  const grants = await deps.oauthGrants.listByInboxes(ids);
  return new Map(grants.filter((g) => g.lastError).map((g) => [g.inboxId.toHexString(), { code: g.lastError!.code, description: g.lastError!.description ?? null }]));
}
