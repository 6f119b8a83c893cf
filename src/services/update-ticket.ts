import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../domain/ticket-status.js';
import type { Models } from '../store/models/index.js';
import type { TicketEventType } from '../store/models/ticket-event.js';
import { recordEvents } from '../store/ticket-writes.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from './access.js';
import { toTicketSummary, type TicketSummaryView } from './ticket-view.js';
import { parseInput } from './validate.js';

export const patchSchema = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  assigneeId: z.string().nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
});

export interface UpdateTicketDeps {
  models: Models;
  now: () => Date;
  /** Re-plans the ticket's SLA clocks: solving stops them, reassigning re-targets reminders, priority changes targets. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
}

/** A ticket the actor may see, or NOT_FOUND (hidden and missing look the same). */
export async function visibleTicket(models: Models, actor: Actor, id: string) {
  const ticketId = parseObjectId(id);
  const ticket = ticketId ? await models.Ticket.findById(ticketId).lean() : null;
  if (!ticket || !canSeeInbox(actor, ticket.inboxId)) throw notFound('Ticket');
  return ticket;
}

/**
 * Changes a ticket's status, priority, assignee or tags, each change on the trail, then moves its SLA
 * timers. An assignee must be an active user who may see the ticket's inbox.
 */
export async function updateTicket(deps: UpdateTicketDeps, actor: Actor, id: string, input: unknown): Promise<TicketSummaryView> {
  const { models } = deps;
  const ticket = await visibleTicket(models, actor, id);
  if (ticket.mergedIntoId) throw new AppError('CONFLICT', 'This ticket was merged into another one');
  const patch = parseInput(patchSchema, input, 'Ticket update');
  const now = deps.now();
  const set: Record<string, unknown> = {};
  const events: Array<{ type: TicketEventType; data: Record<string, unknown> }> = [];

  if (patch.status && patch.status !== ticket.status) {
    Object.assign(set, { status: patch.status, solvedAt: patch.status === 'solved' ? now : ticket.solvedAt ?? null, closedAt: patch.status === 'closed' ? now : null });
    if (patch.status !== 'solved' && patch.status !== 'closed') set.solvedAt = null;
    events.push({ type: 'status_changed', data: { from: ticket.status, to: patch.status } });
  }
  if (patch.priority && patch.priority !== ticket.priority) {
    set.priority = patch.priority;
    events.push({ type: 'priority_changed', data: { from: ticket.priority, to: patch.priority } });
  }
  if (patch.assigneeId !== undefined) {
    const assigneeId = patch.assigneeId === null ? null : parseObjectId(patch.assigneeId);
    if (patch.assigneeId !== null) {
      const user = assigneeId ? await models.User.findOne({ _id: assigneeId, disabled: false }).lean() : null;
      const allowed = user && (user.role === 'admin' || user.inboxIds.some((i) => i.equals(ticket.inboxId)));
      if (!allowed) throw new AppError('VALIDATION_FAILED', 'Ticket update is invalid', { details: { issues: [{ path: 'assigneeId', message: 'must be an active user of this inbox' }] } });
    }
    if (String(assigneeId) !== String(ticket.assigneeId ?? null)) {
      set.assigneeId = assigneeId;
      events.push({ type: 'assigned', data: { from: ticket.assigneeId ?? null, to: assigneeId } });
    }
  }
  if (patch.tags) {
    const tags = [...new Set(patch.tags.map((t) => t.toLowerCase()))].sort();
    if (tags.join('\n') !== [...ticket.tags].sort().join('\n')) {
      set.tags = tags;
      events.push({ type: 'tags_changed', data: { from: ticket.tags, to: tags } });
    }
  }
  if (events.length > 0) {
    await models.Ticket.updateOne({ _id: ticket._id }, { $set: set });
    await recordEvents(models, events.map((e) => ({ ticketId: ticket._id, type: e.type, data: e.data, at: now, actor: { kind: 'user' as const, id: actor.userId } })));
    await deps.refreshSla(ticket._id);
  }
  return toTicketSummary((await models.Ticket.findById(ticket._id).lean())!);
}
