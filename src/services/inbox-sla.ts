import type { Types } from 'mongoose';
import { AppError } from '../domain/errors.js';
import { DEFAULT_SLA_POLICY, validateSlaPolicy, type SlaPolicy } from '../domain/sla.js';
import type { Models } from '../store/models/index.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from './access.js';
import { requireInboxManager } from './inbox-manager-access.js';


async function inboxFor(models: Models, actor: Actor, id: string) {
  const inboxId = parseObjectId(id);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  const inbox = await models.Inbox.findById(inboxId, { sla: 1 }).lean();
  if (!inbox) throw notFound('Inbox');
  return inbox;
}

/** The inbox's SLA policy: targets in seconds per priority, business hours and the escalation ladder. */
export async function getInboxSla(deps: { models: Models }, actor: Actor, id: string): Promise<{ policy: SlaPolicy; isDefault: boolean }> {
  const inbox = await inboxFor(deps.models, actor, id);
  if (inbox.sla == null) return { policy: DEFAULT_SLA_POLICY, isDefault: true };
  const checked = validateSlaPolicy(inbox.sla);
  return checked.ok ? { policy: checked.value, isDefault: false } : { policy: DEFAULT_SLA_POLICY, isDefault: true };
}

/**
 * Replaces the inbox's SLA policy (validated, every problem named by its path) and re-plans the SLA
 * clocks of its open tickets, so new targets and ladders apply at once.
 */
export async function putInboxSla(
  deps: { models: Models; refreshSla: (ticketId: Types.ObjectId) => Promise<void> },
  actor: Actor,
  id: string,
  input: unknown,
): Promise<{ policy: SlaPolicy; isDefault: boolean }> {
  const inbox = await inboxFor(deps.models, actor, id);
  requireInboxManager(actor, inbox._id, 'Only admins and managers of this inbox can change its SLA policy');
  const checked = validateSlaPolicy(input);
  if (!checked.ok) throw new AppError('VALIDATION_FAILED', 'SLA policy is invalid', { details: { issues: checked.issues } });
  const ladderUsers = checked.value.ladder.flatMap((l) => l.userIds);
  if (ladderUsers.length > 0) {
    const known = await deps.models.User.countDocuments({ _id: { $in: ladderUsers } });
    if (known !== new Set(ladderUsers).size) {
      throw new AppError('VALIDATION_FAILED', 'SLA policy is invalid', { details: { issues: [{ path: 'ladder', message: 'names a user that does not exist' }] } });
    }
  }
  await deps.models.Inbox.updateOne({ _id: inbox._id }, { $set: { sla: checked.value } });
  for await (const t of deps.models.Ticket.find({ inboxId: inbox._id, status: { $in: ['new', 'open', 'pending'] }, mergedIntoId: null }, { _id: 1 }).lean().cursor()) {
    await deps.refreshSla(t._id);
  }
  return { policy: checked.value, isDefault: false };
}
