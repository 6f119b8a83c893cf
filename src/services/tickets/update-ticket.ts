import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { checkChangeable, normalizeTags, sameTags, transition } from '../../domain/ticket.js';
import type { TicketEventType } from '../../domain/ticket-events.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { TicketFieldChanges, TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { toTicketSummary, type TicketSummaryView } from './ticket-view.js';
import { inputIssue, parseInput } from '../validate.js';
import { visibleTicket } from './visible-ticket.js';

/** `PATCH /tickets/:id` and the ticket page's Ticket form: the fields an agent may change. */
export const patchSchema = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  assigneeId: z.string().nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
});

/** What changing a ticket needs. */
export interface UpdateTicketDeps {
  users: Pick<UserStore, 'findActiveById'>;
  tickets: Pick<TicketStore, 'findById' | 'write'>;
  now: () => Date;
  /** Re-plans the ticket's SLA clocks: solving stops them, reassigning re-targets reminders, priority changes targets. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
}

const badAssignee = () =>
  new AppError('VALIDATION_FAILED', 'Ticket update is invalid', {
    details: { issues: [inputIssue('assigneeId', 'issue.activeInboxUser', 'must be an active user of this inbox')] },
    key: 'input.invalid',
    params: { what: 'Ticket update' },
  });

/**
 * Changes a ticket's status (under the status rule of domain/ticket.ts), priority, assignee or
 * tags, each change on the trail, then moves its SLA timers. A merged ticket takes no changes
 * (CONFLICT). An assignee must be an active user who may see the ticket's inbox.
 */
export async function updateTicket(deps: UpdateTicketDeps, actor: Actor, id: string, input: unknown): Promise<TicketSummaryView> {
  const ticket = await visibleTicket(deps.tickets, actor, id);
  checkChangeable(ticket);
  const patch = parseInput(patchSchema, input, 'Ticket update');
  const now = deps.now();
  const changes: TicketFieldChanges = {};
  const events: Array<{ type: TicketEventType; data: Record<string, unknown> }> = [];

  const status = patch.status ? transition(ticket, patch.status, now) : null;
  if (status) {
    Object.assign(changes, status);
    events.push({ type: 'status_changed', data: { from: ticket.status, to: status.status } });
  }
  if (patch.priority && patch.priority !== ticket.priority) {
    changes.priority = patch.priority;
    events.push({ type: 'priority_changed', data: { from: ticket.priority, to: patch.priority } });
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
  }
  return toTicketSummary((await deps.tickets.findById(ticket._id))!);
}
