import type { Types } from 'mongoose';
import { z } from 'zod';
import { slaDueSoonBound } from '../../domain/sla-due.js';
import { TICKET_STATUSES } from '../../domain/ticket-status.js';
import { searchQueryTerms } from '../../domain/ticket-search.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketListFilter, TicketStore } from '../../store/ticket-store.js';
import { canSeeInbox, notFound, ticketAccessScope, parseObjectId, type Actor } from '../access.js';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
import { toTicketSummary, type TicketSummaryView } from './ticket-view.js';
import { issueMessage, parseInput } from '../validate.js';

export const DEFAULT_TICKET_PAGE = 25;
export const MAX_TICKET_PAGE = 100;
export const MAX_SEARCH_WORDS = 8;
/** The statuses of tickets still waiting on someone: `status=active`, and the Breaching view's. */
export const ACTIVE_STATUSES = ['new', 'open', 'pending'] as const;

export const querySchema = z.object({
  inbox: z.string().optional(),
  status: z
    .string()
    // `active` names the statuses still waiting on someone (new, open, pending).
    .transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean).flatMap((part) => (part === 'active' ? [...ACTIVE_STATUSES] : [part])))
    .pipe(z.array(z.enum(TICKET_STATUSES)).min(1, issueMessage('issue.statusRequired', 'must name at least one status')))
    .optional(),
  /** `me`: assigned to the caller; `unassigned`: nobody's yet. */
  assignee: z.enum(['me', 'unassigned']).optional(),
  /** `mine`: the tickets of one of the caller's teams (by their `team:<id>` access keys). */
  teams: z.enum(['mine']).optional(),
  /** One tag, exactly as stored (tags are kept lower-cased). */
  tag: z.string().trim().toLowerCase().min(1).max(50).optional(),
  /** `soon`: the SLA is breached or due within the hour (red or amber badge); `breached`: an active ticket past its due time or breached. */
  due: z.enum(['soon', 'breached']).optional(),
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
  const filter = await ticketListFilter(deps, actor, query);
  if (!filter) return { items: [], nextCursor: null };
  const { items, hasMore } = await deps.tickets.listPage({
    ...filter,
    ...(query.cursor !== undefined ? { after: decodeTicketCursor(query.cursor) } : {}),
    limit,
  });
  const last = items[items.length - 1];
  return {
    items: items.map(toTicketSummary),
    nextCursor: hasMore && last ? encodeTicketCursor({ lastActivityAt: last.lastActivityAt, id: last._id }) : null,
  };
}

/** The list filters, parsed (what {@link querySchema} makes of a query). */
export type TicketListParams = z.infer<typeof querySchema>;

/**
 * The store filter of a list query for this actor, or null when the list is empty whatever is stored.
 * The ticket list and every count of a list (views, inbox cards) go through here, so a count and the
 * list it links to are the same query. `knownInbox` skips the existence check of `inbox` when the
 * caller has just read it (the overview).
 */
export async function ticketListFilter(
  deps: { inboxes: Pick<InboxStore, 'existsById'>; now: () => Date },
  actor: Actor,
  query: TicketListParams,
  opts: { knownInbox?: boolean } = {},
): Promise<TicketListFilter | null> {
  let inboxIds: Types.ObjectId[] | undefined;
  let access: string[] | undefined;
  // An operator or API client acting as no user has no tickets of its own (not the unassigned ones).
  if (query.assignee === 'me' && !actor.userId) return null;
  if (query.inbox !== undefined) {
    const inboxId = parseObjectId(query.inbox);
    if (!inboxId || !canSeeInbox(actor, inboxId) || (!opts.knownInbox && !(await deps.inboxes.existsById(inboxId)))) throw notFound('Inbox');
    inboxIds = [inboxId];
  } else {
    // Every ticket the actor may see: one of their inboxes' or teams' (admins: no restriction).
    access = ticketAccessScope(actor);
    if (access && access.length === 0) return null;
  }
  if (query.teams === 'mine') {
    // Only the actor's teams' keys (a subset of their scope): one indexed $in, never an $or.
    access = (actor.teamIds ?? []).map((id) => `team:${id.toHexString()}`);
    if (access.length === 0) return null;
  }
  const statuses = query.status ?? (query.due === 'breached' ? [...ACTIVE_STATUSES] : undefined);
  const now = deps.now();
  return {
    ...(inboxIds ? { inboxIds } : {}),
    ...(access ? { access } : {}),
    ...(statuses ? { statuses: [...new Set(statuses)] } : {}),
    ...(query.assignee ? { assigneeId: query.assignee === 'me' ? actor.userId : null } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    // Both are one range on the stored next due time (breach or earliest running due time).
    ...(query.due === 'soon' ? { dueBy: slaDueSoonBound(now) } : query.due === 'breached' ? { dueBy: now } : {}),
    ...(query.q ? { terms: query.q } : {}),
  };
}
