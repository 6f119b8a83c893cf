import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { IMPACT_LEVELS, URGENCY_LEVELS } from '../../domain/priority-matrix.js';
import { checkChangeable, decidePriority, normalizeTags, sameTags, transition } from '../../domain/ticket.js';
import type { TicketEventType } from '../../domain/ticket-events.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketFieldChanges, TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { choosableFor } from '../categories/categories.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { notify, type NotificationEvent, type NotifyDeps } from '../notifications/notify.js';
import { toTicketClassification, toTicketSummary, type TicketStateView } from './ticket-view.js';
import { inputIssue, parseInput } from '../validate.js';
import { workableTicket } from './visible-ticket.js';

/** `PATCH /tickets/:id` and the ticket page's Ticket form: the fields an agent may change. */
export const patchSchema = z.strictObject({
  /** Any status but `spam`, which "mark as spam" sets (services/spam). */
  status: z.enum(TICKET_STATUSES).exclude(['spam']).optional(),
  /** Set by hand: impact and urgency no longer move the priority (`priorityOverridden` becomes true). */
  priority: z.enum(TICKET_PRIORITIES).optional(),
  /** `false`: drop a hand-set priority and follow impact × urgency again. */
  priorityOverridden: z.literal(false).optional(),
  /** ITIL impact and urgency (null: not assessed); with both set, priority follows the matrix unless overridden. */
  impact: z.enum(IMPACT_LEVELS).nullable().optional(),
  urgency: z.enum(URGENCY_LEVELS).nullable().optional(),
  /** A category of the ticket's inbox (or of every inbox) that is not archived; null for none. */
  categoryId: z.string().nullable().optional(),
  assigneeId: z.string().nullable().optional(),
  /** A team that works the ticket's inbox (its members then see the ticket); null for none. */
  teamId: z.string().nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
});

/** What changing a ticket needs (and telling a new assignee: notify's own). */
export interface UpdateTicketDeps extends Omit<NotifyDeps, 'users' | 'teams'> {
  users: Pick<UserStore, 'findActiveById' | 'findLabelById'> & NotifyDeps['users'];
  tickets: Pick<TicketStore, 'findById' | 'write'>;
  categories: Pick<CategoryStore, 'findById'>;
  teams: Pick<TeamStore, 'findById'> & NotifyDeps['teams'];
  now: () => Date;
  /** Re-plans the ticket's SLA clocks: solving stops them, reassigning re-targets reminders, priority and team (its level) change targets. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change (lifecycle/plan-lifecycle.ts afterAgentAction): auto-close and reminder jobs, the snooze mark. */
  afterAgentAction?: AgentActionFollowUp;
}

const badCategory = () =>
  new AppError('VALIDATION_FAILED', 'Ticket update is invalid', {
    details: { issues: [inputIssue('categoryId', 'issue.categoryChoosable', "must be a category of this ticket's inbox that is not archived")] },
    key: 'input.invalid',
    params: { what: 'Ticket update' },
  });

const badTeam = () =>
  new AppError('VALIDATION_FAILED', 'Ticket update is invalid', {
    details: { issues: [inputIssue('teamId', 'issue.teamOfTicketInbox', "must be a team that works this ticket's inbox")] },
    key: 'input.invalid',
    params: { what: 'Ticket update' },
  });

const badAssignee = () =>
  new AppError('VALIDATION_FAILED', 'Ticket update is invalid', {
    details: { issues: [inputIssue('assigneeId', 'issue.activeInboxUser', 'must be an active user of this inbox')] },
    key: 'input.invalid',
    params: { what: 'Ticket update' },
  });

/**
 * Changes a ticket's status (under the status rule of domain/ticket.ts), priority, impact and
 * urgency (priority following the matrix unless set by hand: `decidePriority`), category, assignee
 * team or tags, each change on the trail, then moves its SLA timers. A merged ticket takes no changes
 * (CONFLICT). The `spam` status is not set here (not a status the patch takes), nor left (CONFLICT):
 * "mark as spam" and "not spam" do that (services/spam). An assignee must be an active user who may see the ticket's inbox; a newly chosen
 * category must belong to the ticket's inbox or to every inbox and not be archived (a ticket keeps
 * an archived one it already has). A team must work the ticket's inbox; the ticket's access keys
 * follow it (the store's `write`).
 */
export async function updateTicket(deps: UpdateTicketDeps, actor: Actor, id: string, input: unknown): Promise<TicketStateView> {
  const ticket = await workableTicket(deps.tickets, actor, id);
  checkChangeable(ticket);
  const patch = parseInput(patchSchema, input, 'Ticket update');
  const now = deps.now();
  const changes: TicketFieldChanges = {};
  const events: Array<{ type: TicketEventType; data: Record<string, unknown> }> = [];

  // Spam is left only through "not spam" (services/spam), which keeps the block list right.
  if (patch.status && ticket.status === 'spam') throw new AppError('CONFLICT', 'This ticket is in Spam: mark it as not spam first', { key: 'conflict.ticketIsSpam' });
  const status = patch.status ? transition(ticket, patch.status, now) : null;
  if (status) {
    Object.assign(changes, status);
    events.push({ type: 'status_changed', data: { from: ticket.status, to: status.status } });
  }
  const decision = decidePriority(ticket, {
    ...(patch.priority ? { priority: patch.priority } : {}),
    ...(patch.impact !== undefined ? { impact: patch.impact } : {}),
    ...(patch.urgency !== undefined ? { urgency: patch.urgency } : {}),
    followMatrix: patch.priorityOverridden === false,
  });
  Object.assign(changes, decision.changes);
  if (decision.changes.impact !== undefined || decision.changes.urgency !== undefined) {
    events.push({
      type: 'impact_urgency_changed',
      data: { from: { impact: ticket.impact ?? null, urgency: ticket.urgency ?? null }, to: { impact: decision.changes.impact !== undefined ? decision.changes.impact : (ticket.impact ?? null), urgency: decision.changes.urgency !== undefined ? decision.changes.urgency : (ticket.urgency ?? null) } },
    });
  }
  if (decision.changes.priorityOverridden === false) events.push({ type: 'priority_follows_matrix', data: {} });
  if (decision.changes.priority) {
    events.push({ type: 'priority_changed', data: { from: ticket.priority, to: decision.changes.priority, source: decision.prioritySource } });
  }
  if (patch.categoryId !== undefined) {
    const categoryId = patch.categoryId === null || patch.categoryId === '' ? null : parseObjectId(patch.categoryId);
    if (categoryId === null && patch.categoryId) throw badCategory();
    if (String(categoryId) !== String(ticket.categoryId ?? null)) {
      const category = categoryId ? await deps.categories.findById(categoryId) : null;
      if (categoryId && !choosableFor(category, ticket.inboxId)) throw badCategory();
      changes.categoryId = categoryId;
      // The name as chosen, so the trail reads the same after a rename.
      events.push({ type: 'category_changed', data: { from: ticket.categoryId ?? null, to: categoryId, name: category?.name ?? null } });
    }
  }
  if (patch.teamId !== undefined) {
    const teamId = patch.teamId === null || patch.teamId === '' ? null : parseObjectId(patch.teamId);
    if (teamId === null && patch.teamId) throw badTeam();
    const team = teamId ? await deps.teams.findById(teamId) : null;
    // The team a ticket already has is kept as it is, even one that no longer works its inbox: the page sends it back on every save.
    const unchanged = String(teamId) === String(ticket.teamId ?? null);
    if (teamId && !unchanged && !team?.inboxIds.some((i) => i.equals(ticket.inboxId))) throw badTeam();
    if (String(teamId) !== String(ticket.teamId ?? null)) {
      // The store rewrites the access keys with the team, so its members see the ticket.
      changes.teamId = teamId;
      // Name and level as chosen, so the trail reads the same after a rename.
      events.push({ type: 'team_changed', data: { from: ticket.teamId ?? null, to: teamId, name: team?.name ?? null, level: team?.level ?? null } });
    }
  }
  if (patch.assigneeId !== undefined) {
    const assigneeId = patch.assigneeId === null ? null : parseObjectId(patch.assigneeId);
    if (patch.assigneeId !== null) {
      const user = assigneeId ? await deps.users.findActiveById(assigneeId) : null;
      if (!user || (user.role !== 'admin' && !user.inboxIds.some((i) => i.equals(ticket.inboxId)))) throw badAssignee();
    }
    if (String(assigneeId) !== String(ticket.assigneeId ?? null)) {
      changes.assigneeId = assigneeId;
      events.push({ type: 'assigned', data: { from: ticket.assigneeId ?? null, to: assigneeId } });
    }
  }
  if (patch.tags) {
    const tags = normalizeTags(patch.tags);
    if (!sameTags(tags, ticket.tags)) {
      changes.tags = tags;
      events.push({ type: 'tags_changed', data: { from: ticket.tags, to: tags } });
    }
  }
  if (events.length > 0) {
    await deps.tickets.write(ticket._id, { changes }, events.map((e) => ({ ticketId: ticket._id, type: e.type, data: e.data, at: now, actor: { kind: 'user' as const, id: actor.userId } })));
    await deps.refreshSla(ticket._id);
    await deps.afterAgentAction?.(ticket._id);
    if (changes.assigneeId) await notifyAssigned(deps, actor, { ...ticket, ...changes, assigneeId: changes.assigneeId }, now);
  }
  const updated = (await deps.tickets.findById(ticket._id))!;
  const team = updated.teamId ? await deps.teams.findById(updated.teamId) : null;
  return { ...toTicketSummary(updated, team?.level ?? null), ...toTicketClassification(updated) };
}

/**
 * Tells the new assignee, unless they took the ticket themselves (notify leaves the actor out). One
 * notification per assignment: keyed by ticket, assignee and time, so a retried call records it once.
 */
async function notifyAssigned(deps: UpdateTicketDeps, actor: Actor, ticket: NotificationEvent['ticket'] & { assigneeId: Types.ObjectId }, at: Date): Promise<void> {
  if (actor.userId && actor.userId.equals(ticket.assigneeId)) return;
  const by = actor.userId ? await deps.users.findLabelById(actor.userId) : null;
  await notify(deps, [{
    kind: 'assigned',
    key: `assigned:${ticket._id.toHexString()}:${ticket.assigneeId.toHexString()}:${at.getTime()}`,
    ticket,
    at,
    data: { by: by ? { id: by._id.toHexString(), name: by.name || by.email } : null },
    userIds: [ticket.assigneeId],
    actorId: actor.userId,
  }]);
}
