import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { querySchema, ticketListFilter, type TicketListFilterDeps, type TicketListParams } from './list-tickets.js';

/** The built-in views of the ticket list, in the order the view bar shows them. */
export const TICKET_VIEWS = ['mine', 'teams', 'unassigned', 'all', 'breaching', 'snoozed', 'spam'] as const;
export type TicketViewName = (typeof TICKET_VIEWS)[number];

/**
 * The list filters of each view (besides `inbox`, which any view may add). A view is exactly these
 * query parameters: its link carries them, and the list and its count read them the same way.
 */
export const VIEW_FILTERS: Readonly<Record<TicketViewName, Readonly<Record<string, string>>>> = {
  mine: { assignee: 'me', status: 'active' },
  teams: { teams: 'mine', status: 'active' },
  unassigned: { assignee: 'unassigned', status: 'active' },
  all: {},
  breaching: { due: 'breached' },
  // The others leave snoozed tickets out until they wake up; this view lists just them.
  snoozed: { snoozed: 'only' },
  // Every other list leaves spam out (a list naming no status never holds it); this one holds only spam, snoozed or not.
  spam: { status: 'spam', snoozed: 'any' },
};

/** The filters a view or a saved view can hold; `cursor` and `limit` are paging, not filters. */
export const FILTER_KEYS = ['inbox', 'status', 'assignee', 'teams', 'team', 'level', 'priority', 'age', 'category', 'tag', 'q', 'due', 'snoozed', 'sort'] as const;
export type ListFilters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

/** The filters of a query, without paging and without empty values. */
export function filtersOf(query: Record<string, unknown>): ListFilters {
  const out: ListFilters = {};
  for (const key of FILTER_KEYS) {
    const v = query[key];
    if (typeof v === 'string' && v.trim() !== '') out[key] = v;
  }
  return out;
}

/** The built-in view these filters are (ignoring `inbox`), or null when they are another combination. */
export function viewOfFilters(filters: ListFilters): TicketViewName | null {
  const { inbox: _inbox, ...rest } = filters;
  const keys = Object.keys(rest) as Array<keyof typeof rest>;
  for (const name of TICKET_VIEWS) {
    const want = VIEW_FILTERS[name];
    if (keys.length === Object.keys(want).length && keys.every((k) => want[k] === rest[k])) return name;
  }
  return null;
}

/**
 * Counts stop here: counting a long list exactly costs a read of every ticket on it, on every page
 * view. Below the cap a count is exact; at it, the page shows "100+", as a queue that long reads the same.
 */
export const COUNT_CAP = 100;

/** A view with its count: `filters` is the query of the list it links to; `more` when the count reached {@link COUNT_CAP}. */
export interface ViewCount {
  name: TicketViewName;
  filters: ListFilters;
  count: number;
  more: boolean;
}

type CountDeps = TicketListFilterDeps & { tickets: Pick<TicketStore, 'countList'> };

/**
 * Counts the tickets of a list query exactly as {@link listTickets} lists them (same parsing, same
 * access scope, same store filter): one indexed countDocuments. `knownInbox` when the caller has read
 * the inbox already.
 */
export async function countTicketList(deps: CountDeps, actor: Actor, filters: ListFilters, opts: { knownInbox?: boolean } = {}): Promise<number> {
  const query: TicketListParams = parseInput(querySchema, filters, 'Query');
  const filter = await ticketListFilter(deps, actor, query, opts);
  return filter ? deps.tickets.countList(filter, { limit: COUNT_CAP }) : 0;
}

/**
 * The built-in views (Mine, My teams, Unassigned, All, Breaching, Snoozed, Spam) with their counts (My teams only
 * for an actor in a team), in every inbox the actor
 * sees or in one (`inbox`; NOT_FOUND when it is not the actor's). Each count is one countDocuments with
 * the same filter as the view's list, counting up to {@link COUNT_CAP}; the inbox is checked once.
 */
export async function countViews(deps: CountDeps, actor: Actor, opts: { inbox?: string } = {}): Promise<ViewCount[]> {
  const inbox = opts.inbox ? { inbox: opts.inbox } : {};
  const now = deps.now();
  deps = { ...deps, now: () => now };
  if (opts.inbox) await ticketListFilter(deps, actor, parseInput(querySchema, inbox, 'Query'));
  return Promise.all(
    TICKET_VIEWS.filter((name) => name !== 'teams' || (actor.teamIds ?? []).length > 0).map(async (name) => {
      const filters: ListFilters = { ...inbox, ...VIEW_FILTERS[name] };
      const count = await countTicketList(deps, actor, filters, { knownInbox: true });
      return { name, filters, count, more: count >= COUNT_CAP };
    }),
  );
}
