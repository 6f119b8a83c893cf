import { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { ReportFilter } from '../../domain/report.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { ReportScope } from '../../store/report-store.js';
import type { TeamStore } from '../../store/team-store.js';
import { notFound, visibleInboxIds, type Actor } from '../access.js';

/** What deciding a report's scope reads. */
export interface ReportScopeDeps {
  inboxes: Pick<InboxStore, 'listNamesByIds'>;
  teams: Pick<TeamStore, 'listIdsOfLevel'>;
}

/** FORBIDDEN for agents: reports are for managers and admins. */
export function requireReportReader(actor: Actor): void {
  if (actor.role === 'agent') throw new AppError('FORBIDDEN', 'Reports are for managers and admins', { key: 'forbidden.reportsForManagers' });
}

/**
 * What can be refused without reading anything: FORBIDDEN for agents, NOT_FOUND for a manager's
 * `inbox` filter naming an inbox they are not a member of. {@link reportScopeOf} checks it too.
 */
export function checkReportAccess(actor: Actor, filter: Pick<ReportFilter, 'inboxIds'>): void {
  requireReportReader(actor);
  const visible = visibleInboxIds(actor);
  if (visible !== 'all' && filter.inboxIds.some((id) => !visible.some((v) => v.toHexString() === id))) throw notFound('Inbox');
}

/**
 * The tickets a report of this actor covers: managers and admins only (FORBIDDEN for agents); the
 * inboxes asked for, each one the actor may see (NOT_FOUND otherwise, as for a missing inbox), else
 * every inbox they see; the team (of the level, when both are asked: none if it is of another level).
 */
export async function reportScopeOf(deps: ReportScopeDeps, actor: Actor, filter: ReportFilter): Promise<ReportScope> {
  checkReportAccess(actor, filter);
  const visible = visibleInboxIds(actor);
  let inboxIds: Types.ObjectId[] | null = visible === 'all' ? null : visible;
  if (filter.inboxIds.length > 0) {
    const asked = filter.inboxIds.map((id) => new Types.ObjectId(id));
    if ((await deps.inboxes.listNamesByIds(asked)).length !== asked.length) throw notFound('Inbox');
    inboxIds = asked;
  }
  let teamIds: Types.ObjectId[] | null = filter.teamId ? [new Types.ObjectId(filter.teamId)] : null;
  if (filter.level) {
    const ofLevel = await deps.teams.listIdsOfLevel(filter.level);
    teamIds = teamIds ? teamIds.filter((id) => ofLevel.some((t) => t.equals(id))) : ofLevel;
  }
  const id = (hex: string | null) => (hex ? new Types.ObjectId(hex) : null);
  return { inboxIds, teamIds, assigneeId: id(filter.agentId), categoryId: id(filter.categoryId), priority: filter.priority, tag: filter.tag };
}
