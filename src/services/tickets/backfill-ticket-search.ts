import type { Types } from 'mongoose';
import { slaNextDueAt } from '../../domain/sla-due.js';
import { ticketSearchTerms } from '../../domain/ticket-search.js';
import type { TicketStore } from '../../store/ticket-store.js';

/**
 * Fills `searchTerms` and `sla.nextDueAt` on tickets stored before the list had search and the
 * "due soon" filter. Walks `_id` order in batches, so each batch is an index range and not a rescan;
 * idempotent, and once everything is filled a run costs one empty query. Returns how many it filled.
 */
export async function backfillTicketSearch(deps: { tickets: Pick<TicketStore, 'listMissingSearch' | 'fillSearch'> }, batchSize = 500): Promise<number> {
  let after: Types.ObjectId | null = null;
  let filled = 0;
  for (;;) {
    const batch = await deps.tickets.listMissingSearch(after, batchSize);
    const last = batch[batch.length - 1];
    if (!last) return filled;
    await deps.tickets.fillSearch(batch.map((t) => ({ id: t._id, searchTerms: ticketSearchTerms(t), nextDueAt: slaNextDueAt(t) })));
    filled += batch.length;
    after = last._id;
  }
}
