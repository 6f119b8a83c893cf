import type { Logger } from 'pino';
import type { RetentionStore } from '../../store/retention-writes.js';
import { notFound, requireAdmin, type Actor } from '../access.js';
import { countRetentionDue, type RetentionView } from './preview-retention.js';
import { parseRetentionPolicy, retentionInboxFor } from './retention-policy.js';

/**
 * Saves an inbox's retention policy (admins only: deleting or anonymising customers' data is the
 * controller's decision, and cannot be undone) and answers what the next daily run will touch.
 */
export async function updateRetention(
  deps: { retention: Pick<RetentionStore, 'findInbox' | 'setPolicy' | 'countDue'>; now: () => Date; logger: Pick<Logger, 'info'> },
  actor: Actor,
  id: string,
  input: unknown,
): Promise<RetentionView> {
  const inbox = await retentionInboxFor(deps, actor, id);
  requireAdmin(actor);
  const policy = parseRetentionPolicy(input);
  if (!(await deps.retention.setPolicy(inbox.inboxId, policy))) throw notFound('Inbox');
  deps.logger.info({ inboxId: inbox.inboxId.toHexString(), months: policy.months, action: policy.action, by: actor.userId?.toHexString() ?? null }, 'inbox retention policy updated');
  return { inboxId: inbox.inboxId.toHexString(), policy, preview: await countRetentionDue(deps, inbox.inboxId, policy, deps.now()) };
}
