import type { Types } from 'mongoose';
import { z } from 'zod';
import { checkMerge, mergeTaken, survivorAwaitingSince, type MergeSide } from '../../domain/ticket.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { toTicketSummaries, type TeamLevelDeps } from './ticket-summaries.js';
import type { TicketSummaryView } from './ticket-view.js';
import { parseInput } from '../validate.js';
import { workableTicket } from './visible-ticket.js';

/** `POST /tickets/:id/merge` and the merge form: the ticket to merge into. */
export const mergeSchema = z.strictObject({ intoId: z.string().min(1) });

/** What an agent's merge needs. */
export interface MergeTicketDeps extends TeamLevelDeps {
  tickets: Pick<TicketStore, 'findById' | 'claimMerge' | 'merge' | 'write'>;
  now: () => Date;
  /** Re-plans SLA clocks: the survivor's with the merged conversation, and cancels the merged ticket's timer. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change: the merged ticket's lifecycle jobs go, the survivor's follow its state. */
  afterAgentAction?: AgentActionFollowUp;
}

const side = (t: TicketDoc): MergeSide => ({ id: t._id.toHexString(), requesterEmail: t.requester.email, mergedIntoId: t.mergedIntoId?.toHexString() ?? null });

/**
 * An agent merges ticket `id` into `intoId`, the ticket they picked to keep: `id` is closed pointing
 * at it, its conversation shows there from that moment (nothing is moved, see mergeTickets), its
 * tags and participants join the survivor's, and both trails say who merged. Both tickets must be
 * visible to the actor (else NOT_FOUND); the merge rules are domain/ticket.ts checkMerge. Merging
 * the same pair again changes nothing, so a retried or interrupted merge converges.
 */
export async function mergeTicket(deps: MergeTicketDeps, actor: Actor, id: string, input: unknown): Promise<TicketSummaryView> {
  const { tickets } = deps;
  const from = await workableTicket(tickets, actor, id);
  const { intoId } = parseInput(mergeSchema, input, 'Merge');
  const into = await workableTicket(tickets, actor, intoId);
  checkMerge(side(from), side(into));
  if (!(await tickets.claimMerge({ fromId: from._id, intoId: into._id, alreadyPointing: Boolean(from.mergedIntoId) }))) throw mergeTaken();

  const at = deps.now();
  await tickets.merge({ intoId: into._id, fromId: from._id, at, reason: 'merged by an agent', by: { userId: actor.userId } });
  const awaitingSince = survivorAwaitingSince(from, into);
  if (awaitingSince) await tickets.write(into._id, { changes: { sla: { awaitingSince } } });
  await deps.refreshSla(into._id);
  await deps.refreshSla(from._id);
  await deps.afterAgentAction?.(into._id);
  await deps.afterAgentAction?.(from._id);
  const [survivor] = await toTicketSummaries(deps, [(await tickets.findById(into._id))!]);
  return survivor!;
}
