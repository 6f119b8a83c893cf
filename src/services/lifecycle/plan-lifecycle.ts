import type { Types } from 'mongoose';
import { lifecycleJobKey, lifecycleSettingsOf, nextLifecycleStep } from '../../domain/lifecycle.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { JobScheduler } from '../ports.js';

/** A ticket's next lifecycle step (auto-close or pending reminder): one job per ticket, keyed by the step and its due time. */
export const LIFECYCLE_JOB = 'ticket-lifecycle';
/** A snoozed ticket's wake-up at its snooze time: one job per ticket, keyed by the snooze. */
export const SNOOZE_WAKE_JOB = 'snooze-wake';

/** What planning the lifecycle jobs needs. */
export interface PlanLifecycleDeps {
  tickets: Pick<TicketStore, 'listLifecycleByIds'>;
  inboxes: Pick<InboxStore, 'listLifecycleByIds'>;
  scheduler: JobScheduler;
}

/**
 * Makes the lifecycle jobs of these tickets match their state, as the SLA timers are planned: a
 * solved ticket's auto-close, a pending ticket's reminder (domain/lifecycle.ts nextLifecycleStep, with
 * its inbox's settings), a snoozed ticket's wake-up at its snooze time; any other job of theirs is
 * removed (reopened, answered, woken, merged), and a job already due at the wanted time is left alone.
 * Called after every change of status or snooze; never a sweep over all tickets. One read of the
 * tickets, one of their inboxes, one replacement per job name.
 */
export async function planLifecycle(deps: PlanLifecycleDeps, ticketIds: readonly Types.ObjectId[]): Promise<void> {
  if (ticketIds.length === 0) return;
  const tickets = await deps.tickets.listLifecycleByIds(ticketIds);
  const inboxIds = [...new Set(tickets.map((t) => t.inboxId.toHexString()))];
  const inboxes = inboxIds.length > 0 ? await deps.inboxes.listLifecycleByIds(inboxIds) : [];
  const settings = new Map(inboxes.map((i) => [i._id.toHexString(), lifecycleSettingsOf(i)]));
  const steps = tickets.flatMap((t) => {
    const inbox = settings.get(t.inboxId.toHexString());
    const step = inbox ? nextLifecycleStep(t, inbox) : null;
    const id = t._id.toHexString();
    return step ? [{ key: lifecycleJobKey(id, step), at: step.at, data: { ticketId: id } }] : [];
  });
  const wakes = tickets.flatMap((t) => {
    const until = t.snoozed && !t.mergedIntoId ? t.snooze?.until : null;
    const id = t._id.toHexString();
    return until && t.snooze ? [{ key: `${id}:${t.snooze.at.getTime()}`, at: until, data: { ticketId: id } }] : [];
  });
  const ids = ticketIds.map((id) => id.toHexString());
  await deps.scheduler.replaceMatching(LIFECYCLE_JOB, 'ticketId', ids, steps);
  await deps.scheduler.replaceMatching(SNOOZE_WAKE_JOB, 'ticketId', ids, wakes);
}

/** What the follow-up of an agent's change needs. */
export type AfterAgentActionDeps = PlanLifecycleDeps & { tickets: Pick<TicketStore, 'clearSnoozeMark'> };

/**
 * The lifecycle follow-up of an agent's change to a ticket (a reply, a note, a change of status,
 * assignee or anything else, a merge): someone acted on it, so its "back from snooze" mark goes; and
 * its lifecycle jobs follow its new state (solving plans the auto-close, pending the reminder).
 */
export async function afterAgentAction(deps: AfterAgentActionDeps, ticketId: Types.ObjectId): Promise<void> {
  await deps.tickets.clearSnoozeMark(ticketId);
  await planLifecycle(deps, [ticketId]);
}

/** The follow-up as use cases take it: bound to its dependencies by the composition root (absent: none). */
export type AgentActionFollowUp = (ticketId: Types.ObjectId) => Promise<void>;

/**
 * Plans the lifecycle jobs of the tickets stored before lifecycle automation (solved or pending at
 * the upgrade, listed by migration 5), a batch at a time, taking each off the list once planned; the
 * job worker runs it at start-up, when the list is empty after the first time. Returns how many it planned.
 */
export async function planLifecycleBackfill(deps: PlanLifecycleDeps & { tickets: Pick<TicketStore, 'listLifecycleBackfill' | 'dropLifecycleBackfill'> }, batch = 200): Promise<number> {
  let planned = 0;
  for (;;) {
    const ids = await deps.tickets.listLifecycleBackfill(batch);
    if (ids.length === 0) return planned;
    await planLifecycle(deps, ids);
    await deps.tickets.dropLifecycleBackfill(ids);
    planned += ids.length;
  }
}
