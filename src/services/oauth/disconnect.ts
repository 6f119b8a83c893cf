import { AppError } from '../../domain/errors.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';

/**
 * Disconnects an inbox from its OAuth2 provider (admins only): the registration and the tokens are
 * deleted, and the inbox logs in with its passwords again. Revoking Threadline's access at the provider
 * is left to the provider's own page (the README says where).
 */
export async function disconnectOAuth(deps: { oauthGrants: Pick<OAuthGrantStore, 'removeByInbox'> }, actor: Actor, inboxIdText: string): Promise<{ removed: boolean }> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can disconnect inboxes', { key: 'forbidden.adminOnly' });
  const inboxId = parseObjectId(inboxIdText);
  if (!inboxId) throw notFound('Inbox');
  return { removed: Boolean(await deps.oauthGrants.removeByInbox(inboxId)) };
}
