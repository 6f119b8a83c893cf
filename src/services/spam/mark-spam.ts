import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { OutboxKind } from '../../domain/outbox.js';
import { SPAM_BLOCK_CHOICES, spamBlockFor, type SpamBlockChoice } from '../../domain/spam.js';
import { checkChangeable, transition } from '../../domain/ticket.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { OutboxStore } from '../../store/outbox-store.js';
import type { SpamBlockStore } from '../../store/spam-block-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { canSeeInbox, type Actor } from '../access.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { toTicketClassification, toTicketSummary, type TicketStateView } from '../tickets/ticket-view.js';
import { visibleTicket } from '../tickets/visible-ticket.js';
import { parseInput } from '../validate.js';

/** `POST /tickets/:id/spam`: what else to block for the ticket's inbox. */
export const markSpamSchema = z.strictObject({
  block: z.enum(SPAM_BLOCK_CHOICES),
});

/** What "mark as spam" is asked: block the sender's address, their whole domain, or nothing more. */
export interface MarkSpamInput {
  block: SpamBlockChoice;
}

/** What moving tickets into and out of Spam needs. */
export interface SpamDeps {
  tickets: Pick<TicketStore, 'findById' | 'write'>;
  teams: Pick<TeamStore, 'findById'>;
  spamBlocks: Pick<SpamBlockStore, 'add' | 'removeValue'>;
  outbox: Pick<OutboxStore, 'cancelPendingOfTicket'>;
  messages: Pick<MessageStore, 'setDelivery'>;
  now: () => Date;
  /** Re-plans the ticket's SLA clocks: in Spam none runs. */
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change (auto-close and reminder jobs follow the status). */
  afterAgentAction?: AgentActionFollowUp;
}

/** Mail about a ticket that stops when it goes to Spam: its acknowledgement, and SLA mail of the older kinds. Agents' own replies are left alone. */
const CANCELLED_KINDS: readonly OutboxKind[] = ['auto-reply', 'sla-reminder', 'escalation'];

/**
 * A ticket the actor may move into or out of Spam: one they may see (NOT_FOUND otherwise), of an
 * inbox they are a member of (admins: any). An agent who reaches the ticket only through a team
 * gets FORBIDDEN: Spam changes the inbox's block list, which is the inbox's members' to decide.
 */
export async function spamTicket(deps: Pick<SpamDeps, 'tickets'>, actor: Actor, id: string): Promise<TicketDoc> {
  const ticket = await visibleTicket(deps.tickets, actor, id);
  if (!canSeeInbox(actor, ticket.inboxId)) throw new AppError('FORBIDDEN', "Only the inbox's members can move its tickets into or out of Spam", { key: 'forbidden.spamInboxOnly' });
  checkChangeable(ticket);
  return ticket;
}

/** The ticket as a change answers it (read again after the change). */
export async function spamState(deps: Pick<SpamDeps, 'tickets' | 'teams'>, ticketId: Types.ObjectId): Promise<TicketStateView> {
  const ticket = (await deps.tickets.findById(ticketId))!;
  const team = ticket.teamId ? await deps.teams.findById(ticket.teamId) : null;
  return { ...toTicketSummary(ticket, team?.level ?? null), ...toTicketClassification(ticket) };
}

/**
 * "Mark as spam" on one ticket (the ticket page, `POST /api/v1/tickets/:id/spam`, and one ticket of a
 * bulk action): the ticket takes the `spam` status, so it leaves every list, count and digest but
 * the Spam view (`status=spam`); its SLA clocks stop and its lifecycle jobs go; its acknowledgement
 * (and any older SLA mail) still waiting in the outbox is cancelled, and notifications not yet mailed
 * about it are never mailed. `block` adds the requester's address (`sender`) or domain (`domain`; a
 * public mail provider's domain is refused, see domain/spam.ts spamBlockFor) to the inbox's block
 * list, so their next mail goes straight to Spam. The trail records who did it and what was
 * blocked. A ticket already in Spam stays there; a block asked for is still added. Access: see
 * {@link spamTicket}; a merged ticket is a CONFLICT.
 */
export async function markTicketSpam(deps: SpamDeps, actor: Actor, ticketId: string, input: MarkSpamInput | unknown): Promise<TicketStateView> {
  const ticket = await spamTicket(deps, actor, ticketId);
  const { block: choice } = parseInput(markSpamSchema, input, 'Spam');
  const block = spamBlockFor(ticket.requester.email, choice);
  const now = deps.now();
  if (block) await deps.spamBlocks.add(ticket.inboxId, block, { ticketId: ticket._id, by: actor.userId });
  if (ticket.status === 'spam') {
    if (block && !ticket.spam?.block) await deps.tickets.write(ticket._id, { changes: { spam: { at: ticket.spam?.at ?? now, by: ticket.spam?.by ?? actor.userId, from: ticket.spam?.from ?? 'new', block } } });
    return spamState(deps, ticket._id);
  }
  // The status first: an acknowledgement job running meanwhile then finds the ticket in Spam and suppresses itself.
  const status = transition(ticket, 'spam', now);
  await deps.tickets.write(
    ticket._id,
    { changes: { ...status, spam: { at: now, by: actor.userId, from: ticket.status, block } } },
    [{ ticketId: ticket._id, type: 'marked_spam', actor: { kind: 'user', id: actor.userId }, at: now, data: { from: ticket.status, block } }],
  );
  const cancelled = await deps.outbox.cancelPendingOfTicket(ticket._id, CANCELLED_KINDS, { code: 'CANCELLED_SPAM', message: 'Not sent: the ticket was marked as spam', at: now });
  for (const item of cancelled) await deps.messages.setDelivery(item.messageId, { state: 'failed', error: 'Not sent: the ticket was marked as spam', at: now });
  await deps.refreshSla(ticket._id);
  await deps.afterAgentAction?.(ticket._id);
  return spamState(deps, ticket._id);
}
