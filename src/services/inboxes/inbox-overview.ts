import type { QueryFilter } from 'mongoose';
import type { Models } from '../../store/models/index.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { Actor } from '../access.js';
import { listInboxes } from './list-inboxes.js';
import type { InboxStatusView } from './inbox-view.js';

/** Tickets still waiting on someone; solved and closed ones no longer count anywhere. */
export const ACTIVE_STATUSES = ['new', 'open', 'pending'] as const;

/** An inbox on the overview page: its counts and its poller's health. */
export interface InboxOverview {
  id: string;
  name: string;
  address: string;
  status: InboxStatusView;
  counts: { unassigned: number; mine: number; open: number; pending: number; breaching: number };
}

/** A filter for active tickets with an SLA breached or a due time already past. */
export function breachingFilter(now: Date): QueryFilter<TicketDoc> {
  return {
    status: { $in: [...ACTIVE_STATUSES] },
    $or: [
      { 'sla.breachedAt': { $ne: null } },
      { 'sla.firstResponseDueAt': { $lt: now }, 'sla.firstRespondedAt': null },
      { 'sla.nextResponseDueAt': { $lt: now } },
      { 'sla.resolutionDueAt': { $lt: now } },
    ],
  };
}

/**
 * Every inbox the actor may see with its ticket counts. Each count is one indexed countDocuments on
 * (inboxId, …), cheap for the handful of inboxes a team has.
 */
export async function inboxOverview(
  deps: { models: Pick<Models, 'Inbox' | 'InboxStatus' | 'Ticket'>; now: () => Date },
  actor: Actor,
): Promise<InboxOverview[]> {
  const inboxes = await listInboxes(deps, actor);
  const now = deps.now();
  const active = { $in: [...ACTIVE_STATUSES] };
  return Promise.all(
    inboxes.map(async (inbox) => {
      const base = { inboxId: inbox.id, mergedIntoId: null };
      const count = (filter: QueryFilter<TicketDoc>) => deps.models.Ticket.countDocuments({ ...base, ...filter });
      const [unassigned, mine, open, pending, breaching] = await Promise.all([
        count({ status: active, assigneeId: null }),
        actor.userId ? count({ status: active, assigneeId: actor.userId }) : Promise.resolve(0),
        count({ status: { $in: ['new', 'open'] } }),
        count({ status: 'pending' }),
        count(breachingFilter(now)),
      ]);
      return { id: inbox.id, name: inbox.name, address: inbox.address, status: inbox.status, counts: { unassigned, mine, open, pending, breaching } };
    }),
  );
}
