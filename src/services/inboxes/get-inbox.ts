import type { Models } from '../../store/models/index.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { toInboxView, type InboxView } from './inbox-view.js';

/** One inbox with its poller status; NOT_FOUND when it does not exist or is not the actor's. */
export async function getInbox(deps: { models: Pick<Models, 'Inbox' | 'InboxStatus'> }, actor: Actor, inboxId: string): Promise<InboxView> {
  const id = parseObjectId(inboxId);
  if (!id || !canSeeInbox(actor, id)) throw notFound('Inbox');
  const inbox = await deps.models.Inbox.findById(id).lean();
  if (!inbox) throw notFound('Inbox');
  return toInboxView(inbox, await deps.models.InboxStatus.findById(id).lean(), actor);
}
