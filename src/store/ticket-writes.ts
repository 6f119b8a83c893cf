import type { Types } from 'mongoose';
import { announceMerge, conversationTicketIds } from './merged-tickets.js';
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
export async function mergeRootOf(models: Pick<Models, 'Ticket'>, ticketId: Types.ObjectId): Promise<Types.ObjectId> {
  let current = ticketId;
  for (let hops = 0; hops < 20; hops++) {
    const t = await models.Ticket.findById(current, { mergedIntoId: 1 }).lean();
    if (!t?.mergedIntoId) return current;
    current = t.mergedIntoId;
  }
  return current;
}

/**
 * Recomputes what a ticket derives from the messages of its conversation (count, last activity), so
 * that re-running an interrupted ingest converges instead of counting a message twice. Bounces and
 * out-of-office notices count as little here as when they arrived.
 */
export async function refreshTicketStats(models: Models, ticketId: Types.ObjectId): Promise<void> {
  const ticketIds = await conversationTicketIds(models, ticketId);
  const [stats] = await models.Message.aggregate<{ count: number; last: Date | null }>([
    // Automated mail we send (auto-replies) is not counted, as it is not when it is queued.
    { $match: { ticketId: { $in: ticketIds }, direction: { $in: ['inbound', 'outbound'] }, 'flags.bounce': { $ne: true }, 'flags.autoReply': { $ne: true }, $nor: [{ direction: 'outbound', 'flags.autoSubmitted': true }] } },
    { $group: { _id: null, count: { $sum: 1 }, last: { $max: '$createdAt' } } },
  ]);
  await models.Ticket.updateOne(
    { _id: ticketId },
    { $set: { messageCount: stats?.count ?? 0 }, ...(stats?.last ? { $max: { lastActivityAt: stats.last } } : {}) },
  );
}

/**
 * Merges `fromId` into `intoId`: `intoId` announces it, then one update closes `fromId` pointing at
 * `intoId`, and from that moment readers list its messages and trail under `intoId` (see
 * conversationTicketIds); nothing is moved. The survivor then takes its participants, tags and links, and both trails record it.
 * Idempotent: merging an already merged pair again converges, and a ticket merged into another
 * one is never re-pointed.
 */
export async function mergeTickets(models: Models, opts: { intoId: Types.ObjectId; fromId: Types.ObjectId; at: Date; reason: string }): Promise<void> {
  const { intoId, fromId, at } = opts;
  if (intoId.equals(fromId)) return;
  const [into, from] = await Promise.all([models.Ticket.findById(intoId).lean(), models.Ticket.findById(fromId).lean()]);
  if (!into || !from) return;
  await announceMerge(models, intoId, fromId);
  const switched = await models.Ticket.updateOne(
    { _id: fromId, mergedIntoId: { $in: [null, intoId] } },
    { $set: { mergedIntoId: intoId, status: 'closed', closedAt: from.closedAt ?? at, messageCount: 0 } },
  );
  if (switched.matchedCount === 0) return;
  await models.Ticket.updateOne(
    { _id: intoId },
    { $addToSet: { participants: { $each: from.participants }, tags: { $each: from.tags }, linkedTicketIds: { $each: from.linkedTicketIds } } },
  );
  await refreshTicketStats(models, intoId);
  const actor = { kind: 'system' as const, label: 'threading' };
  await recordEvent(models, { ticketId: intoId, type: 'merged', actor, at, data: { from: fromId, fromNumber: from.number, reason: opts.reason }, key: `merge:${fromId}>${intoId}:into` });
  await recordEvent(models, { ticketId: fromId, type: 'merged', actor, at, data: { into: intoId, intoNumber: into.number, reason: opts.reason }, key: `merge:${fromId}>${intoId}:from` });
}

