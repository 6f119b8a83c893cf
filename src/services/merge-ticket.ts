import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Models } from '../store/models/index.js';
import { announceMerge } from '../store/merged-tickets.js';
import { mergeTickets } from '../store/ticket-writes.js';
import type { Actor } from './access.js';
import { toTicketSummary, type TicketSummaryView } from './ticket-view.js';
import { visibleTicket } from './update-ticket.js';
import { parseInput } from './validate.js';

export const mergeSchema = z.strictObject({ intoId: z.string().min(1) });

export interface MergeTicketDeps {
  models: Models;
  now: () => Date;
  /** Re-plans SLA clocks: the survivor's with the merged conversation, and cancels the merged ticket's timer. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
}

const invalid = (message: string) => new AppError('VALIDATION_FAILED', `Merge is invalid: intoId: ${message}`, { details: { issues: [{ path: 'intoId', message }] } });

/**
 * An agent merges ticket `id` into `intoId`, the ticket they picked to keep: `id` is closed pointing
 * at it, its conversation shows there from that moment (nothing is moved, see mergeTickets), its
 * tags and participants join the survivor's, and both trails say who merged. Both
 * tickets must be visible to the actor (else NOT_FOUND), belong to the same requester, and be
 * unmerged (else CONFLICT). Merging the same pair again changes nothing, so a retried or
 * interrupted merge converges.
 */
export async function mergeTicket(deps: MergeTicketDeps, actor: Actor, id: string, input: unknown): Promise<TicketSummaryView> {
  const { models } = deps;
  const from = await visibleTicket(models, actor, id);
  const { intoId } = parseInput(mergeSchema, input, 'Merge');
  const into = await visibleTicket(models, actor, intoId);
  if (from._id.equals(into._id)) throw invalid('is this ticket itself');
  if (from.requester.email !== into.requester.email) throw invalid('belongs to another requester');
  if (into.mergedIntoId || (from.mergedIntoId && !from.mergedIntoId.equals(into._id))) throw new AppError('CONFLICT', 'One of these tickets was already merged into another one');

  // Claim `from` first, then re-check the target: of two agents merging A→B and B→A at once, at most one wins.
  // The claim is also the switch readers resolve through: from here `from`'s messages list under `into`.
  await announceMerge(models, into._id, from._id);
  const claim = await models.Ticket.updateOne({ _id: from._id, mergedIntoId: null }, { $set: { mergedIntoId: into._id } });
  if (claim.modifiedCount === 0 && !from.mergedIntoId) throw new AppError('CONFLICT', 'One of these tickets was already merged into another one');
  if (!(await models.Ticket.exists({ _id: into._id, mergedIntoId: null }))) {
    if (claim.modifiedCount > 0) await models.Ticket.updateOne({ _id: from._id, mergedIntoId: into._id }, { $set: { mergedIntoId: null } });
    throw new AppError('CONFLICT', 'One of these tickets was already merged into another one');
  }

  const at = deps.now();
  await mergeTickets(models, { intoId: into._id, fromId: from._id, at, reason: 'merged by an agent' });
  // mergeTickets names the threading system as the actor (its usual caller); a manual merge names the user.
  await models.TicketEvent.updateMany(
    { key: { $in: [`merge:${from._id.toHexString()}>${into._id.toHexString()}:into`, `merge:${from._id.toHexString()}>${into._id.toHexString()}:from`] } },
    { $set: { actor: { kind: 'user', id: actor.userId, label: null } } },
  );
  // Customer mail still unanswered on the merged ticket keeps the survivor's next-response clock running.
  const waiting = from.sla?.awaitingSince;
  if (waiting && (!into.sla?.awaitingSince || waiting < into.sla.awaitingSince)) {
    await models.Ticket.updateOne({ _id: into._id }, { $set: { 'sla.awaitingSince': waiting } });
  }
  await deps.refreshSla(into._id);
  await deps.refreshSla(from._id);
  return toTicketSummary((await models.Ticket.findById(into._id).lean())!);
}
