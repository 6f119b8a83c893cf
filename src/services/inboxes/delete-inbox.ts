import type { Types } from 'mongoose';
import { z } from 'zod';
import type { InboxStore } from '../../store/inbox-store.js';
import type { InboxRemovalStore } from '../../store/inbox-removal-store.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';

/** What deleting an inbox needs. */
export interface DeleteInboxDeps {
  inboxes: Pick<InboxStore, 'findById'>;
  inboxRemoval: Pick<InboxRemovalStore, 'markDeleted' | 'startMove' | 'moveTicketBatch' | 'moveBelongings' | 'remove'>;
  now: () => Date;
  /** Tickets moved per round (default 200). */
  batchSize?: number;
  /** Test hook: called after each round of moved tickets (a throw here stands for a crash). */
  onBatch?: (moved: number) => void;
}

const deleteInboxSchema = z.object({
  mode: z.enum(['keep', 'move']),
  moveTo: z.string().nullish(),
  confirmName: z.string(),
});

/** What an admin chose: keep the tickets read-only, or move them to `moveTo`; `confirmName` is the inbox's name typed again. */
export type DeleteInboxInput = z.input<typeof deleteInboxSchema>;

/** What a deletion did: `keep` (the inbox is kept read-only) or `move` (how many tickets went to which inbox). */
export type DeleteInboxResult = { mode: 'keep' } | { mode: 'move'; moved: number; to: string };

/**
 * Deletes an inbox (admins only), confirmed by its name typed again. Either way it is no longer
 * polled, sends nothing (its queued mail fails as "inbox deleted") and leaves the inbox lists.
 * - `keep`: a soft delete. Its tickets stay readable and searchable by those who had access, and
 *   replying to them is refused.
 * - `move`: every ticket goes to `moveTo` (inbox and access keys rewritten, a trail entry each), with
 *   its messages, canned replies and own categories; users and teams lose the inbox; then it is removed.
 *   The target is recorded on the inbox before anything moves, so a move cut short is finished by
 *   asking again (the recorded target wins), without duplicates.
 */
export async function deleteInbox(deps: DeleteInboxDeps, actor: Actor, inboxId: string, input: unknown): Promise<DeleteInboxResult> {
  requireAdmin(actor);
  const id = parseObjectId(inboxId);
  if (!id) throw notFound('Inbox');
  const choice = parseInput(deleteInboxSchema, input, 'Inbox deletion');
  const inbox = await deps.inboxes.findById(id);
  if (!inbox || inbox.deletedAt) throw notFound('Inbox');
  if (choice.confirmName.trim() !== inbox.name) {
    throw invalidInput([inputIssue('confirmName', 'settings:inboxState.deletePage.nameMismatch', 'must be the inbox name exactly')], 'Inbox deletion');
  }
  if (inbox.movingTo) return finishMove(deps, actor, inbox, inbox.movingTo);
  if (choice.mode === 'keep') {
    if (!(await deps.inboxRemoval.markDeleted(id, deps.now()))) throw notFound('Inbox');
    return { mode: 'keep' };
  }
  const targetId = parseObjectId(choice.moveTo);
  const target = targetId && !targetId.equals(id) ? await deps.inboxes.findById(targetId) : null;
  if (!target || target.deletedAt || target.movingTo) {
    throw invalidInput([inputIssue('moveTo', 'settings:inboxState.deletePage.noTarget', 'must be another inbox')], 'Inbox deletion');
  }
  const recorded = await deps.inboxRemoval.startMove(id, target._id);
  if (!recorded?.movingTo) throw notFound('Inbox');
  return finishMove(deps, actor, recorded, recorded.movingTo);
}

/** Moves what is left of an inbox's tickets and belongings to `to`, then removes the inbox; safe to repeat. */
async function finishMove(deps: DeleteInboxDeps, actor: Actor, inbox: InboxDoc, to: Types.ObjectId): Promise<DeleteInboxResult> {
  const target = await deps.inboxes.findById(to);
  if (!target) throw notFound('Inbox');
  const at = deps.now();
  const event = (ticketId: Types.ObjectId) => ({
    ticketId,
    type: 'inbox_moved' as const,
    actor: { kind: 'user' as const, id: actor.userId, label: null },
    at,
    data: { from: inbox._id, to, fromName: inbox.name, toName: target.name },
    key: `inbox-moved:${inbox._id.toHexString()}:${ticketId.toHexString()}`,
  });
  let moved = 0;
  for (;;) {
    const count = await deps.inboxRemoval.moveTicketBatch(inbox._id, to, deps.batchSize ?? 200, event);
    if (count === 0) break;
    moved += count;
    deps.onBatch?.(count);
  }
  await deps.inboxRemoval.moveBelongings(inbox._id, to);
  await deps.inboxRemoval.remove(inbox._id);
  return { mode: 'move', moved, to: to.toHexString() };
}
