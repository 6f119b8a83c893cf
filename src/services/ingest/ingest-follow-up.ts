import type { TicketStore } from '../../store/ticket-store.js';
import { AUTO_REPLY_JOB } from '../auto-reply/send-auto-reply.js';
import { refreshSlaMany, type SlaDeps } from '../sla/refresh-sla.js';
import type { IngestFollowUp } from './ingest-ports.js';

/** What the follow-up work of received mail needs: the SLA use case's dependencies (its scheduler queues the acknowledgements too), and starting next-response clocks. */
export type IngestFollowUpDeps = SlaDeps & { tickets: Pick<TicketStore, 'startAwaiting'> };

/**
 * The follow-up work of the tickets a batch of received mail reached, once per ticket: a ticket a
 * person wrote to now waits for our answer, so its next-response clock starts (unless it already
 * runs); every ticket's SLA timers are brought up to date together; each new ticket gets its
 * acknowledgement queued (the auto-reply job decides whether to send it). Idempotent, as a batch cut
 * before its completion marks runs it again.
 */
export async function followUpIngest(deps: IngestFollowUpDeps, tickets: readonly IngestFollowUp[]): Promise<void> {
  const awaiting = tickets.filter((t) => t.awaitingReply).map((t) => t.ticketId);
  if (awaiting.length > 0) {
    await deps.tickets.startAwaiting(awaiting, deps.now());
  }
  await refreshSlaMany(deps, tickets.map((t) => t.ticketId));
  for (const t of tickets) if (t.openedBy) await deps.scheduler.schedule(AUTO_REPLY_JOB, { key: t.openedBy.toHexString() });
}
