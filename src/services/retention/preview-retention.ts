import type { Types } from 'mongoose';
import { retentionCutoff, type RetentionAction, type RetentionPolicy } from '../../domain/retention.js';
import type { RetentionStore } from '../../store/retention-writes.js';
import type { Actor } from '../access.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';
import { parseRetentionPolicy, retentionInboxFor } from './retention-policy.js';

/** What the next run would do in one inbox: `tickets` closed before `cutoff` would be anonymised or deleted (none while the policy is off). */
export interface RetentionPreview {
  action: RetentionAction;
  months: number | null;
  /** Tickets closed before this time are due; null while the policy is off. */
  cutoff: Date | null;
  tickets: number;
}

/** The inbox's policy as saved, and what its next run would touch. */
export interface RetentionView {
  inboxId: string;
  policy: RetentionPolicy;
  preview: RetentionPreview;
}

/**
 * Counts the tickets a run at `now` would touch under `policy`, with the very filter the run lists
 * them by (store/retention-writes.ts), so the preview and the run agree.
 */
export async function countRetentionDue(deps: { retention: Pick<RetentionStore, 'countDue'> }, inboxId: Types.ObjectId, policy: RetentionPolicy, now: Date): Promise<RetentionPreview> {
  if (policy.months === null) return { action: policy.action, months: null, cutoff: null, tickets: 0 };
  const cutoff = retentionCutoff(now, policy.months);
  return { action: policy.action, months: policy.months, cutoff, tickets: await deps.retention.countDue(inboxId, policy.action, cutoff) };
}

/**
 * An inbox's retention policy and what the next run would touch, for admins and managers of the
 * inbox. With `input` (a policy not saved yet, checked like a save), what that policy would touch.
 */
export async function previewRetention(
  deps: { retention: Pick<RetentionStore, 'findInbox' | 'countDue'>; now: () => Date },
  actor: Actor,
  id: string,
  input?: unknown,
): Promise<RetentionView> {
  const inbox = await retentionInboxFor(deps, actor, id);
  requireInboxManager(actor, inbox.inboxId, 'Only admins and managers of this inbox can see its retention policy');
  const policy = input === undefined ? inbox.policy : parseRetentionPolicy(input);
  return { inboxId: inbox.inboxId.toHexString(), policy, preview: await countRetentionDue(deps, inbox.inboxId, policy, deps.now()) };
}
