import type { Types } from 'mongoose';
import { z } from 'zod';
import { checkSnooze, snoozeTimeHasCome, type SnoozeRequest, type SnoozeWakeReason } from '../../domain/lifecycle.js';
import { checkChangeable } from '../../domain/ticket.js';
import type { TeamStore } from '../../store/team-store.js';
import type { LifecycleRow, TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { toTicketClassification, toTicketSummary, type TicketStateView } from '../tickets/ticket-view.js';
import { workableTicket } from '../tickets/visible-ticket.js';
import { parseInput } from '../validate.js';
import { planLifecycle, type PlanLifecycleDeps } from './plan-lifecycle.js';

/** `POST /tickets/:id/snooze`: until a time (ISO 8601 with its offset), until the customer replies, or both (whichever comes first). */
export const snoozeSchema = z.strictObject({
  until: z.iso.datetime({ offset: true }).nullable().optional(),
  untilReply: z.boolean().optional(),
});

/** A snooze as a channel hands it over: the page's form, already read, or the API's JSON body (judged after the access check). */
export type SnoozeInput = { form: SnoozeRequest } | { json: unknown };

/** What snoozing and waking tickets need. */
export interface SnoozeDeps extends PlanLifecycleDeps {
  tickets: PlanLifecycleDeps['tickets'] & Pick<TicketStore, 'findById' | 'snooze' | 'unsnooze' | 'wakeSnoozed'>;
  teams: Pick<TeamStore, 'findById'>;
  now: () => Date;
}

function requestOf(input: SnoozeInput): SnoozeRequest {
  if ('form' in input) return input.form;
  const body = parseInput(snoozeSchema, input.json, 'Snooze');
  return { until: body.until ? new Date(body.until) : null, untilReply: body.untilReply ?? false };
}

async function stateOf(deps: SnoozeDeps, ticketId: Types.ObjectId): Promise<TicketStateView> {
  const ticket = (await deps.tickets.findById(ticketId))!;
  const team = ticket.teamId ? await deps.teams.findById(ticket.teamId) : null;
  return { ...toTicketSummary(ticket, team?.level ?? null), ...toTicketClassification(ticket) };
}

/**
 * An agent snoozes a ticket they may see (NOT_FOUND otherwise; a merged one is a CONFLICT): it leaves
 * every ticket list but the Snoozed view until `until` or, with `untilReply`, until the customer
 * writes (domain/lifecycle.ts checkSnooze says what is valid). Snoozing again replaces the snooze.
 * The trail records it; a job wakes the ticket at its time. The pages and the API both call this.
 */
export async function snoozeTicket(deps: SnoozeDeps, actor: Actor, id: string, input: SnoozeInput): Promise<TicketStateView> {
  const ticket = await workableTicket(deps.tickets, actor, id);
  checkChangeable(ticket);
  const request = requestOf(input);
  const now = deps.now();
  checkSnooze(request, now);
  const snooze = { until: request.until, untilReply: request.untilReply, at: now, by: actor.userId };
  await deps.tickets.snooze(ticket._id, snooze, {
    ticketId: ticket._id,
    type: 'snoozed',
    actor: { kind: 'user', id: actor.userId },
    at: now,
    data: { until: request.until, untilReply: request.untilReply },
  });
  await planLifecycle(deps, [ticket._id]);
  return stateOf(deps, ticket._id);
}

/** An agent ends a ticket's snooze (NOT_FOUND for a ticket they may not see); a ticket not snoozed stays as it is. */
export async function unsnoozeTicket(deps: SnoozeDeps, actor: Actor, id: string): Promise<TicketStateView> {
  const ticket = await workableTicket(deps.tickets, actor, id);
  const now = deps.now();
  if (ticket.snoozed) {
    await deps.tickets.unsnooze(ticket._id, { ticketId: ticket._id, type: 'unsnoozed', actor: { kind: 'user', id: actor.userId }, at: now, data: {} });
    await planLifecycle(deps, [ticket._id]);
  }
  return stateOf(deps, ticket._id);
}

/** Wakes one snoozed ticket, recording why on its trail (once per snooze: the key names it). */
async function wake(deps: { tickets: Pick<TicketStore, 'wakeSnoozed'> }, ticket: LifecycleRow, reason: SnoozeWakeReason, now: Date): Promise<boolean> {
  const snooze = ticket.snooze!;
  return deps.tickets.wakeSnoozed(ticket._id, snooze.at, reason, now, {
    ticketId: ticket._id,
    type: 'snooze_woke',
    actor: { kind: 'system', label: 'lifecycle' },
    at: now,
    data: { rule: 'snooze', reason, until: snooze.until, untilReply: snooze.untilReply },
    key: `snooze-woke:${ticket._id.toHexString()}:${snooze.at.getTime()}`,
  });
}

/**
 * A snoozed ticket's wake-up job fired: the ticket, read again, comes back if it is still snoozed and
 * its time has come (a snooze replaced or ended meanwhile is left alone), marked as back from snooze
 * and at the top of the lists. Idempotent. Returns whether it woke the ticket.
 */
export async function wakeSnoozedTicket(deps: SnoozeDeps, ticketId: Types.ObjectId): Promise<boolean> {
  const [ticket] = await deps.tickets.listLifecycleByIds([ticketId]);
  const now = deps.now();
  const woke = ticket?.snoozed && ticket.snooze && snoozeTimeHasCome(ticket.snooze, now) ? await wake(deps, ticket, 'time', now) : false;
  await planLifecycle(deps, [ticketId]);
  return woke;
}

/**
 * The customer wrote on these tickets (ingest's follow-up): the snoozed ones come back at once,
 * whether snoozed until a time or until their reply, marked as back from snooze. Their wake-up jobs
 * are removed by the lifecycle planning that follows. Returns the tickets woken.
 */
export async function wakeOnCustomerReply(deps: { tickets: Pick<TicketStore, 'listLifecycleByIds' | 'wakeSnoozed'> }, ticketIds: readonly Types.ObjectId[], now: Date): Promise<Types.ObjectId[]> {
  if (ticketIds.length === 0) return [];
  const snoozed = (await deps.tickets.listLifecycleByIds(ticketIds)).filter((t) => t.snoozed && t.snooze);
  const woken: Types.ObjectId[] = [];
  for (const ticket of snoozed) if (await wake(deps, ticket, 'customer_replied', now)) woken.push(ticket._id);
  return woken;
}
