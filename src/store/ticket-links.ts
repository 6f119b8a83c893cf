import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import { recordEvents } from './ticket-writes.js';

/** Two tickets that a received mail links but that must stay apart (they belong to different inboxes). */
export interface TicketRelation {
  ticketId: Types.ObjectId;
  otherId: Types.ObjectId;
  at: Date;
  reason: string;
}

/**
 * Relates each pair both ways: each ticket lists the other in `linkedTicketIds`, and each trail gets
 * one `related` event naming the other ticket (at most one per pair, however many mails link them).
 * Nothing moves between the tickets. Idempotent, so a retried batch converges.
 */
export async function relateTickets(models: Pick<Models, 'Ticket' | 'TicketEvent'>, relations: readonly TicketRelation[]): Promise<void> {
  const pairs = relations.filter((r) => !r.ticketId.equals(r.otherId));
  if (pairs.length === 0) return;
  const ids = pairs.flatMap((r) => [r.ticketId, r.otherId]);
  const tickets = new Map((await models.Ticket.find({ _id: { $in: ids } }, { number: 1, inboxId: 1 }).lean()).map((t) => [t._id.toHexString(), t]));
  const sides = pairs.flatMap((r) => [
    { trail: r.ticketId, other: r.otherId, at: r.at, reason: r.reason },
    { trail: r.otherId, other: r.ticketId, at: r.at, reason: r.reason },
  ]);
  await models.Ticket.bulkWrite(
    sides.map((s) => ({ updateOne: { filter: { _id: s.trail }, update: { $addToSet: { linkedTicketIds: s.other } } } })),
    { ordered: false },
  );
  await recordEvents(
    models,
    sides.flatMap((s) => {
      const other = tickets.get(s.other.toHexString());
      if (!other || !tickets.has(s.trail.toHexString())) return [];
      return [{
        ticketId: s.trail,
        type: 'related' as const,
        actor: { kind: 'system' as const, label: 'threading' },
        at: s.at,
        data: { ticketId: s.other, number: other.number, inboxId: other.inboxId, reason: s.reason },
        key: `related:${s.trail.toHexString()}>${s.other.toHexString()}`,
      }];
    }),
  );
}
