import type { TicketStore } from '../../store/ticket-store.js';
import { AUTO_REPLY_JOB } from '../auto-reply/send-auto-reply.js';
import { ROUTING_JOB } from '../routing/apply-routing.js';
import { notifyReceivedMail, type NotifyReceivedMailDeps } from '../notifications/notify-received-mail.js';
import { planLifecycle, type PlanLifecycleDeps } from '../lifecycle/plan-lifecycle.js';
import { wakeOnCustomerReply } from '../lifecycle/snooze-ticket.js';
import { refreshSlaMany, type SlaDeps } from '../sla/refresh-sla.js';
import type { IngestFollowUp } from './ingest-ports.js';

/** What the follow-up work of received mail needs: the SLA use case's dependencies (its scheduler queues the acknowledgements too), and starting next-response clocks. */
export type IngestFollowUpDeps = SlaDeps & NotifyReceivedMailDeps & {
  tickets: Pick<TicketStore, 'startAwaiting' | 'listLifecycleByIds' | 'wakeSnoozed'>;
  inboxes: PlanLifecycleDeps['inboxes'];
};

/**
 * The follow-up work of the tickets a batch of received mail reached, once per ticket: a ticket a
 * person wrote to now waits for our answer, so its next-response clock starts (unless it already
 * runs); every ticket's SLA timers are brought up to date together; each new ticket gets its
 * acknowledgement queued (the auto-reply job decides whether to send it); a snoozed ticket a person
 * wrote to comes back (marked), and every ticket's lifecycle jobs follow its new status (a reply
 * reopens a solved ticket and answers a pending one: their auto-close or reminder goes). Idempotent,
 * as a batch cut before its completion marks runs it again. The routing rules run in a job per
 * received mail (services/routing/apply-routing.ts). Last, the people concerned are notified
 * (notifyReceivedMail).
 */
export async function followUpIngest(deps: IngestFollowUpDeps, tickets: readonly IngestFollowUp[]): Promise<void> {
  const awaiting = tickets.filter((t) => t.awaitingReply).map((t) => t.ticketId);
  if (awaiting.length > 0) {
    await deps.tickets.startAwaiting(awaiting, deps.now());
  }
  await refreshSlaMany(deps, tickets.map((t) => t.ticketId));
  await wakeOnCustomerReply(deps, awaiting, deps.now());
  await planLifecycle(deps, tickets.map((t) => t.ticketId));
  // The routing rules run for a new ticket's first mail and for each customer reply (rules opt in to replies), in a job of
  // their own keyed by the mail, so the mailbox never waits on them; the acknowledgement does not depend on routing.
  for (const t of tickets) for (const m of [...(t.openedBy ? [t.openedBy] : []), ...(t.replies ?? [])]) await deps.scheduler.schedule(ROUTING_JOB, { key: m.toHexString() });
  for (const t of tickets) if (t.openedBy) await deps.scheduler.schedule(AUTO_REPLY_JOB, { key: t.openedBy.toHexString() });
  // Who hears of it (a new ticket's team, a replied ticket's assignee): a failure costs the notifications, never the mail.
  await notifyReceivedMail(deps, tickets).catch((err: unknown) => deps.logger.warn({ err }, 'could not record the notifications of received mail'));
}
