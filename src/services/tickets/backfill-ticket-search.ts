import type { Types } from 'mongoose';
import { slaNextDueAt } from '../../domain/sla-due.js';
import { ticketSearchTerms } from '../../domain/ticket-search.js';
import type { Models } from '../../store/models/index.js';
import type { TicketDoc } from '../../store/models/ticket.js';

/**
 * Fills `searchTerms` and `sla.nextDueAt` on tickets stored before the list had search and the
 * "due soon" filter. Walks `_id` order in batches, so each batch is an index range and not a rescan;
 * idempotent, and once everything is filled a run costs one empty query. Returns how many it filled.
 */
export async function backfillTicketSearch(deps: { models: Pick<Models, 'Ticket'> }, batchSize = 500): Promise<number> {
  let after: Types.ObjectId | null = null;
  let filled = 0;
  for (;;) {
    const batch: Array<Pick<TicketDoc, '_id' | 'subject' | 'requester' | 'status' | 'sla'>> = await deps.models.Ticket.find({ ...(after ? { _id: { $gt: after } } : {}), searchTerms: { $exists: false } })
      .select({ subject: 1, requester: 1, status: 1, sla: 1 })
      .sort({ _id: 1 })
      .limit(batchSize)
      .lean();
    const last = batch[batch.length - 1];
    if (!last) return filled;
    await deps.models.Ticket.bulkWrite(
      batch.map((t) => ({
        updateOne: {
          filter: { _id: t._id, searchTerms: { $exists: false } },
          update: { $set: { searchTerms: ticketSearchTerms(t), 'sla.nextDueAt': slaNextDueAt(t) } },
        },
      })),
      { ordered: false },
    );
    filled += batch.length;
    after = last._id;
  }
}
