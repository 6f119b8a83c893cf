import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { DEFAULT_SLA_POLICY, validateSlaPolicy, type SlaPolicy } from '../../domain/sla.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';
import { inputIssue, invalidInput, issueMessage, withIssueKeys, type InputIssue } from '../validate.js';

// The wordings of the policy's own checks (src/domain/sla.ts, business-hours.ts), so they show in any language.
issueMessage('issue.sla.targets', 'must be an object with one entry per priority');
issueMessage('issue.sla.levelTargets', 'must be an object with one entry per support level');
issueMessage('issue.sla.targetRequired', 'is required (null for no target)');
issueMessage('issue.sla.targetSeconds', 'must be a whole number of seconds ≥ 1, or null');
issueMessage('issue.sla.reminderFraction', 'must be a number between 0 and 1 (exclusive)');
issueMessage('issue.sla.nonEmptyText', 'must be a non-empty string');
issueMessage('issue.sla.userIds', 'must be an array of user ids');
issueMessage('issue.sla.afterSeconds', 'must be a whole number of seconds ≥ 0');
issueMessage('issue.sla.escalateTo', 'must be a support level (L1–L4) or null');
issueMessage('issue.hours.timeZone', 'must be an IANA time zone such as "Europe/Berlin"');
issueMessage('issue.hours.day', 'must be an integer from 0 (Sunday) to 6 (Saturday)');
issueMessage('issue.hours.open', 'must be a time "HH:MM" from 00:00 to 23:59');
issueMessage('issue.hours.close', 'must be a time "HH:MM" from 00:01 to 24:00');
issueMessage('issue.hours.closeAfterOpen', 'must be later than open');
issueMessage('issue.hours.weeklyEmpty', 'must have at least one open interval (use null business hours for 24/7)');
issueMessage('issue.hours.holiday', 'must be a date "YYYY-MM-DD"');

const LADDER_LEVEL = /^must be (\d+): levels count up from 1 without gaps$/;

/** The policy check's issues with their catalog keys (the ladder's level names its expected number). */
export function slaPolicyIssues(issues: ReadonlyArray<{ path: string; message: string }>): InputIssue[] {
  return withIssueKeys(issues).map((issue) => {
    const level = issue.key ? null : LADDER_LEVEL.exec(issue.message);
    return level ? inputIssue(issue.path, 'issue.sla.ladderLevel', issue.message, { level: Number(level[1]) }) : issue;
  });
}


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
  const issues: InputIssue[] = [];
  const ids = policy.ladder.flatMap((l) => l.userIds).map(parseObjectId).filter((id): id is Types.ObjectId => id !== null);
  const found = ids.length > 0 ? await users.listAccessByIds(ids) : [];
  const byId = new Map(found.map((u) => [u._id.toHexString(), u]));
  policy.ladder.forEach((rung, i) =>
    rung.userIds.forEach((id, j) => {
      const path = `ladder.${i}.userIds.${j}`;
      const user = byId.get(id.toLowerCase());
      if (!parseObjectId(id)) issues.push(inputIssue(path, 'issue.userId', 'must be a user id'));
      else if (!user) issues.push(inputIssue(path, 'issue.userMissing', 'names a user that does not exist'));
      else if (user.role !== 'admin' && !user.inboxIds.some((own) => own.equals(inboxId))) issues.push(inputIssue(path, 'issue.notInboxMember', 'is not a member of this inbox'));
    }),
  );
  if (issues.length > 0) throw invalidInput(issues, 'SLA policy');
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
  if (!checked.ok) {
    throw new AppError('VALIDATION_FAILED', 'SLA policy is invalid', { details: { issues: slaPolicyIssues(checked.issues) }, key: 'input.invalid', params: { what: 'SLA policy' } });
  }
  await checkLadderUsers(deps.users, inbox._id, checked.value);
  await deps.inboxes.setSla(inbox._id, checked.value);
  for await (const ticketId of deps.tickets.activeIdsOfInbox(inbox._id)) {
    await deps.refreshSla(ticketId);
  }
  return { policy: checked.value, isDefault: false };
}
