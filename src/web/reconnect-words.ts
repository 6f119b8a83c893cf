import type { Translator } from '../i18n/catalog.js';
import { oauthErrorWords } from '../services/oauth/oauth-view.js';
import { RECONNECT_NEEDED_CODE, reconnectReasons, type ReconnectReason } from '../services/oauth/reconnect-reasons.js';
import type { OAuthGrantStore } from '../store/oauth-grant-store.js';

/** "Reconnect needed: …" of an inbox, and for admins the link to its sign-in settings. */
export interface ReconnectNote {
  text: string;
  url: string | null;
}

/**
 * The words of an inbox that needs reconnecting: the provider's reason in the catalog's words
 * (admins also read the provider's own description and get a link to the OAuth2 tab).
 */
export function reconnectNote(inboxId: string, reason: ReconnectReason | undefined, t: Translator['t'], admin: boolean): ReconnectNote {
  const words = reason ? oauthErrorWords(admin ? reason : { code: reason.code, description: null }, t) : t('settings:inbox.reconnect.noDetail');
  return { text: t('settings:inbox.reconnect.needed', { words }), url: admin ? `/settings/inboxes/${encodeURIComponent(inboxId)}/oauth` : null };
}

/** Whether an inbox's poller status says its OAuth2 login needs reconnecting. */
export function needsReconnect(status: unknown): boolean {
  const lastError = status && typeof status === 'object' && 'lastError' in status ? (status as { lastError?: { code?: string } | null }).lastError : null;
  return lastError?.code === RECONNECT_NEEDED_CODE;
}

/** The notes of the inboxes of a list that need reconnecting, by inbox id (one query). */
export async function reconnectNotes(
  grants: Pick<OAuthGrantStore, 'listByInboxes'>,
  inboxes: ReadonlyArray<{ id: string; status: unknown }>,
  t: Translator['t'],
  admin: boolean,
): Promise<Map<string, ReconnectNote>> {
  const ids = inboxes.filter((inbox) => needsReconnect(inbox.status)).map((inbox) => inbox.id);
  const reasons = await reconnectReasons({ oauthGrants: grants }, ids);
  return new Map(ids.map((id) => [id, reconnectNote(id, reasons.get(id), t, admin)]));
}
