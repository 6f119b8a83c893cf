import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';
import { ASSIGNMENT_CAP_MAX, ASSIGNMENT_MODES, NO_ASSIGNMENT, type AssignmentSettings } from '../../domain/auto-assign.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TeamDoc } from '../../store/models/team.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { inputIssue, issueMessage, parseInput } from '../validate.js';

/** The longest team name. */
export const TEAM_NAME_MAX = 80;
/** The most members and inboxes a team holds. */
export const TEAM_LIST_MAX = 500;

/** A team as the API and the pages show it. */
export interface TeamView {
  id: string;
  name: string;
  level: TeamLevel;
  memberIds: string[];
  inboxIds: string[];
  /** Auto-assignment: `none`, `round_robin` or `least_open`, and the most open tickets per agent (null: no cap). */
  assignment: AssignmentSettings;
  createdAt: Date;
  updatedAt: Date;
}

type TeamDeps = {
  teams: Pick<TeamStore, 'findById' | 'listAll' | 'listByIds' | 'findByName' | 'create' | 'update' | 'delete' | 'setAssignment'>;
  inboxes: Pick<InboxStore, 'listNamesByIds'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
};

/**
 * What re-plans the SLA clocks of a team's tickets when their level changes (a level may have SLA
 * targets of its own). Without `refreshSla` (an API built without the SLA use cases) nothing is re-planned.
 */
type TeamSlaDeps = {
  tickets: Pick<TicketStore, 'activeIdsOfTeam'>;
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  /** Assigns the team's waiting tickets after its mode, cap or members changed (services/teams/assignment-refill.ts); none when absent. */
  refillTeam?: (teamId: Types.ObjectId) => Promise<void>;
};

/** Re-plans the SLA clocks of the team's active tickets, so the targets of its level apply at once. */
async function replanTeamTickets(deps: TeamSlaDeps, teamId: Types.ObjectId): Promise<void> {
  if (!deps.refreshSla) return;
  for await (const ticketId of deps.tickets.activeIdsOfTeam(teamId)) await deps.refreshSla(ticketId);
}

const name = z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(TEAM_NAME_MAX);
const level = z.enum(TEAM_LEVELS);
const ids = z.array(z.string()).max(TEAM_LIST_MAX);
/** Auto-assignment: a mode and a per-agent cap of open tickets (null: no cap). */
const assignment = z.strictObject({
  mode: z.enum(ASSIGNMENT_MODES),
  cap: z.number().int().min(0).max(ASSIGNMENT_CAP_MAX).nullable().optional(),
});
export const createTeamSchema = z.strictObject({ name, level, memberIds: ids.optional(), inboxIds: ids.optional(), assignment: assignment.optional() });
export const updateTeamSchema = z.strictObject({ name: name.optional(), level: level.optional(), memberIds: ids.optional(), inboxIds: ids.optional(), assignment: assignment.optional() });

export const toTeamView = (t: TeamDoc): TeamView => ({
  id: t._id.toHexString(),
  name: t.name,
  level: t.level,
  memberIds: (t.memberIds ?? []).map((id) => id.toHexString()),
  inboxIds: (t.inboxIds ?? []).map((id) => id.toHexString()),
  assignment: t.assignment ? { mode: t.assignment.mode, cap: t.assignment.cap ?? null } : NO_ASSIGNMENT,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

const invalid = (path: string, key: string, english: string) =>
  new AppError('VALIDATION_FAILED', 'Team is invalid', { details: { issues: [inputIssue(path, key, english)] }, key: 'input.invalid', params: { what: 'Team' } });

/** Parses a list of ids that must all name existing documents (VALIDATION_FAILED naming the field otherwise); duplicates dropped. */
async function existingIds(values: string[], path: 'memberIds' | 'inboxIds', exist: (ids: Types.ObjectId[]) => Promise<Array<{ _id: Types.ObjectId }>>): Promise<Types.ObjectId[]> {
  const parsed = [...new Set(values)].map(parseObjectId);
  if (parsed.some((id) => id === null)) throw invalid(path, path === 'memberIds' ? 'issue.userId' : 'issue.inboxId', path === 'memberIds' ? 'must be user ids' : 'must be inbox ids');
  const list = parsed as Types.ObjectId[];
  if (list.length === 0) return [];
  const found = await exist(list);
  if (found.length !== list.length) throw invalid(path, path === 'memberIds' ? 'issue.userMissing' : 'issue.inboxMissing', path === 'memberIds' ? 'names a user that does not exist' : 'names an inbox that does not exist');
  return list;
}

/** CONFLICT when another team already has this name. */
async function checkNameFree(deps: Pick<TeamDeps, 'teams'>, teamName: string, self?: Types.ObjectId) {
  const other = await deps.teams.findByName(teamName);
  if (other && !(self && other._id.equals(self))) {
    throw new AppError('CONFLICT', `A team named ${teamName} already exists`, { key: 'conflict.teamNameTaken', params: { name: teamName } });
  }
}

/** Every team, by level then name (admins and managers; agents see the teams they are in). */
export async function listTeams(deps: Pick<TeamDeps, 'teams'>, actor: Actor): Promise<TeamView[]> {
  if (actor.role === 'admin' || actor.role === 'manager') return (await deps.teams.listAll()).map(toTeamView);
  const mine = actor.teamIds ?? [];
  if (mine.length === 0) return [];
  const teams = await deps.teams.listByIds(mine);
  return teams.sort((a, b) => a.level.localeCompare(b.level) || a.name.localeCompare(b.name)).map(toTeamView);
}

/** One team (admins and managers; an agent only their own, else NOT_FOUND). */
export async function getTeam(deps: Pick<TeamDeps, 'teams'>, actor: Actor, id: string): Promise<TeamView> {
  const teamId = parseObjectId(id);
  const team = teamId ? await deps.teams.findById(teamId) : null;
  const mayRead = actor.role === 'admin' || actor.role === 'manager' || (team && (actor.teamIds ?? []).some((t) => t.equals(team._id)));
  if (!team || !mayRead) throw notFound('Team');
  return toTeamView(team);
}

/** Adds a team (admins): a unique name, a level, members and the inboxes whose tickets it may work. */
export async function createTeam(deps: TeamDeps, actor: Actor, input: unknown): Promise<TeamView> {
  requireAdmin(actor);
  const fields = parseInput(createTeamSchema, input, 'Team');
  const memberIds = await existingIds(fields.memberIds ?? [], 'memberIds', (l) => deps.users.listLabelsByIds(l));
  const inboxIds = await existingIds(fields.inboxIds ?? [], 'inboxIds', (l) => deps.inboxes.listNamesByIds(l));
  await checkNameFree(deps, fields.name);
  const created = await deps.teams.create({ name: fields.name, level: fields.level, memberIds, inboxIds });
  if (!fields.assignment) return toTeamView(created);
  return toTeamView((await deps.teams.setAssignment(created._id, { mode: fields.assignment.mode, cap: fields.assignment.cap ?? null })) ?? created);
}

/**
 * Renames a team, changes its level, members, inboxes or auto-assignment (admins). Members gain or
 * lose access at their next request; a new level re-plans the SLA clocks of the team's active tickets;
 * a new mode, cap or members assign the tickets waiting for a free agent.
 */
export async function updateTeam(deps: TeamDeps & TeamSlaDeps, actor: Actor, id: string, input: unknown): Promise<TeamView> {
  requireAdmin(actor);
  const teamId = parseObjectId(id);
  const current = teamId ? await deps.teams.findById(teamId) : null;
  if (!current) throw notFound('Team');
  const fields = parseInput(updateTeamSchema, input, 'Team');
  const memberIds = fields.memberIds !== undefined ? await existingIds(fields.memberIds, 'memberIds', (l) => deps.users.listLabelsByIds(l)) : undefined;
  const inboxIds = fields.inboxIds !== undefined ? await existingIds(fields.inboxIds, 'inboxIds', (l) => deps.inboxes.listNamesByIds(l)) : undefined;
  if (fields.name !== undefined && fields.name !== current.name) await checkNameFree(deps, fields.name, current._id);
  const updated = await deps.teams.update(current._id, {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.level !== undefined ? { level: fields.level } : {}),
    ...(memberIds ? { memberIds } : {}),
    ...(inboxIds ? { inboxIds } : {}),
  });
  if (!updated) throw notFound('Team');
  if (updated.level !== current.level) await replanTeamTickets(deps, updated._id);
  const settings = fields.assignment ? await deps.teams.setAssignment(updated._id, { mode: fields.assignment.mode, cap: fields.assignment.cap ?? null }) : null;
  // A new mode, a higher cap or new members may free places: the team's waiting tickets are assigned.
  if (fields.assignment || memberIds) await deps.refillTeam?.(updated._id);
  return toTeamView(settings ?? updated);
}

/**
 * Removes a team (admins). Its tickets are taken off it (no team, so no level: their SLA clocks are
 * re-planned on the priority targets, and only their inbox's members see them from then on), and
 * inboxes that gave it to new tickets give none.
 */
export async function deleteTeam(
  deps: Pick<TeamDeps, 'teams'> & TeamSlaDeps & { tickets: Pick<TicketStore, 'detachTeam'>; inboxes: Pick<InboxStore, 'clearDefaultTeam'> },
  actor: Actor,
  id: string,
): Promise<void> {
  requireAdmin(actor);
  const teamId = parseObjectId(id);
  if (!teamId || !(await deps.teams.findById(teamId))) throw notFound('Team');
  // The team goes last, so a crash part-way leaves it in place for the admin to delete again.
  await deps.inboxes.clearDefaultTeam(teamId);
  const active: Types.ObjectId[] = [];
  if (deps.refreshSla) for await (const ticketId of deps.tickets.activeIdsOfTeam(teamId)) active.push(ticketId);
  await deps.tickets.detachTeam(teamId);
  if (!(await deps.teams.delete(teamId))) throw notFound('Team');
  for (const ticketId of active) await deps.refreshSla!(ticketId);
}
