import { TEAM_LEVELS } from '../../domain/teams.js';
import { TICKET_AGE_BUCKETS } from '../../domain/ticket-age.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { Translator } from '../../i18n/catalog.js';
import { FILTER_KEYS, type ListFilters } from '../../services/tickets/count-views.js';
import { TICKET_SORTS } from '../../services/tickets/list-tickets.js';
import type { FilterTeam } from '../../services/tickets/list-filter-teams.js';
import { queryText } from './form-fields.js';

/** The list page's query: its filters (every key of FILTER_KEYS, as sent) and the page's cursor. */
export type ListPageQuery = ListFilters & { cursor?: string };

/** The filters the form has no field for: kept as hidden fields, so filtering again keeps them. */
const HIDDEN_FILTERS = ['teams', 'category'] as const;

/** The list filters of a `GET /tickets` query and its cursor; empty and repeated values are left out (a blank tag is no tag). */
export function listPageQuery(query: Record<string, unknown>): ListPageQuery {
  const out: ListPageQuery = {};
  for (const key of FILTER_KEYS) {
    const value = key === 'tag' ? queryText(query[key])?.trim() : queryText(query[key]);
    if (value) out[key] = value;
  }
  const cursor = queryText(query.cursor);
  return cursor ? { ...out, cursor } : out;
}

interface SelectOption {
  value: string;
  label: string;
  selected: boolean;
}

/** Options of a select, the current value chosen; a value none of them has (a link's, a saved view's) is added so it stays chosen. */
function select(options: Array<{ value: string; label: string }>, current: string | undefined, labelOf: (value: string) => string = (v) => v): SelectOption[] {
  const listed = options.map((o) => ({ ...o, selected: o.value === current }));
  return current !== undefined && !options.some((o) => o.value === current) ? [...listed, { value: current, label: labelOf(current), selected: true }] : listed;
}

/**
 * The filter form's fields for the current filters: the options of each select (inbox, status,
 * assignee, team, level, priority, age, SLA, snoozed) and the filters without a field of their own, kept hidden.
 */
export function listFilterFields(
  filters: ListPageQuery,
  data: { inboxes: Array<{ id: string; name: string }>; teams: FilterTeam[]; users: ReadonlyMap<string, string> },
  t: Translator['t'],
) {
  const level = (l: string) => t('common:level', { level: l });
  const priorityLabel = (p: string) => p.split(',').map((part) => ((TICKET_PRIORITIES as readonly string[]).includes(part.trim()) ? t(`common:priority.${part.trim()}`) : part)).join(', ');
  return {
    inboxOptions: data.inboxes.map((i) => ({ id: i.id, name: i.name, selected: i.id === filters.inbox })),
    statusOptions: ['active', 'new,open', ...TICKET_STATUSES].map((s) => ({ value: s, label: s.includes(',') || s === 'active' ? t(`tickets:list.filter.statusGroup.${s === 'active' ? 'active' : 'newOpen'}`) : t(`common:status.${s}`), selected: s === filters.status })),
    assigneeOptions: select(
      [{ value: 'me', label: t('tickets:list.filter.assignedToMe') }, { value: 'unassigned', label: t('tickets:list.filter.unassigned') }],
      filters.assignee,
      (id) => data.users.get(id) ?? t('tickets:list.filter.someone'),
    ),
    teamOptions: select(data.teams.map((team) => ({ value: team.id, label: `${team.name} (${level(team.level)})` })), filters.team, () => t('tickets:list.filter.unknownTeam')),
    priorityOptions: select(TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`common:priority.${p}`) })), filters.priority, priorityLabel),
    ageOptions: select(TICKET_AGE_BUCKETS.map((b) => ({ value: b, label: t(`tickets:list.filter.ageBucket.${b}`) })), filters.age),
    sortOptions: select(TICKET_SORTS.map((s) => ({ value: s, label: t(`tickets:list.filter.sortOption.${s}`) })), filters.sort),
    dueOptions: select([{ value: 'soon', label: t('tickets:list.filter.dueSoon') }, { value: 'breached', label: t('tickets:list.filter.breached') }], filters.due),
    levelOptions: select(TEAM_LEVELS.map((l) => ({ value: l, label: level(l) })), filters.level),
    // Without a value snoozed tickets are hidden, as in every view but Snoozed.
    snoozedOptions: select([{ value: 'only', label: t('tickets:list.filter.snoozedOnly') }, { value: 'any', label: t('tickets:list.filter.snoozedAny') }], filters.snoozed),
    hiddenFilters: HIDDEN_FILTERS.flatMap((name) => (filters[name] ? [{ name, value: filters[name] }] : [])),
  };
}
