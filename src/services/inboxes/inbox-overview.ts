import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { COUNT_CAP, countTicketList, VIEW_FILTERS, type ListFilters } from '../tickets/count-views.js';
import type { TicketListFilterDeps } from '../tickets/list-tickets.js';
import { listInboxes } from './list-inboxes.js';
import type { InboxStatusView } from './inbox-view.js';

/** The cards of an inbox on the overview, in order. */
export const OVERVIEW_CARDS = ['unassigned', 'mine', 'open', 'pending', 'breaching'] as const;
export type OverviewCardName = (typeof OVERVIEW_CARDS)[number];

/**
 * The ticket list each card counts and links to (besides the inbox). Unassigned, Mine and Breaching
 * are the list's views; Open is what waits on the team (new or open); Pending waits on the customer.
 */
const CARD_FILTERS: Readonly<Record<OverviewCardName, Readonly<ListFilters>>> = {
  unassigned: VIEW_FILTERS.unassigned,
  mine: VIEW_FILTERS.mine,
  open: { status: 'new,open' },
  pending: { status: 'pending' },
  breaching: VIEW_FILTERS.breaching,
};

/** A card: its count and the filters of the list it links to (that list holds exactly `count` tickets). */
export interface OverviewCard {
  name: OverviewCardName;
  /** Exact below COUNT_CAP; `more` when it reached the cap. */
  count: number;
  more: boolean;
  filters: ListFilters;
}

/** An inbox on the overview page: its cards and its poller's health. */
export interface InboxOverview {
  id: string;
  name: string;
  address: string;
  status: InboxStatusView;
  cards: OverviewCard[];
}

/**
 * Every inbox the actor may see with its cards. Each count is one indexed countDocuments with the same
 * filter as the list the card links to (see countTicketList), cheap for the handful of inboxes a team has.
 */
export async function inboxOverview(
  deps: Omit<TicketListFilterDeps, 'inboxes'> & { inboxes: Pick<InboxStore, 'listByName' | 'statusesOf' | 'existsById'>; tickets: Pick<TicketStore, 'countList'> },
  actor: Actor,
): Promise<InboxOverview[]> {
  const inboxes = await listInboxes(deps, actor);
  const now = deps.now();
  const fixed = { ...deps, now: () => now };
  return Promise.all(
    inboxes.map(async (inbox) => {
      const cards = await Promise.all(
        OVERVIEW_CARDS.map(async (name) => {
          const filters: ListFilters = { inbox: inbox.id, ...CARD_FILTERS[name] };
          const count = await countTicketList(fixed, actor, filters, { knownInbox: true });
          return { name, filters, count, more: count >= COUNT_CAP };
        }),
      );
      return { id: inbox.id, name: inbox.name, address: inbox.address, status: inbox.status, cards };
    }),
  );
}
