import type { Types } from 'mongoose';
import { z } from 'zod';
import { slaDueSoonBound } from '../../domain/sla-due.js';
import { TICKET_STATUSES } from '../../domain/ticket-status.js';
import { searchQueryTerms } from '../../domain/ticket-search.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { canSeeInbox, inboxScope, notFound, parseObjectId, type Actor } from '../access.js';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
import { toTicketSummary, type TicketSummaryView } from './ticket-view.js';
import { issueMessage, parseInput } from '../validate.js';

export const DEFAULT_TICKET_PAGE = 25;
export const MAX_TICKET_PAGE = 100;
export const MAX_SEARCH_WORDS = 8;

export const querySchema = z.object({
  inbox: z.string().optional(),
  status: z
    .string()
    .transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(z.enum(TICKET_STATUSES)).min(1, issueMessage('issue.statusRequired', 'must name at least one status')))
    .optional(),
  /** `me`: assigned to the caller; `unassigned`: nobody's yet. */
  assignee: z.enum(['me', 'unassigned']).optional(),
  /** One tag, exactly as stored (tags are kept lower-cased). */
  tag: z.string().trim().toLowerCase().min(1).max(50).optional(),
  /** `soon`: the SLA is breached or due within the hour (red or amber badge). */
  due: z.enum(['soon']).optional(),
  /** Words that must all match: whole subject words, or the start of a word of the requester's name or email. */
  q: z
    .string()
    .max(200)
    .transform((s) => (s.trim() === '' ? undefined : searchQueryTerms(s)))
    .refine((terms) => terms === undefined || terms.length > 0, issueMessage('issue.searchNoWord', 'must contain a letter or digit'))
    .refine((terms) => terms === undefined || terms.length <= MAX_SEARCH_WORDS, issueMessage('issue.searchTooManyWords', `must have at most ${MAX_SEARCH_WORDS} words`, { max: MAX_SEARCH_WORDS }))
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_TICKET_PAGE).optional(),
  cursor: z.string().optional(),
});

/** One page of tickets and where the next one starts (null on the last page). */
export interface TicketPage {
  items: TicketSummaryView[];
  nextCursor: string | null;
}

/**
 * Lists tickets newest activity first, excluding merged ones, limited to the actor's inboxes.
 * Keyset-paged on (lastActivityAt desc, _id desc): each page starts strictly after the previous
 * page's last ticket, so the query walks the (inboxId, status, lastActivityAt, _id) indexes instead
 * of skipping, and a ticket is never returned twice even when many share a timestamp.
 * Tag, search and "due soon" filters go through their own indexes (see the ticket model), and combine
 * with the others. An `inbox` that does not exist or is not the actor's is NOT_FOUND.
 */
export async function listTickets(deps: { inboxes: Pick<InboxStore, 'existsById'>; tickets: Pick<TicketStore, 'listPage'>; now: () => Date }, actor: Actor, rawQuery: unknown): Promise<TicketPage> {
  const query = parseInput(querySchema, rawQuery, 'Query');
  const limit = query.limit ?? DEFAULT_TICKET_PAGE;
  let inboxIds: Types.ObjectId[] | undefined;

  // An operator or API client acting as no user has no tickets of its own (not the unassigned ones).
  if (query.assignee === 'me' && !actor.userId) return { items: [], nextCursor: null };
  if (query.inbox !== undefined) {
    const inboxId = parseObjectId(query.inbox);
    if (!inboxId || !canSeeInbox(actor, inboxId) || !(await deps.inboxes.existsById(inboxId))) throw notFound('Inbox');
    inboxIds = [inboxId];
  } else {
    const scope = inboxScope(actor);
    if (scope && scope.$in.length === 0) return { items: [], nextCursor: null };
    inboxIds = scope?.$in;
  }
  const { items, hasMore } = await deps.tickets.listPage({
    ...(inboxIds ? { inboxIds } : {}),
    ...(query.status ? { statuses: query.status } : {}),
    ...(query.assignee ? { assigneeId: query.assignee === 'me' ? actor.userId : null } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    ...(query.due === 'soon' ? { dueBy: slaDueSoonBound(deps.now()) } : {}),
    ...(query.q ? { terms: query.q } : {}),
    ...(query.cursor !== undefined ? { after: decodeTicketCursor(query.cursor) } : {}),
    limit,
  });
  const last = items[items.length - 1];
  return {
    items: items.map(toTicketSummary),
    nextCursor: hasMore && last ? encodeTicketCursor({ lastActivityAt: last.lastActivityAt, id: last._id }) : null,
  };
}
