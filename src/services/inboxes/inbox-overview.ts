import type { InboxStore } from '../../store/inbox-store.js';
import type { InboxTicketCounts, TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { listInboxes } from './list-inboxes.js';
import type { InboxStatusView } from './inbox-view.js';

/** An inbox on the overview page: its counts and its poller's health. */
export interface InboxOverview {
  id: string;
  name: string;
  address: string;
  status: InboxStatusView;
  counts: InboxTicketCounts;
}

/**
 * Every inbox the actor may see with its ticket counts. Each count is one indexed countDocuments on
 * (inboxId, …), cheap for the handful of inboxes a team has.
 */
export async function inboxOverview(
  deps: { inboxes: Pick<InboxStore, 'listByName' | 'statusesOf'>; tickets: Pick<TicketStore, 'countForOverview'>; now: () => Date },
  actor: Actor,
): Promise<InboxOverview[]> {
  const inboxes = await listInboxes(deps, actor);
  const now = deps.now();
  return Promise.all(
    inboxes.map(async (inbox) => {
      const counts = await deps.tickets.countForOverview(inbox.id, { userId: actor.userId, now });
      return { id: inbox.id, name: inbox.name, address: inbox.address, status: inbox.status, counts };
    }),
  );
}
