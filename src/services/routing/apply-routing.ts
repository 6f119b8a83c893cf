import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { evaluateRouting } from '../../domain/routing-rules.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notifyReceivedMail, type NotifyReceivedMailDeps } from '../notifications/notify-received-mail.js';
import { policyOf } from '../sla/refresh-sla.js';
import { loadCompiledRules, planRouting, readRefs, storedMailFacts, withTicketTeam, type RoutingFactsDeps, type RoutingRefReadDeps } from './routing-plan.js';

/** The job that runs the routing rules for one received mail (data `key`: the message's id). */
export const ROUTING_JOB = 'routing';

/**
 * Hands a routed ticket to a team's auto-assignment (services/teams/auto-assign-ticket.ts): picks an
 * assignee among the team's available members, or leaves the ticket waiting for one.
 */
export type AutoAssignPort = (ticketId: Types.ObjectId, teamId: Types.ObjectId) => Promise<unknown>;

/** What running the rules for one mail needs. */
export interface ApplyRoutingDeps extends RoutingFactsDeps, RoutingRefReadDeps {
  routingRules: Pick<RoutingRuleStore, 'version' | 'listAll'>;
  messages: Pick<MessageStore, 'findById' | 'markRouted'>;
  tickets: Pick<TicketStore, 'mergeRootOf' | 'findById' | 'write'>;
  inboxes: Pick<InboxStore, 'findSla'>;
  /** Re-plans the ticket's SLA clocks when its priority or team (its level) changed. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
  /** The `autoAssign` action; without it that action is left out (logged). */
  autoAssign?: AutoAssignPort;
  /** Telling a new ticket's team, when a rule moved the ticket to another team than ingest told. */
  notify?: NotifyReceivedMailDeps;
  logger: Pick<Logger, 'warn' | 'debug'>;
  now: () => Date;
}

/** What routing one mail did. */
export type RoutingOutcome = { outcome: 'skipped'; reason: string } | { outcome: 'routed'; applied: number; matched: string[] };

/**
 * Runs the routing rules for one received mail, after ingest (the job ingest's follow-up schedules
 * for a new ticket's first mail and each customer reply): the rules are evaluated as of the mail's
 * arrival, and each applied action is written to the ticket with a `routed` trail entry naming the
 * rule. Rules without `onReplies` skip replies. Bounces, out-of-office notices and tickets in Spam
 * are not routed.
 *
 * Idempotent per mail: the message is marked once routing ran (`routedAt`) and a marked mail is
 * skipped; a run cut short before the mark plans against the ticket as written, so an applied
 * action changes nothing the second time, and trail entries are keyed by mail, rule and action.
 */
export async function applyRouting(deps: ApplyRoutingDeps, messageDocId: Types.ObjectId): Promise<RoutingOutcome> {
  const message = await deps.messages.findById(messageDocId);
  if (!message || message.direction !== 'inbound') return { outcome: 'skipped', reason: 'not-received-mail' };
  if (message.routedAt) return { outcome: 'skipped', reason: 'already-routed' };
  const now = deps.now();
  const finish = async (outcome: RoutingOutcome) => {
    await deps.messages.markRouted(messageDocId, now);
    return outcome;
  };
  if (message.flags.bounce || message.flags.autoReply) return finish({ outcome: 'skipped', reason: 'automatic-mail' });
  const ticket = await deps.tickets.findById(await deps.tickets.mergeRootOf(message.ticketId));
  if (!ticket) return finish({ outcome: 'skipped', reason: 'no-ticket' });
  if (ticket.status === 'spam') return finish({ outcome: 'skipped', reason: 'spam' });
  const compiled = await loadCompiledRules(deps);
  if (compiled.rules.length === 0) return finish({ outcome: 'routed', applied: 0, matched: [] });

  const isReply = !(ticket.originKey && message.dedupeKey === ticket.originKey);
  const [facts, inbox] = await Promise.all([storedMailFacts(deps, compiled, message, isReply), deps.inboxes.findSla(ticket.inboxId)]);
  const businessHours = inbox ? policyOf(inbox).businessHours : null;
  const { actions, matched } = evaluateRouting(compiled, facts, { businessHours }, message.createdAt ?? now);
  if (actions.length === 0) return finish({ outcome: 'routed', applied: 0, matched });

  const refs = await withTicketTeam(deps, await readRefs(deps, actions), ticket.teamId);
  const plan = planRouting(ticket, actions, refs);
  for (const s of plan.skipped) deps.logger.warn({ ticket: ticket.number, ...s }, 'a routing action could not apply');
  const key = `routing:${messageDocId.toHexString()}`;
  const events = plan.applied.map((a) => ({
    ticketId: ticket._id,
    type: 'routed' as const,
    actor: { kind: 'system' as const, label: 'routing' },
    at: now,
    data: { rule: a.rule, ruleId: a.ruleId, action: a.action, ...a.detail, messageId: messageDocId },
    // One entry per rule and kind of action for this mail (a field is decided once; a rule's tags come together).
    key: `${key}:${a.ruleId}:${a.action}`,
  }));
  if (events.length > 0) {
    await deps.tickets.write(ticket._id, { changes: plan.changes }, events);
    if (plan.changes.teamId !== undefined || plan.changes.priority !== undefined) await deps.refreshSla(ticket._id);
    // Ingest told the inbox's team of the new ticket; the team a rule chose hears of it now (a failure costs the notification only).
    if (!isReply && plan.changes.teamId && deps.notify) {
      await notifyReceivedMail(deps.notify, [{ ticketId: ticket._id, openedBy: messageDocId, awaitingReply: true }]).catch((err: unknown) => deps.logger.warn({ err }, 'could not notify the routed ticket\'s team'));
    }
  }
  if (plan.autoAssignTeamId) {
    if (deps.autoAssign) await deps.autoAssign(ticket._id, plan.autoAssignTeamId);
    else deps.logger.warn({ ticket: ticket.number }, 'routing asked for auto-assignment, which is not available here');
  }
  return finish({ outcome: 'routed', applied: events.length, matched });
}
