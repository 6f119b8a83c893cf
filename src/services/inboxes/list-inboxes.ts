import type { InboxStore } from '../../store/inbox-store.js';
import { inboxScope, type Actor } from '../access.js';
import { toInboxView, type InboxView } from './inbox-view.js';

/** The inboxes the actor may see, by name, each with its poller status. */
export async function listInboxes(deps: { inboxes: Pick<InboxStore, 'listByName' | 'statusesOf'> }, actor: Actor): Promise<InboxView[]> {
  const scope = inboxScope(actor);
  const inboxes = await deps.inboxes.listByName(scope?.$in);
  const statuses = await deps.inboxes.statusesOf(inboxes.map((i) => i._id));
  return inboxes.map((inbox) => toInboxView(inbox, statuses.get(inbox._id.toHexString()), actor));
}
