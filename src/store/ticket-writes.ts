import type { Types } from 'mongoose';
import type { TicketStatus } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import type { TicketEventDoc } from './models/ticket-event.js';

type EventInput = Pick<TicketEventDoc, 'ticketId' | 'type' | 'actor' | 'data' | 'at'> & { key?: string };

/** Appends to a ticket's trail; with a key, a retried step does not record the same event twice. */
export async function recordEvent(models: Models, event: EventInput): Promise<void> {
  await recordEvents(models, [event]);
}

/** Appends several events in one round trip; keyed events already recorded are skipped. */
export async function recordEvents(models: Models, events: EventInput[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await models.TicketEvent.insertMany(events, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
    const codes = writeErrors?.map((e) => e.code ?? e.err?.code) ?? [(err as { code?: number }).code];
    if (!codes.every((c) => c === 11000)) throw err;
  }
}

/** Follows `mergedIntoId` to the ticket that now holds the conversation. */
export async function mergeRootOf(models: Models, ticketId: Types.ObjectId): Promise<Types.ObjectId> {
  let current = ticketId;
  for (let hops = 0; hops < 20; hops++) {
    const t = await models.Ticket.findById(current, { mergedIntoId: 1 }).lean();
    if (!t?.mergedIntoId) return current;
    current = t.mergedIntoId;
  }
  return current;
}

/**
 * Recomputes what a ticket derives from its messages (count, participants, last activity), so that
 * re-running an interrupted ingest converges instead of counting a message twice.
 */
export async function refreshTicketStats(models: Models, ticketId: Types.ObjectId): Promise<void> {
  const [stats] = await models.Message.aggregate<{ count: number; last: Date | null }>([
    { $match: { ticketId, direction: { $in: ['inbound', 'outbound'] } } },
    { $group: { _id: null, count: { $sum: 1 }, last: { $max: '$createdAt' } } },
  ]);
  await models.Ticket.updateOne(
    { _id: ticketId },
    { $set: { messageCount: stats?.count ?? 0 }, ...(stats?.last ? { $max: { lastActivityAt: stats.last } } : {}) },
  );
}

/**
 * Moves every message of `fromId` into `intoId` and closes `fromId` as merged, recording it on both
 * trails. Idempotent: merging an already merged pair changes nothing.
 */
export async function mergeTickets(models: Models, opts: { intoId: Types.ObjectId; fromId: Types.ObjectId; at: Date; reason: string }): Promise<void> {
  const { intoId, fromId, at } = opts;
  if (intoId.equals(fromId)) return;
  const [into, from] = await Promise.all([models.Ticket.findById(intoId).lean(), models.Ticket.findById(fromId).lean()]);
  if (!into || !from) return;
  await models.Message.updateMany({ ticketId: fromId }, { $set: { ticketId: intoId } });
  await models.TicketEvent.updateMany({ ticketId: fromId, type: { $ne: 'merged' } }, { $set: { ticketId: intoId } });
  await models.Ticket.updateOne(
    { _id: intoId },
    { $addToSet: { participants: { $each: from.participants }, tags: { $each: from.tags }, linkedTicketIds: { $each: from.linkedTicketIds } } },
  );
  await models.Ticket.updateOne({ _id: fromId }, { $set: { mergedIntoId: intoId, status: 'closed', closedAt: from.closedAt ?? at, messageCount: 0 } });
  await refreshTicketStats(models, intoId);
  const actor = { kind: 'system' as const, label: 'threading' };
  await recordEvent(models, { ticketId: intoId, type: 'merged', actor, at, data: { from: fromId, fromNumber: from.number, reason: opts.reason }, key: `merge:${fromId}>${intoId}:into` });
  await recordEvent(models, { ticketId: fromId, type: 'merged', actor, at, data: { into: intoId, intoNumber: into.number, reason: opts.reason }, key: `merge:${fromId}>${intoId}:from` });
}

/** A ticket as threading sees it; the fields a pending change may alter. */
interface TicketView {
  ticketId: string;
  status: TicketStatus;
  closedAt: Date | null;
  participants: string[];
}

/**
 * The ticket changes of one batch of mail, written in one ordered bulk write: at the end of the
 * batch, or earlier when something is about to read tickets from the database. Until then
 * {@link TicketWriteBuffer.view} shows a ticket as it will be. A failed write fails every later
 * flush too, so a batch never marks its mails complete without their ticket changes.
 */
export class TicketWriteBuffer {
  private ops: Array<{ ticketId: Types.ObjectId; set: Record<string, unknown>; participants: string[]; receivedAt: Date }> = [];
  private error: unknown = null;

  constructor(private readonly models: Models) {}

  /** Queues one received message's change: new status fields, participants, one more message. */
  add(ticketId: Types.ObjectId, change: { set: Record<string, unknown>; participants: string[]; receivedAt: Date }): void {
    this.ops.push({ ticketId, ...change });
  }

  /** The ticket with the queued changes applied. */
  view<T extends TicketView>(ticket: T): T {
    let out = ticket;
    for (const op of this.ops) {
      if (op.ticketId.toHexString() !== ticket.ticketId) continue;
      const status = (op.set.status as TicketStatus | undefined) ?? out.status;
      const closedAt = 'closedAt' in op.set ? (op.set.closedAt as Date | null) : out.closedAt;
      out = { ...out, status, closedAt, participants: [...new Set([...out.participants, ...op.participants])] };
    }
    return out;
  }

  /** Writes the queued changes in order. */
  async flush(): Promise<void> {
    if (this.error) throw this.error;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    try {
      await this.models.Ticket.bulkWrite(
        ops.map((op) => ({
          updateOne: {
            filter: { _id: op.ticketId },
            update: {
              ...(Object.keys(op.set).length ? { $set: op.set } : {}),
              $addToSet: { participants: { $each: op.participants } },
              $inc: { messageCount: 1 },
              $max: { lastActivityAt: op.receivedAt },
            },
          },
        })),
        { ordered: true },
      );
    } catch (err) {
      this.error = err;
      throw err;
    }
  }
}
