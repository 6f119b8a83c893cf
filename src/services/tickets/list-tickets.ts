import type { Types } from 'mongoose';
import { z } from 'zod';
import { slaDueSoonBound } from '../../domain/sla-due.js';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';
import { TICKET_AGE_BUCKETS, ticketAgeRange } from '../../domain/ticket-age.js';
import { ACTIVE_TICKET_STATUSES, TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { SearchQuery } from '../../domain/search-query.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketListFilter, TicketListSort, TicketStore } from '../../store/ticket-store.js';
import { canSeeInbox, notFound, ticketAccessScope, parseObjectId, type Actor } from '../access.js';
import { listParts, type ListPart } from './list-parts.js';
import { parseSearchInput, rankedParts, withSearch, type SearchTeamDeps } from './search-filter.js';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
import { toTicketListItems, type TicketListItemView, type UnreadDeps } from './ticket-summaries.js';
import { issueMessage, parseInput } from '../validate.js';

export const DEFAULT_TICKET_PAGE = 25;
export const MAX_TICKET_PAGE = 100;
/** The list's orders: last activity (default), creation, next SLA due time (default of the due-soon and breached lists). */
export const TICKET_SORTS = ['activity', 'created', 'due'] as const satisfies readonly TicketListSort[];
/** The statuses of tickets still waiting on someone: `status=active`, and the Breaching view's. */
export const ACTIVE_STATUSES = ACTIVE_TICKET_STATUSES;

const BAD_ASSIGNEE = issueMessage('issue.assigneeFilter', 'must be me, unassigned or a user id');

/** A comma-separated list of values (blank parts dropped). */
const commaList = (s: string) => s.split(',').map((part) => part.trim()).filter(Boolean);

export const querySchema = z.object({
  /** An inbox id (NOT_FOUND when the actor reaches none of its tickets). */
  inbox: z.string().optional(),
  status: z
    .string()
    // `active` names the statuses still waiting on someone (new, open, pending).
    .transform((s) => commaList(s).flatMap((part) => (part === 'active' ? [...ACTIVE_STATUSES] : [part])))
    .pipe(z.array(z.enum(TICKET_STATUSES)).min(1, issueMessage('issue.statusRequired', 'must name at least one status')))
    .optional(),
  /** `me`: assigned to the caller; `unassigned`: nobody's yet; a user id: that user's. */
  assignee: z.union([z.enum(['me', 'unassigned'], { error: BAD_ASSIGNEE }), z.string().regex(/^[0-9a-f]{24}$/i, { error: BAD_ASSIGNEE })], { error: BAD_ASSIGNEE }).optional(),
  /** `mine`: the tickets of one of the caller's teams (by their `team:<id>` access keys). */
  teams: z.enum(['mine']).optional(),
  /** A team id: that team's tickets (NOT_FOUND for a team that does not exist); `none`: the tickets of no team. */
  team: z.string().optional(),
  /** A support level: the tickets of the teams of that level. */
  level: z.enum(TEAM_LEVELS).optional(),
  /** One or more priorities, comma-separated. */
  priority: z
    .string()
    .transform(commaList)
    .pipe(z.array(z.enum(TICKET_PRIORITIES)).min(1, issueMessage('issue.priorityRequired', 'must name at least one priority')))
    .optional(),
  /** How long ago the ticket was created (domain/ticket-age.ts). */
  age: z.enum(TICKET_AGE_BUCKETS).optional(),
  /** A category id (NOT_FOUND for a category that does not exist). */
  category: z.string().optional(),
  /** One tag, exactly as stored (tags are kept lower-cased). */
  tag: z.string().trim().toLowerCase().min(1).max(50).optional(),
  /** `soon`: the SLA is breached or due within the hour (red or amber badge); `breached`: an active ticket past its due time or breached. */
  due: z.enum(['soon', 'breached']).optional(),
  /**
   * A text search (domain/search-query.ts): words found in the subject, messages, notes and requester
   * (stemmed, any case or accents; the last word also as the start of a word), `"phrases"`, `-word`, and
   * `from:`, `to:`, `tag:`, `status:`, `team:`. Subject matches are listed first unless `sort` is given.
   */
  q: z
    .string()
    .max(200)
    .transform((s, ctx): SearchQuery | undefined => {
      if (s.trim() === '') return undefined;
      const parsed = parseSearchInput(s);
      if (!('problem' in parsed)) return parsed;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    })
    .optional(),
  /** The order: `activity` (newest first), `created` (newest first), `due` (soonest due first, then tickets without a due time). */
  sort: z.enum(TICKET_SORTS).optional(),
  /** Snoozed tickets are left out of every list unless asked for: `only` lists just them (the Snoozed view), `any` both. */
  snoozed: z.enum(['only', 'any']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_TICKET_PAGE).optional(),
  cursor: z.string().optional(),
});

/** One page of tickets and where the next one starts (null on the last page). */
export interface TicketPage {
  /** Each with `unread` for the caller (their own marks only). */
  items: TicketListItemView[];
  nextCursor: string | null;
}

/**
 * Lists tickets newest activity first, excluding merged ones, limited to the actor's inboxes.
 * Keyset-paged on (lastActivityAt desc, _id desc): each page starts strictly after the previous
 * page's last ticket, so the query walks the (inboxId, status, lastActivityAt, _id) indexes instead
 * of skipping, and a ticket is never returned twice even when many share a timestamp.
 * Tag, search and "due soon" filters go through their own indexes (see the ticket model), and combine
 * with the others. An `inbox` that does not exist or is not the actor's is NOT_FOUND. Each item
 * carries its team's level, the page's teams read once.
 */
export async function listTickets(
  deps: TicketListFilterDeps & UnreadDeps & { tickets: Pick<TicketStore, 'listPage'>; messages: Pick<MessageStore, 'listTextsOfTickets'> },
  actor: Actor,
  rawQuery: unknown,
): Promise<TicketPage> {
  const query = parseInput(querySchema, rawQuery, 'Query');
  const limit = query.limit ?? DEFAULT_TICKET_PAGE;
  const cursor = query.cursor !== undefined ? decodeTicketCursor(query.cursor) : undefined;
  const filter = await ticketListFilter(deps, actor, query);
  if (!filter) return { items: [], nextCursor: null };
  const search = query.q;
  const phrases = search && (search.phrases.length > 0 || search.excludedPhrases.length > 0) ? { phrases: search.phrases, excludedPhrases: search.excludedPhrases } : undefined;
  const { rows, next } = await listParts(deps, listPartsOf(query, filter), { ...(cursor ? { cursor } : {}), limit, ...(phrases ? { phrases } : {}) });
  return { items: await toTicketListItems(deps, actor, rows), nextCursor: next ? encodeTicketCursor(next) : null };
}

/**
 * The parts a list is read in: a search without a chosen order lists subject matches first; the order
 * by due time lists the tickets with a due time (soonest first), then the others (newest activity
 * first) unless the list is the due-soon or breached one; any other list is one part.
 */
function listPartsOf(query: TicketListParams, filter: TicketListFilter): ListPart[] {
  const sort: TicketListSort = query.sort ?? (query.due ? 'due' : 'activity');
  if (query.q && query.sort === undefined && !query.due) return rankedParts(query.q, filter).map((f) => ({ filter: f, sort }));
  if (sort === 'due' && !query.due) return [{ filter, sort }, { filter: { ...filter, hasDue: false }, sort: 'activity' }];
  return [{ filter, sort }];
}

/** The list filters, parsed (what {@link querySchema} makes of a query). */
export type TicketListParams = z.infer<typeof querySchema>;

/** What turning a list query into a store filter reads: the inbox, team and category it names, and the clock. */
export type TicketListFilterDeps = SearchTeamDeps & {
  inboxes: Pick<InboxStore, 'existsById'>;
  teams: Pick<TeamStore, 'findById' | 'listByIds' | 'listIdsOfLevel' | 'listAll'>;
  categories: Pick<CategoryStore, 'findById'>;
  now: () => Date;
};

/**
 * The inbox filter for this actor: the inbox, and the access keys to keep within it (undefined: all of
 * its tickets). A member of the inbox (or an admin) sees all of it; an agent who reaches it only
 * through a team that works it sees its tickets of their teams. NOT_FOUND otherwise, or when it does
 * not exist (unless `known`).
 */
async function inboxFilter(deps: TicketListFilterDeps, actor: Actor, raw: string, known: boolean): Promise<{ inboxId: Types.ObjectId; access?: string[] }> {
  const inboxId = parseObjectId(raw);
  if (!inboxId) throw notFound('Inbox');
  if (canSeeInbox(actor, inboxId)) {
    if (!known && !(await deps.inboxes.existsById(inboxId))) throw notFound('Inbox');
    return { inboxId };
  }
  const teamIds = actor.teamIds ?? [];
  const teams = teamIds.length > 0 ? await deps.teams.listByIds(teamIds) : [];
  if (!teams.some((t) => t.inboxIds.some((id) => id.equals(inboxId))) || !(await deps.inboxes.existsById(inboxId))) throw notFound('Inbox');
  // Within the inbox, only what their team keys reach (the ticket's other key is this inbox's, not theirs).
  return { inboxId, access: teamIds.map((id) => `team:${id.toHexString()}`) };
}

/**
 * The store filter of a list query for this actor, or null when the list is empty whatever is stored.
 * The ticket list and every count of a list (views, inbox cards) go through here, so a count and the
 * list it links to are the same query. `knownInbox` skips the existence check of `inbox` when the
 * caller has just read it (the overview). Every filter is a condition on one field, ANDed with the
 * actor's access scope, so a filter by team, person or level never reaches past what the actor sees.
 * A `team` or `category` that does not exist is NOT_FOUND; a `level` without teams is an empty list.
 */
export async function ticketListFilter(
  deps: TicketListFilterDeps,
  actor: Actor,
  query: TicketListParams,
  opts: { knownInbox?: boolean } = {},
): Promise<TicketListFilter | null> {
  let inboxIds: Types.ObjectId[] | undefined;
  let access: string[] | undefined;
  if (query.inbox !== undefined) {
    const inbox = await inboxFilter(deps, actor, query.inbox, opts.knownInbox ?? false);
    inboxIds = [inbox.inboxId];
    access = inbox.access;
  } else {
    // Every ticket the actor may see: one of their inboxes' or teams' (admins: no restriction).
    access = ticketAccessScope(actor);
  }
  let teamIds: Types.ObjectId[] | undefined;
  let teamLevel: TeamLevel | undefined;
  const noTeam = query.team === 'none';
  if (query.team !== undefined && !noTeam) {
    const teamId = parseObjectId(query.team);
    const team = teamId ? await deps.teams.findById(teamId) : null;
    if (!team) throw notFound('Team');
    teamIds = [team._id];
    teamLevel = team.level;
  }
  const categoryId = query.category !== undefined ? parseObjectId(query.category) : undefined;
  if (categoryId === null || (categoryId && !(await deps.categories.findById(categoryId)))) throw notFound('Category');

  // An operator or API client acting as no user has no tickets of its own (not the unassigned ones).
  if (query.assignee === 'me' && !actor.userId) return null;
  if (access && access.length === 0) return null;
  if (query.teams === 'mine') {
    // Only the actor's teams' keys (a subset of their scope): one indexed $in, never an $or.
    access = (actor.teamIds ?? []).map((id) => `team:${id.toHexString()}`);
    if (access.length === 0) return null;
  }
  if (query.level) {
    if (noTeam) return null;
    if (teamLevel !== undefined) {
      if (teamLevel !== query.level) return null;
    } else {
      // A level is its teams' (not stored on tickets): the teams of that level, as one $in.
      teamIds = await deps.teams.listIdsOfLevel(query.level);
      if (teamIds.length === 0) return null;
    }
  }
  const statuses = query.status ?? (query.due === 'breached' ? [...ACTIVE_STATUSES] : undefined);
  const now = deps.now();
  const assigneeId = query.assignee === undefined ? undefined : query.assignee === 'me' ? actor.userId : query.assignee === 'unassigned' ? null : parseObjectId(query.assignee);
  const filter: TicketListFilter = {
    ...(inboxIds ? { inboxIds } : {}),
    ...(access ? { access } : {}),
    ...(statuses ? { statuses: [...new Set(statuses)] } : {}),
    ...(assigneeId !== undefined ? { assigneeId } : {}),
    ...(teamIds ? { teamIds } : noTeam ? { noTeam: true } : {}),
    ...(query.priority ? { priorities: [...new Set(query.priority)] } : {}),
    ...(query.age ? ticketAgeRange(query.age, now) : {}),
    ...(categoryId ? { categoryId } : {}),
    ...(query.tag ? { tags: [query.tag] } : {}),
    // Both are one range on the stored next due time (breach or earliest running due time).
    ...(query.due === 'soon' ? { dueBy: slaDueSoonBound(now) } : query.due === 'breached' ? { dueBy: now } : {}),
    // A snoozed ticket is hidden until it wakes up (the stored flag, kept by the snooze use cases and jobs).
    ...(query.snoozed === 'any' ? {} : { snoozed: query.snoozed === 'only' }),
  };
  return query.q ? withSearch(deps, filter, query.q) : filter;
}
