import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import type { NotificationKind } from '../../domain/notifications.js';
import { DEFAULT_SLA_POLICY, nextSlaEvent, resumeSla, slaDueTimes, slaPausedIn, validateSlaPolicy, type SlaEvent, type SlaEventInput, type SlaPolicy } from '../../domain/sla.js';
import { slaNextDueAt } from '../../domain/sla-due.js';
import type { TeamLevel } from '../../domain/teams.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { SlaClockFields, TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import type { StoredUser, UserStore } from '../../store/user-store.js';
import { parseObjectId } from '../access.js';
import { notify, type NotifyDeps } from '../notifications/notify.js';
import { escalateTicketAsSystem, type EscalateTicketDeps } from '../tickets/escalate-ticket.js';
import type { QueueMailDeps } from '../outbound/queue-mail.js';
import type { LocaleDefaults, RenderEmailFn } from '../outbound/render-types.js';

export const SLA_TIMER_JOB = 'sla-timer';


export interface SlaDeps extends QueueMailDeps {
  tickets: Pick<TicketStore, 'findById' | 'listByIds' | 'setSlaClocks' | 'setSlaClocksMany' | 'markSlaBreached' | 'markSlaEventDone'> & EscalateTicketDeps['tickets'];
  trail: Pick<TrailStore, 'record'>;
  /** Who SLA reminders, breaches and escalations concern, and their names on the notifications. */
  users: Pick<UserStore, 'listEscalationTargets' | 'listReminderTargets' | 'listNotifyTargets' | 'findLabelById'>;
  /** The tickets' inboxes, for their SLA policies. */
  inboxes: Pick<InboxStore, 'findById' | 'listSlasByIds'>;
  /** The tickets' teams, for their support level (a level may have targets of its own) and their members. */
  teams: Pick<TeamStore, 'findById' | 'listByIds' | 'listAll'> & EscalateTicketDeps['teams'];
  /** Reminders, breaches and escalations are notifications, mailed in batches per person. */
  notifications: NotifyDeps['notifications'];
  render: RenderEmailFn;
  logger: Logger;
  /** Where agents open a ticket, e.g. https://help.example.com/tickets/ (null: no link). */
  ticketUrlBase: string | null;
  /** DEFAULT_LOCALE and DEFAULT_TIME_ZONE: the language and zone of mail to users who chose neither (English, UTC without). */
  localeDefaults?: LocaleDefaults;
}

/** The inbox's SLA policy, or the default one; a stored policy that no longer validates is an error. */
export function policyOf(inbox: Pick<InboxDoc, 'sla'>): SlaPolicy {
  if (inbox.sla == null) return DEFAULT_SLA_POLICY;
  const checked = validateSlaPolicy(inbox.sla);
  if (!checked.ok) throw new AppError('VALIDATION_FAILED', `stored SLA policy is invalid: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  return checked.value;
}

function clockInput(ticket: TicketDoc, policy: SlaPolicy, level: TeamLevel | null, now: Date): SlaEventInput {
  const sla = ticket.sla;
  return {
    policy,
    priority: ticket.priority,
    level,
    status: ticket.status,
    createdAt: ticket.createdAt,
    firstRespondedAt: sla?.firstRespondedAt ?? null,
    awaitingSince: sla?.awaitingSince ?? null,
    pausedBusinessSeconds: sla?.pausedSeconds ?? 0,
    pausedAt: sla?.pausedAt ?? null,
    levelSince: sla?.levelSince ?? null,
    now,
    escalationLevel: sla?.escalationLevel ?? 0,
    remindedFor: sla?.done ?? [],
    breachedFor: sla?.done ?? [],
  };
}

/** Whether a ticket's team level can change its targets: the policy has targets of a level of its own. */
const usesLevels = (policy: SlaPolicy) => Object.keys(policy.levelTargets ?? {}).length > 0;

/**
 * A ticket, its inbox and policy, and its team's level (null without a team, or when its team is
 * gone). The team is read only when its level could matter: most policies have no level targets.
 */
async function load(deps: Pick<SlaDeps, 'tickets' | 'inboxes' | 'teams'>, ticketId: Types.ObjectId) {
  const ticket = await deps.tickets.findById(ticketId);
  const inbox = ticket ? await deps.inboxes.findById(ticket.inboxId) : null;
  if (!ticket || !inbox || ticket.mergedIntoId) return null;
  const policy = policyOf(inbox);
  const team = ticket.teamId && usesLevels(policy) ? await deps.teams.findById(ticket.teamId) : null;
  return { ticket, inbox, policy, level: team?.level ?? null };
}

/** The new clock state of one ticket: its stored SLA fields and the next event its timer waits for. */
function planSla(ticket: TicketDoc, policy: SlaPolicy, level: TeamLevel | null, now: Date): { set: SlaClockFields; event: SlaEvent | null } {
  const pause = { pausedBusinessSeconds: ticket.sla?.pausedSeconds ?? 0, pausedAt: ticket.sla?.pausedAt ?? null };
  // Time in Spam is paused like time pending: a ticket brought back from Spam is not charged for it (resolution clock).
  const next = slaPausedIn(ticket.status, policy) || ticket.status === 'spam' ? { ...pause, pausedAt: pause.pausedAt ?? now } : resumeSla(pause, now, policy.businessHours);
  const input = { ...clockInput(ticket, policy, level, now), pausedBusinessSeconds: next.pausedBusinessSeconds, pausedAt: next.pausedAt };
  const due = slaDueTimes(input);
  const set: SlaClockFields = {
    'sla.firstResponseDueAt': due.firstResponseDueAt,
    'sla.nextResponseDueAt': due.nextResponseDueAt,
    'sla.resolutionDueAt': due.resolutionDueAt,
    'sla.pausedAt': next.pausedAt,
    'sla.pausedSeconds': next.pausedBusinessSeconds,
    'sla.nextDueAt': slaNextDueAt({ status: ticket.status, sla: { ...ticket.sla, ...due } }),
  };
  return { set, event: nextSlaEvent(input) };
}

/**
 * Recomputes a ticket's SLA due times after anything changed (a mail, a reply, status, priority,
 * assignee, the policy), keeps the pause bookkeeping ('pending' stops the clocks), stores the due
 * times on the ticket, and moves its one timer job to the next reminder, breach or escalation (or
 * cancels it). One job per ticket, keyed by the ticket: never a sweep over all tickets.
 */
export async function refreshSla(deps: SlaDeps, ticketId: Types.ObjectId): Promise<void> {
  const found = await load(deps, ticketId);
  if (!found) return deps.scheduler.cancelMatching(SLA_TIMER_JOB, { ticketId: ticketId.toHexString() });
  const { set, event } = planSla(found.ticket, found.policy, found.level, deps.now());
  await deps.tickets.setSlaClocks(found.ticket._id, set);
  await scheduleTimer(deps, found.ticket._id, event);
}

/**
 * {@link refreshSla} for the tickets a batch of mail touched, with batch-wide reads and writes: one
 * read of the tickets, one of their inboxes (and one of their teams when a policy has level targets),
 * one bulk write, then their timers replaced in one go: a timer still due at the same time is left alone.
 */
export async function refreshSlaMany(deps: SlaDeps, ticketIds: readonly Types.ObjectId[]): Promise<void> {
  if (ticketIds.length <= 1) {
    if (ticketIds[0]) await refreshSla(deps, ticketIds[0]);
    return;
  }
  const tickets = (await deps.tickets.listByIds(ticketIds)).filter((t) => !t.mergedIntoId);
  const inboxes = await deps.inboxes.listSlasByIds([...new Set(tickets.map((t) => t.inboxId.toHexString()))]);
  const policies = new Map(inboxes.map((i) => [i._id.toHexString(), policyOf(i)]));
  const policyOfTicket = (t: TicketDoc) => policies.get(t.inboxId.toHexString());
  const teamIds = [...new Map(tickets.flatMap((t) => (t.teamId && usesLevels(policyOfTicket(t) ?? DEFAULT_SLA_POLICY) ? [[t.teamId.toHexString(), t.teamId] as const] : []))).values()];
  const levels = new Map(teamIds.length > 0 ? (await deps.teams.listByIds(teamIds)).map((t) => [t._id.toHexString(), t.level]) : []);
  const now = deps.now();
  const plans = tickets.flatMap((ticket) => {
    const policy = policyOfTicket(ticket);
    const level = ticket.teamId ? (levels.get(ticket.teamId.toHexString()) ?? null) : null;
    return policy ? [{ ticket, ...planSla(ticket, policy, level, now) }] : [];
  });
  if (plans.length > 0) await deps.tickets.setSlaClocksMany(plans.map((p) => ({ ticketId: p.ticket._id, clocks: p.set })));
  const timers = plans.flatMap(({ ticket, event }) => (event ? [{ key: `${ticket._id.toHexString()}:${event.key}`, at: event.at, data: { ticketId: ticket._id.toHexString() } }] : []));
  await deps.scheduler.replaceMatching(SLA_TIMER_JOB, 'ticketId', ticketIds.map((id) => id.toHexString()), timers);
}

/**
 * One pending timer job per ticket, keyed by the event it waits for. A job never reschedules itself
 * (Agenda would overwrite that when the run ends): the next event gets a job of its own.
 */
async function scheduleTimer(deps: SlaDeps, ticketId: Types.ObjectId, event: SlaEvent | null): Promise<void> {
  const id = ticketId.toHexString();
  await deps.scheduler.cancelMatching(SLA_TIMER_JOB, { ticketId: id });
  if (event) await deps.scheduler.schedule(SLA_TIMER_JOB, { key: `${id}:${event.key}`, at: event.at, data: { ticketId: id } });
}

/**
 * Who an SLA reminder goes to: the assignee; when the ticket has none, or theirs is disabled or gone,
 * the active members of the ticket's team, else the inbox's active agents.
 */
async function reminderTargets(deps: Pick<SlaDeps, 'users' | 'teams'>, ticket: TicketDoc): Promise<StoredUser[]> {
  if (ticket.assigneeId) {
    const [assignee] = await deps.users.listNotifyTargets([ticket.assigneeId]);
    if (assignee) return [assignee];
  }
  const team = ticket.teamId ? await deps.teams.findById(ticket.teamId) : null;
  const members = team && team.memberIds.length > 0 ? await deps.users.listNotifyTargets(team.memberIds) : [];
  return members.length > 0 ? members : deps.users.listReminderTargets({ inboxId: ticket.inboxId, assigneeId: null });
}

/** Who an SLA event concerns: reminders as above, a breach the (active) assignee, an escalation its ladder level's users. */
async function recipientsFor(deps: Pick<SlaDeps, 'users' | 'teams'>, ticket: TicketDoc, event: SlaEvent, policy: SlaPolicy) {
  if (event.kind === 'escalate') {
    const level = policy.ladder.find((l) => l.level === event.level);
    // Someone who has left the inbox since the ladder was saved no longer gets its tickets.
    const ids = (level?.userIds ?? []).filter((id) => parseObjectId(id) !== null);
    return { users: await deps.users.listEscalationTargets(ids, ticket.inboxId), levelName: level?.name ?? `level ${event.level}`, ladderName: level?.name ?? null };
  }
  if (event.kind === 'breach') return { users: ticket.assigneeId ? await deps.users.listNotifyTargets([ticket.assigneeId]) : [], levelName: null, ladderName: null };
  return { users: await reminderTargets(deps, ticket), levelName: null, ladderName: null };
}

const NOTIFICATION_OF: Record<SlaEvent['kind'], NotificationKind> = { reminder: 'sla_reminder', breach: 'sla_breached', escalate: 'escalated' };

/**
 * The SLA timer of one ticket fired: acts on the event that is due (a reminder to the assignee, else
 * the team's or inbox's agents; a recorded breach, told to the assignee; an escalation to the next
 * ladder level's users), exactly once per event key, then schedules the next one. The people are
 * told through notifications: each gets one mail per kind for everything due in the same run (a
 * policy tightened over many tickets is one summary per person, never one mail per ticket).
 */
export async function runSlaTimer(deps: SlaDeps, ticketId: Types.ObjectId): Promise<SlaEvent['kind'] | 'rescheduled' | 'none'> {
  const found = await load(deps, ticketId);
  if (!found) return 'none';
  const { ticket, policy, level } = found;
  const now = deps.now();
  const event = nextSlaEvent(clockInput(ticket, policy, level, now));
  if (!event) return 'none';
  if (event.at > now) {
    await scheduleTimer(deps, ticket._id, event);
    return 'rescheduled';
  }
  const trailKey = `sla:${ticket._id.toHexString()}:${event.key}`;
  const actor = { kind: 'system' as const, label: 'sla' };
  const dueAt = { firstResponse: ticket.sla?.firstResponseDueAt, nextResponse: ticket.sla?.nextResponseDueAt, resolution: ticket.sla?.resolutionDueAt }[event.clock] ?? null;
  const { users, levelName, ladderName } = await recipientsFor(deps, ticket, event, policy);
  const assignee = ticket.assigneeId ? await deps.users.findLabelById(ticket.assigneeId) : null;
  await notify(deps, [
    {
      kind: NOTIFICATION_OF[event.kind],
      key: trailKey,
      ticket,
      at: now,
      data: {
        clock: event.clock,
        dueAt,
        priority: ticket.priority,
        customer: ticket.requester.name ? `${ticket.requester.name} <${ticket.requester.email}>` : ticket.requester.email,
        assigneeName: assignee ? (assignee.name ?? assignee.email) : null,
        ...(event.kind === 'escalate' ? { level: event.level ?? 0, levelName: ladderName } : {}),
      },
      userIds: users.map((u) => u._id),
    },
  ]);
  if (event.kind === 'breach') {
    await deps.trail.record({ ticketId: ticket._id, type: 'sla_breached', actor, at: now, data: { clock: event.clock, dueAt }, key: trailKey });
    await deps.tickets.markSlaBreached(ticket._id, now);
  } else {
    await deps.trail.record({
      ticketId: ticket._id,
      type: event.kind === 'reminder' ? 'sla_reminder' : 'escalated',
      actor,
      at: now,
      data: { clock: event.clock, dueAt, level: event.level ?? null, levelName, notified: users.map((u) => u.email) },
      key: trailKey,
    });
  }
  await deps.tickets.markSlaEventDone(ticket._id, event.key, event.kind === 'escalate' ? event.level ?? 0 : undefined);
  // A ladder step may also move the ticket up a level; its clocks then start over (escalate-ticket.ts).
  const rung = event.kind === 'escalate' ? policy.ladder.find((l) => l.level === event.level) : undefined;
  if (rung?.escalateTo) {
    await escalateTicketAsSystem({ ...deps, refreshSla: (id) => refreshSla(deps, id) }, ticket._id, { level: rung.escalateTo, ladderName: rung.name, clock: event.clock });
  }
  await refreshSla(deps, ticket._id);
  return event.kind;
}
