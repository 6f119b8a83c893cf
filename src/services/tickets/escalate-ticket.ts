import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError, isAppError } from '../../domain/errors.js';
import { checkChangeable } from '../../domain/ticket.js';
import { chooseEscalationTeam, escalatedFromAfter, escalationCandidates, nextLevel } from '../../domain/escalation.js';
import type { SlaClock } from '../../domain/sla.js';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';
import type { TeamDoc } from '../../store/models/team.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { parseObjectId, type Actor } from '../access.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { inputIssue, parseInput, type InputIssue } from '../validate.js';
import { toTicketClassification, toTicketSummary, type TicketStateView } from './ticket-view.js';
import { workableTicket } from './visible-ticket.js';

/** The longest escalation note, like any internal note. */
const MAX_NOTE_CHARS = 100_000;

/**
 * `POST /tickets/:id/escalate` and the ticket page's Escalate form. `teamId`: the team to move to
 * (required when several work the inbox at the target level). `level`: a level above the next one,
 * to skip a level (an L1 agent who knows the case needs the L3 experts); by default the next level.
 * `note`: why, for the team taking over (required).
 */
export const escalateSchema = z.strictObject({
  teamId: z.string().optional(),
  level: z.enum(TEAM_LEVELS).optional(),
  note: z.string(),
});

/** What escalating needs: the ticket and its note, the teams of its inbox, and re-planning its SLA. */
export interface EscalateTicketDeps {
  tickets: Pick<TicketStore, 'findById' | 'escalate' | 'addNote'>;
  teams: Pick<TeamStore, 'findById' | 'listOfInbox'>;
  now: () => Date;
  /** Re-plans the SLA clocks: from the escalation on, with the new level's targets. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change; none when absent. */
  afterAgentAction?: AgentActionFollowUp;
}

/** The teams a ticket may go to, for the form: the next level (or `level`) and its teams. */
export interface EscalationOptions {
  level: TeamLevel | null;
  teams: Array<{ id: string; name: string; level: TeamLevel }>;
}

const invalid = (issues: InputIssue[]) => new AppError('VALIDATION_FAILED', 'Escalation is invalid', { details: { issues }, key: 'input.invalid', params: { what: 'Escalation' } });

async function levelOf(deps: Pick<EscalateTicketDeps, 'teams'>, ticket: TicketDoc): Promise<{ team: TeamDoc | null; level: TeamLevel | null }> {
  const team = ticket.teamId ? await deps.teams.findById(ticket.teamId) : null;
  return { team, level: team?.level ?? null };
}

/** Where a ticket may be escalated, as the form lists it (the page computes the same from what it read). */
export async function escalationOptions(deps: Pick<EscalateTicketDeps, 'tickets' | 'teams'>, actor: Actor, id: string, level?: TeamLevel): Promise<EscalationOptions> {
  const ticket = await workableTicket(deps.tickets, actor, id);
  const current = await levelOf(deps, ticket);
  const target = level ?? nextLevel(current.level);
  const teams = escalationCandidates(await deps.teams.listOfInbox(ticket.inboxId), { inboxId: ticket.inboxId, teamId: ticket.teamId ?? null, level: current.level }, target ?? undefined);
  return { level: target, teams: teams.map((t) => ({ id: t._id.toHexString(), name: t.name, level: t.level })) };
}

/** Who escalates and why: an agent with their note, or the SLA ladder (its rung, the clock that breached). */
type Escalator = { kind: 'user'; actor: Actor; note: string } | { kind: 'system'; ladderName: string | null; clock: SlaClock | null };

/**
 * Moves the ticket to `team` (already checked to be a candidate): access keys, escalated-from
 * teams, assignee (kept only when a member of the new team), SLA from now on; the note (an agent's)
 * and the trail entries; then re-plans the SLA timers. CONFLICT when the ticket moved meanwhile.
 */
async function moveTo(deps: EscalateTicketDeps, ticket: TicketDoc, from: { team: TeamDoc | null; level: TeamLevel | null }, team: TeamDoc, by: Escalator): Promise<void> {
  const at = deps.now();
  const keepAssignee = ticket.assigneeId ? team.memberIds.some((m) => m.equals(ticket.assigneeId!)) : true;
  const actor = by.kind === 'user' ? { kind: 'user' as const, id: by.actor.userId } : { kind: 'system' as const, label: 'sla' };
  const data = {
    from: from.team ? { id: from.team._id, name: from.team.name, level: from.level } : null,
    fromLevel: from.level ?? 'L1',
    to: { id: team._id, name: team.name, level: team.level },
    ...(by.kind === 'system' ? { reason: 'sla', ladderName: by.ladderName, clock: by.clock } : { reason: 'agent' }),
  };
  const events = [
    { ticketId: ticket._id, type: 'level_escalated' as const, actor, at, data },
    ...(!keepAssignee ? [{ ticketId: ticket._id, type: 'assigned' as const, actor, at, data: { from: ticket.assigneeId ?? null, to: null, reason: 'escalated' } }] : []),
    { ticketId: ticket._id, type: 'sla_level_applied' as const, actor, at, data: { level: team.level, since: at } },
  ];
  const moved = await deps.tickets.escalate(ticket._id, {
    inboxId: ticket.inboxId,
    fromTeamId: ticket.teamId ?? null,
    toTeamId: team._id,
    escalatedFromTeamIds: escalatedFromAfter(ticket.escalatedFromTeamIds ?? [], ticket.teamId ?? null, team._id),
    ...(keepAssignee ? {} : { assigneeId: null }),
    at,
    paused: ticket.status === 'pending' || ticket.status === 'spam',
  }, events);
  if (!moved) throw new AppError('CONFLICT', 'The ticket changed team or was merged meanwhile; reload it and try again', { key: 'conflict.escalationRace' });
  if (by.kind === 'user') await deps.tickets.addNote({ ticketId: ticket._id, inboxId: ticket.inboxId, text: by.note, authorId: by.actor.userId, at });
  await deps.refreshSla(ticket._id);
}

/**
 * "Escalate": moves a ticket the actor may work (NOT_FOUND when hidden, FORBIDDEN when they only read
 * it as a team it was escalated from) to a team one level up (L1 → L2 …; a ticket without a team
 * counts as L1), or to `level` when that lies higher, among the teams that work its inbox; `teamId`
 * chooses when several do. The note is required and kept as an internal note. The assignee stays
 * only if they are a member of the new team. The ticket stays visible, read-only, to the team it
 * left. Its SLA clocks start over at the escalation with the new level's targets (the inbox policy's
 * `levelTargets`, else its priority targets). A merged ticket takes no changes (CONFLICT).
 */
export async function escalateTicket(deps: EscalateTicketDeps, actor: Actor, id: string, input: unknown): Promise<TicketStateView> {
  const ticket = await workableTicket(deps.tickets, actor, id);
  checkChangeable(ticket);
  const body = parseInput(escalateSchema, input, 'Escalation');
  const note = body.note.trim();
  const issues: InputIssue[] = [];
  if (!note) issues.push(inputIssue('note', 'issue.required', 'is required'));
  else if (note.length > MAX_NOTE_CHARS) issues.push(inputIssue('note', 'issue.tooLong', 'is too long'));
  const from = await levelOf(deps, ticket);
  const target = body.level ?? nextLevel(from.level);
  const candidates = target ? escalationCandidates(await deps.teams.listOfInbox(ticket.inboxId), { inboxId: ticket.inboxId, teamId: ticket.teamId ?? null, level: from.level }, target) : [];
  const wanted = body.teamId ? parseObjectId(body.teamId) : null;
  const choice = chooseEscalationTeam(candidates, body.teamId ? (wanted ?? { equals: () => false }) : null);
  if (!choice.ok) {
    if (choice.reason === 'none') issues.push(body.level ? inputIssue('level', 'issue.escalation.noTeamAtLevel', 'no team works this inbox at that level above the ticket\'s') : inputIssue('teamId', 'issue.escalation.noNextLevel', 'no team works this inbox at the next level'));
    else if (choice.reason === 'choose') issues.push(inputIssue('teamId', 'issue.escalation.choose', 'is required: several teams work this inbox at that level'));
    else issues.push(inputIssue('teamId', 'issue.escalation.notCandidate', 'must be a team of the target level that works this ticket\'s inbox'));
  }
  if (issues.length > 0 || !choice.ok) throw invalid(issues);
  await moveTo(deps, ticket, from, choice.team, { kind: 'user', actor, note });
  await deps.afterAgentAction?.(ticket._id);
  const updated = (await deps.tickets.findById(ticket._id))!;
  return { ...toTicketSummary(updated, choice.team.level), ...toTicketClassification(updated) };
}

/**
 * The SLA ladder's "escalate to level Lx" step, acting as Threadline: moves the ticket to the one
 * team at `level` that works its inbox (with several, the first by name: the ladder cannot ask), as
 * {@link escalateTicket} does, the trail naming the rung and the breached clock instead of a note.
 * Skipped when the ticket is merged, already at or above `level`, or no team works the inbox there.
 */
export async function escalateTicketAsSystem(
  deps: EscalateTicketDeps,
  ticketId: Types.ObjectId,
  step: { level: TeamLevel; ladderName: string | null; clock: SlaClock | null },
): Promise<'escalated' | 'skipped'> {
  const ticket = await deps.tickets.findById(ticketId);
  if (!ticket || ticket.mergedIntoId) return 'skipped';
  const from = await levelOf(deps, ticket);
  const candidates = escalationCandidates(await deps.teams.listOfInbox(ticket.inboxId), { inboxId: ticket.inboxId, teamId: ticket.teamId ?? null, level: from.level }, step.level);
  const team = [...candidates].sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!team) return 'skipped';
  try {
    await moveTo(deps, ticket, from, team, { kind: 'system', ladderName: step.ladderName, clock: step.clock });
  } catch (err) {
    // Someone moved it meanwhile: their move stands.
    if (isAppError(err, 'CONFLICT')) return 'skipped';
    throw err;
  }
  return 'escalated';
}
