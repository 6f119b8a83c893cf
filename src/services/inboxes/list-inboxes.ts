import type { Models } from '../../store/models/index.js';
import { inboxScope, type Actor } from '../access.js';
import { loadInboxStatuses, toInboxView, type InboxView } from './inbox-view.js';

/** The inboxes the actor may see, by name, each with its poller status. */
export async function listInboxes(deps: { models: Pick<Models, 'Inbox' | 'InboxStatus'> }, actor: Actor): Promise<InboxView[]> {
  const scope = inboxScope(actor);
  const inboxes = await deps.models.Inbox.find(scope ? { _id: scope } : {}).sort({ name: 1, _id: 1 }).lean();
  const statuses = await loadInboxStatuses(deps.models.InboxStatus, inboxes.map((i) => i._id));
  return inboxes.map((inbox) => toInboxView(inbox, statuses.get(inbox._id.toHexString()), actor));
}
