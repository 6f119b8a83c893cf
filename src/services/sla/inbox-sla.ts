import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { DEFAULT_SLA_POLICY, validateSlaPolicy, type SlaPolicy } from '../../domain/sla.js';
import type { Models } from '../../store/models/index.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';


async function inboxFor(models: Models, actor: Actor, id: string) {
  const inboxId = parseObjectId(id);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  const inbox = await models.Inbox.findById(inboxId, { sla: 1 }).lean();
  if (!inbox) throw notFound('Inbox');
  return inbox;
}

/**
 * Escalations mail ticket details, so every ladder user must exist and be allowed to see the inbox:
 * a member of it or an admin (whom the SLA page offers). Each offending id is named by its path.
 */
async function checkLadderUsers(models: Models, inboxId: Types.ObjectId, policy: SlaPolicy): Promise<void> {
  const issues: Array<{ path: string; message: string }> = [];
  const ids = policy.ladder.flatMap((l) => l.userIds).map(parseObjectId).filter((id): id is Types.ObjectId => id !== null);
  const users = ids.length > 0 ? await models.User.find({ _id: { $in: ids } }, { role: 1, inboxIds: 1 }).lean() : [];
  const byId = new Map(users.map((u) => [u._id.toHexString(), u]));
  policy.ladder.forEach((rung, i) =>
    rung.userIds.forEach((id, j) => {
      const path = `ladder.${i}.userIds.${j}`;
      const user = byId.get(id.toLowerCase());
      if (!parseObjectId(id)) issues.push({ path, message: 'must be a user id' });
      else if (!user) issues.push({ path, message: 'names a user that does not exist' });
      else if (user.role !== 'admin' && !user.inboxIds.some((own) => own.equals(inboxId))) issues.push({ path, message: 'is not a member of this inbox' });
    }),
  );
  if (issues.length > 0) {
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new AppError('VALIDATION_FAILED', `SLA policy is invalid: ${summary}`, { details: { issues } });
  }
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
  await checkLadderUsers(deps.models, inbox._id, checked.value);
  await deps.models.Inbox.updateOne({ _id: inbox._id }, { $set: { sla: checked.value } });
  for await (const t of deps.models.Ticket.find({ inboxId: inbox._id, status: { $in: ['new', 'open', 'pending'] }, mergedIntoId: null }, { _id: 1 }).lean().cursor()) {
    await deps.refreshSla(t._id);
  }
  return { policy: checked.value, isDefault: false };
}
