import type { Types } from 'mongoose';
import { lifecycleEventKey, lifecycleSettingsOf, nextLifecycleStep, type LifecycleStep } from '../../domain/lifecycle.js';
import type { MessageStore } from '../../store/message-store.js';
import type { LifecycleRow, TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import { notify, type NotifyDeps } from '../notifications/notify.js';
import { planLifecycle, type PlanLifecycleDeps } from './plan-lifecycle.js';

/** What a ticket's lifecycle job needs: the ticket, its conversation's mail, the trail, and notifying its assignee. */
export interface LifecycleDeps extends PlanLifecycleDeps, NotifyDeps {
  tickets: PlanLifecycleDeps['tickets'] & Pick<TicketStore, 'conversationIds' | 'closeIfStillSolved' | 'markLifecycleDone'>;
  messages: Pick<MessageStore, 'hasCustomerMailAfter'>;
  trail: Pick<TrailStore, 'record'>;
}

/** What one run did: closed the ticket, reminded its assignee, nothing (the step is not due, or the ticket moved on). */
export type LifecycleOutcome = 'closed' | 'reminded' | 'kept' | 'not-due' | 'none';

const ACTOR = { kind: 'system' as const, label: 'lifecycle' };

/**
 * A ticket's lifecycle job fired: it reads the ticket again and acts on the step its state is due for
 * now, whatever the job was planned for (a reopened ticket has none; a ticket solved again waits for
 * its new period), then plans the next job. Idempotent: a retried or late run changes nothing twice.
 * - auto-close: a ticket still solved since the same time, with no mail from a person on its
 *   conversation since, is closed (trail `auto_closed` naming the rule and its days); with such mail
 *   it stays solved and this period's auto-close is given up;
 * - pending reminder: the assignee of a ticket still pending is notified (`pending_reminder`, keyed
 *   per pending period) and the trail says so; once per period, with or without an assignee.
 */
export async function runLifecycleStep(deps: LifecycleDeps, ticketId: Types.ObjectId): Promise<LifecycleOutcome> {
  const [ticket] = await deps.tickets.listLifecycleByIds([ticketId]);
  const [inbox] = ticket ? await deps.inboxes.listLifecycleByIds([ticket.inboxId]) : [];
  const step = ticket && inbox ? nextLifecycleStep(ticket, lifecycleSettingsOf(inbox)) : null;
  const now = deps.now();
  let outcome: LifecycleOutcome = step ? 'not-due' : 'none';
  if (ticket && step && step.at.getTime() <= now.getTime()) {
    outcome = step.rule === 'auto-close' ? await autoClose(deps, ticket, step, now) : await remindPending(deps, ticket, step, now);
  }
  await planLifecycle(deps, [ticketId]);
  return outcome;
}

async function autoClose(deps: LifecycleDeps, ticket: LifecycleRow, step: LifecycleStep, now: Date): Promise<LifecycleOutcome> {
  const conversation = await deps.tickets.conversationIds(ticket._id);
  if (await deps.messages.hasCustomerMailAfter(conversation, step.since)) {
    // The customer wrote after it was solved (their mail did not reopen it): a person should look, not a rule.
    await deps.tickets.markLifecycleDone(ticket._id, step.key);
    return 'kept';
  }
  const closed = await deps.tickets.closeIfStillSolved(ticket._id, step.since, now, {
    ticketId: ticket._id,
    type: 'auto_closed',
    actor: ACTOR,
    at: now,
    data: { rule: step.rule, days: step.days, solvedAt: step.since },
    key: lifecycleEventKey(ticket._id.toHexString(), step),
  });
  return closed ? 'closed' : 'none';
}

async function remindPending(deps: LifecycleDeps, ticket: LifecycleRow, step: LifecycleStep, now: Date): Promise<LifecycleOutcome> {
  const key = lifecycleEventKey(ticket._id.toHexString(), step);
  const assigneeId = ticket.assigneeId ?? null;
  if (assigneeId) {
    await notify(deps, [{
      kind: 'pending_reminder',
      key,
      ticket: { _id: ticket._id, number: ticket.number, subject: ticket.subject, inboxId: ticket.inboxId, teamId: ticket.teamId ?? null },
      at: now,
      data: { rule: step.rule, days: step.days, pendingSince: step.since },
      userIds: [assigneeId],
    }]);
  }
  await deps.trail.record({ ticketId: ticket._id, type: 'pending_reminder', actor: ACTOR, at: now, data: { rule: step.rule, days: step.days, pendingSince: step.since, notified: assigneeId }, key });
  await deps.tickets.markLifecycleDone(ticket._id, step.key);
  return 'reminded';
}
