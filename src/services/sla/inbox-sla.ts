import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { DEFAULT_SLA_POLICY, validateSlaPolicy, type SlaPolicy } from '../../domain/sla.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';


async function inboxFor(inboxes: Pick<InboxStore, 'findSla'>, actor: Actor, id: string) {
  const inboxId = parseObjectId(id);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  const inbox = await inboxes.findSla(inboxId);
  if (!inbox) throw notFound('Inbox');
  return inbox;
}

/**
 * Escalations mail ticket details, so every ladder user must exist and be allowed to see the inbox:
 * a member of it or an admin (whom the SLA page offers). Each offending id is named by its path.
 */
async function checkLadderUsers(users: Pick<UserStore, 'listAccessByIds'>, inboxId: Types.ObjectId, policy: SlaPolicy): Promise<void> {
  const issues: Array<{ path: string; message: string }> = [];
  const ids = policy.ladder.flatMap((l) => l.userIds).map(parseObjectId).filter((id): id is Types.ObjectId => id !== null);
  const found = ids.length > 0 ? await users.listAccessByIds(ids) : [];
  const byId = new Map(found.map((u) => [u._id.toHexString(), u]));
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
export async function getInboxSla(deps: { inboxes: Pick<InboxStore, 'findSla'> }, actor: Actor, id: string): Promise<{ policy: SlaPolicy; isDefault: boolean }> {
  const inbox = await inboxFor(deps.inboxes, actor, id);
  if (inbox.sla == null) return { policy: DEFAULT_SLA_POLICY, isDefault: true };
  const checked = validateSlaPolicy(inbox.sla);
  return checked.ok ? { policy: checked.value, isDefault: false } : { policy: DEFAULT_SLA_POLICY, isDefault: true };
}

/**
 * Replaces the inbox's SLA policy (validated, every problem named by its path) and re-plans the SLA
 * clocks of its open tickets, so new targets and ladders apply at once.
 */
export async function putInboxSla(
  deps: { tickets: Pick<TicketStore, 'activeIdsOfInbox'>; users: Pick<UserStore, 'listAccessByIds'>; inboxes: Pick<InboxStore, 'findSla' | 'setSla'>; refreshSla: (ticketId: Types.ObjectId) => Promise<void> },
  actor: Actor,
  id: string,
  input: unknown,
): Promise<{ policy: SlaPolicy; isDefault: boolean }> {
  const inbox = await inboxFor(deps.inboxes, actor, id);
  requireInboxManager(actor, inbox._id, 'Only admins and managers of this inbox can change its SLA policy');
  const checked = validateSlaPolicy(input);
  if (!checked.ok) throw new AppError('VALIDATION_FAILED', 'SLA policy is invalid', { details: { issues: checked.issues } });
  await checkLadderUsers(deps.users, inbox._id, checked.value);
  await deps.inboxes.setSla(inbox._id, checked.value);
  for await (const ticketId of deps.tickets.activeIdsOfInbox(inbox._id)) {
    await deps.refreshSla(ticketId);
  }
  return { policy: checked.value, isDefault: false };
}
