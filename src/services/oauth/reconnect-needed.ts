import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';

/** What admins are told when an inbox's OAuth2 login stops working. */
export interface ReconnectAlert {
  inboxId: Types.ObjectId;
  error: { code: string; description: string | null };
  at: Date;
}

/** How admins are told an inbox needs reconnecting (the composition root passes the channel). */
export type AlertAdmins = (alert: ReconnectAlert) => Promise<void>;

/** What marking an inbox "reconnect needed" needs. */
export interface ReconnectNeededDeps {
  oauthGrants: Pick<OAuthGrantStore, 'markReconnectNeeded' | 'setNotified'>;
  alertAdmins: AlertAdmins;
  now: () => Date;
}

/** The error every caller gets once an inbox needs reconnecting: the provider's words in it. */
export function reconnectNeededError(error: { code: string; description?: string | null } | null | undefined): AppError {
  const code = error?.code ?? 'invalid_grant';
  const description = error?.description ?? '';
  return new AppError('MAIL_RECONNECT_NEEDED', `The inbox's OAuth2 login no longer works (${code}${description ? `: ${description}` : ''}): an admin must connect it again`, {
    details: { error: code, description: description || null },
    key: 'oauth.reconnectNeeded',
    params: { error: code, description },
  });
}

/**
 * Marks generation `version` of an inbox's login "reconnect needed" with the provider's error and,
 * for the one call that made the change, tells the admins (once per loss of the grant, however many
 * processes and retries run into it). Returns the error to throw.
 */
export async function markReconnectNeeded(deps: ReconnectNeededDeps, inboxId: Types.ObjectId, version: number, error: { code: string; description: string | null }): Promise<AppError> {
  const at = deps.now();
  if (await deps.oauthGrants.markReconnectNeeded(inboxId, version, { ...error, at })) {
    await deps.alertAdmins({ inboxId, error, at });
    await deps.oauthGrants.setNotified(inboxId, at);
  }
  return reconnectNeededError(error);
}
