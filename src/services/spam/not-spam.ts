import { statusAfterSpam } from '../../domain/spam.js';
import { transition } from '../../domain/ticket.js';
import type { Actor } from '../access.js';
import type { TicketStateView } from '../tickets/ticket-view.js';
import { spamState, spamTicket, type SpamDeps } from './mark-spam.js';

/**
 * "Not spam" (the ticket page, `POST /api/v1/tickets/:id/not-spam`): the ticket leaves Spam for the
 * status it had before (a ticket a blocked sender opened comes back `new`), its SLA clocks are
 * planned again (time spent in Spam counts as paused for resolution, like time pending) and its
 * lifecycle jobs follow; the block-list entry it added (or matched, for mail that came straight into
 * Spam) is removed, so the sender's mail opens tickets again. No acknowledgement is sent afterwards:
 * that moment has passed. The trail records who did it. A ticket not in Spam stays as it is. Access:
 * as for marking (mark-spam.ts spamTicket).
 */
export async function markTicketNotSpam(deps: SpamDeps, actor: Actor, ticketId: string): Promise<TicketStateView> {
  const ticket = await spamTicket(deps, actor, ticketId);
  if (ticket.status !== 'spam') return spamState(deps, ticket._id);
  const now = deps.now();
  const to = statusAfterSpam(ticket.spam);
  const block = ticket.spam?.block ?? null;
  if (block) await deps.spamBlocks.removeValue(ticket.inboxId, block.value);
  await deps.tickets.write(
    ticket._id,
    { changes: { ...transition(ticket, to, now), spam: null } },
    [{ ticketId: ticket._id, type: 'not_spam', actor: { kind: 'user', id: actor.userId }, at: now, data: { to, unblocked: block } }],
  );
  await deps.refreshSla(ticket._id);
  await deps.afterAgentAction?.(ticket._id);
  return spamState(deps, ticket._id);
}
