import type { QueryFilter, Types } from 'mongoose';
import { z } from 'zod';
import { TICKET_STATUSES } from '../domain/ticket-status.js';
import type { Models } from '../store/models/index.js';
import type { TicketDoc } from '../store/models/ticket.js';
import { canSeeInbox, inboxScope, notFound, parseObjectId, type Actor } from './access.js';
import { DEFAULT_TICKET_PAGE, listTickets, type TicketPage } from './list-tickets.js';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
import { TICKET_SUMMARY_FIELDS, toTicketSummary } from './ticket-view.js';
import { parseInput } from './validate.js';

const querySchema = z.object({
  inbox: z.string().optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  assignee: z.enum(['me', 'unassigned']).optional(),
  cursor: z.string().optional(),
});

/**
 * The ticket list of the web pages: {@link listTickets} plus an assignee filter (`me` or
 * `unassigned`). Without an assignee it is exactly listTickets; with one it keeps the same keyset
 * order on (lastActivityAt desc, _id desc), served by the (assigneeId, status, lastActivityAt, _id)
 * index.
 */
export async function listTicketPage(deps: { models: Pick<Models, 'Ticket' | 'Inbox'> }, actor: Actor, rawQuery: unknown): Promise<TicketPage> {
  const query = parseInput(querySchema, rawQuery, 'Query');
  if (!query.assignee) {
    return listTickets(deps, actor, { inbox: query.inbox, status: query.status, cursor: query.cursor });
  }
  const filter: QueryFilter<TicketDoc> = { mergedIntoId: null, assigneeId: query.assignee === 'me' ? actor.userId : null };
  if (query.inbox !== undefined) {
    const inboxId = parseObjectId(query.inbox);
    if (!inboxId || !canSeeInbox(actor, inboxId) || !(await deps.models.Inbox.exists({ _id: inboxId }))) throw notFound('Inbox');
    filter.inboxId = inboxId;
  } else {
    const scope = inboxScope(actor);
    if (scope && scope.$in.length === 0) return { items: [], nextCursor: null };
    if (scope) filter.inboxId = scope.$in.length === 1 ? (scope.$in[0] as Types.ObjectId) : scope;
  }
  if (query.status) filter.status = query.status;
  if (query.cursor !== undefined) {
    const after = decodeTicketCursor(query.cursor);
    filter.lastActivityAt = { $lte: after.lastActivityAt };
    filter.$or = [{ lastActivityAt: { $lt: after.lastActivityAt } }, { _id: { $lt: after.id } }];
  }
  const limit = DEFAULT_TICKET_PAGE;
  const rows = await deps.models.Ticket.find(filter).select(TICKET_SUMMARY_FIELDS).sort({ lastActivityAt: -1, _id: -1 }).limit(limit + 1).lean();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toTicketSummary),
    nextCursor: rows.length > limit && last ? encodeTicketCursor({ lastActivityAt: last.lastActivityAt, id: last._id }) : null,
  };
}
