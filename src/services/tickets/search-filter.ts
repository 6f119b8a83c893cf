import type { Types } from 'mongoose';
import { MAX_SEARCH_CONDITIONS, parseSearchQuery, SearchQueryError, subjectConditions, type SearchQuery, type SearchQueryProblem } from '../../domain/search-query.js';
import { foldText } from '../../domain/ticket-search.js';
import type { TicketStatus } from '../../domain/ticket-status.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketListFilter, TicketTermFilter } from '../../store/ticket-store.js';
import { issueMessage } from '../validate.js';

/** The words of each refused search, as the `q` field's issue (catalog keys under `errors:issue.`). */
const PROBLEM_TEXT: Record<SearchQueryProblem, string> = {
  noWord: issueMessage('issue.searchNoWord', 'must contain a letter or digit'),
  commonWordsOnly: issueMessage('issue.searchCommonWordsOnly', 'has only very common words; add a more specific one'),
  tooManyWords: issueMessage('issue.searchTooManyWords', `must have at most ${MAX_SEARCH_CONDITIONS} words`, { max: MAX_SEARCH_CONDITIONS }),
  unknownStatus: issueMessage('issue.searchUnknownStatus', 'status: must be new, open, pending, partner, solved or closed'),
  negatedOperator: issueMessage('issue.searchNegatedOperator', 'only tag: and status: can be negated with -'),
  emptyOperator: issueMessage('issue.searchEmptyOperator', 'an operator needs a value, as in from:alice@example.com'),
};

/** Parses the search box (`q`), or returns the English text of why it cannot run. */
export function parseSearchInput(q: string): SearchQuery | { problem: string } {
  try {
    return parseSearchQuery(q);
  } catch (err) {
    if (err instanceof SearchQueryError) return { problem: PROBLEM_TEXT[err.problem] };
    throw err;
  }
}

/** What a search's `team:` operator reads: every team, to match their names. */
export type SearchTeamDeps = { teams: Pick<TeamStore, 'listAll'> };

/**
 * A search's part of a list filter, added to `filter` (the list's own filters and the actor's scope):
 * its term conditions; `status:` narrowing the list's statuses; `tag:`; `team:` narrowing to the
 * teams whose name starts with one of the names given. Null when nothing can match (a `status:` outside
 * the list's statuses, or a `team:` no team answers to).
 */
export async function withSearch(deps: SearchTeamDeps, filter: TicketListFilter, search: SearchQuery): Promise<TicketListFilter | null> {
  const out: TicketListFilter = { ...filter };
  if (search.statuses.length > 0) {
    const wanted = new Set<TicketStatus>(search.statuses);
    out.statuses = filter.statuses ? filter.statuses.filter((s) => wanted.has(s)) : [...wanted];
    if (out.statuses.length === 0) return null;
  }
  if (search.excludedStatuses.length > 0) out.excludedStatuses = [...new Set(search.excludedStatuses)];
  if (search.tags.length > 0) out.tags = [...new Set([...(filter.tags ?? []), ...search.tags])];
  if (search.excludedTags.length > 0) out.excludedTags = [...new Set(search.excludedTags)];
  if (search.teams.length > 0) {
    if (filter.noTeam) return null;
    const named = (await deps.teams.listAll()).filter((t) => search.teams.some((name) => foldText(t.name).startsWith(name))).map((t) => t._id);
    const teamIds: Types.ObjectId[] = filter.teamIds ? filter.teamIds.filter((id) => named.some((n) => n.equals(id))) : named;
    if (teamIds.length === 0) return null;
    out.teamIds = teamIds;
  }
  const all = [...search.words, ...search.people];
  if (all.length > 0 || search.excluded.length > 0) out.search = { all, ...(search.excluded.length > 0 ? { none: search.excluded } : {}) };
  return out;
}

/**
 * The parts of a searched list, in the order they are listed: tickets whose subject holds every
 * searched word first, then the others (each part in the list's order). One part when the search
 * has no words (operators only).
 */
export function rankedParts(search: SearchQuery, filter: TicketListFilter): TicketListFilter[] {
  const base = filter.search;
  if (!base || search.words.length === 0) return [filter];
  const subject = subjectConditions(search.words);
  const first: TicketTermFilter = { ...base, all: [...subject, ...search.people] };
  const rest: TicketTermFilter = { ...base, notAll: subject };
  return [{ ...filter, search: first }, { ...filter, search: rest }];
}
