import type { InboxStore } from '../../store/inbox-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { toInboxView, type InboxView } from './inbox-view.js';

/** One inbox with its poller status; NOT_FOUND when it does not exist or is not the actor's. */
export async function getInbox(deps: { inboxes: Pick<InboxStore, 'findById' | 'findStatus'> }, actor: Actor, inboxId: string): Promise<InboxView> {
  const id = parseObjectId(inboxId);
  if (!id || !canSeeInbox(actor, id)) throw notFound('Inbox');
  const inbox = await deps.inboxes.findById(id);
  if (!inbox) throw notFound('Inbox');
  return toInboxView(inbox, await deps.inboxes.findStatus(id), actor);
}
