import type { Types } from 'mongoose';
import type { Models } from './models/index.js';

/** How deep merges may chain; a merged ticket cannot be merged again, so real chains are short. */
const MAX_MERGE_HOPS = 20;

/**
 * The tickets whose messages and trail a ticket shows: itself and every ticket merged into it,
 * directly or through others. A merge moves nothing: messages and events keep the ticket they
 * were recorded on. The survivor first announces the merged ticket (`mergedTicketIds`), then the
 * merged ticket's `mergedIntoId`, one document, is the switch: an announced ticket counts only once
 * it points back. So each message is listed on exactly one ticket at every moment of a merge,
 * without a multi-document transaction (the built-in database has none), and an announcement left
 * by a merge that died half-way is ignored. A merged ticket itself shows no conversation; callers
 * check `mergedIntoId` first. Every read here is by `_id`. A caller that has just read the ticket
 * passes it as `read`, which saves reading it again.
 */
export async function conversationTicketIds(
  models: Pick<Models, 'Ticket'>,
  ticketId: Types.ObjectId,
  read?: { mergedTicketIds?: Types.ObjectId[] | null },
): Promise<Types.ObjectId[]> {
  const ids = [ticketId];
  const seen = new Set([ticketId.toHexString()]);
  let frontier = [ticketId];
  for (let hops = 0; hops < MAX_MERGE_HOPS && frontier.length > 0; hops++) {
    const holders = hops === 0 && read
      ? [{ _id: ticketId, mergedTicketIds: read.mergedTicketIds }]
      : await models.Ticket.find({ _id: { $in: frontier } }, { mergedTicketIds: 1 }).lean();
    const announced = holders.flatMap((t) => (t.mergedTicketIds ?? []).map((id) => ({ id, into: t._id })));
    if (announced.length === 0) break;
    const pointing = new Map((await models.Ticket.find({ _id: { $in: announced.map((a) => a.id) } }, { mergedIntoId: 1 }).lean()).map((t) => [t._id.toHexString(), t.mergedIntoId]));
    frontier = announced
      .filter((a) => pointing.get(a.id.toHexString())?.equals(a.into) && !seen.has(a.id.toHexString()))
      .map((a) => a.id);
    for (const id of frontier) seen.add(id.toHexString());
    ids.push(...frontier);
  }
  return ids;
}

/**
 * The first step of every merge, before `fromId`'s `mergedIntoId` is set: `intoId` names it, so
 * readers of `intoId` take its conversation in the moment the switch flips (conversationTicketIds).
 */
export async function announceMerge(models: Pick<Models, 'Ticket'>, intoId: Types.ObjectId, fromId: Types.ObjectId): Promise<void> {
  await models.Ticket.updateOne({ _id: intoId }, { $addToSet: { mergedTicketIds: fromId } });
}

/**
 * The trail of a conversation (see {@link conversationTicketIds}, root first): all events of the root, and
 * those of the tickets merged into it except their own `merged` entries, which stay on each merged ticket.
 */
export function conversationTrailFilter(ids: readonly Types.ObjectId[]): Record<string, unknown> {
  const [root, ...merged] = ids;
  // One indexed `$in` over the conversation; the `$nor` is checked on what it finds. (An `$or` of the
  // two kinds of entries, as written before, made the built-in server read the whole trail.)
  return merged.length === 0 ? { ticketId: root } : { ticketId: { $in: [root, ...merged] }, $nor: [{ ticketId: { $in: merged }, type: 'merged' }] };
}
