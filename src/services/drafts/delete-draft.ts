import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { draftKey } from './draft-owner.js';

/** Removes the actor's reply draft for a ticket they can see (after the reply is sent, or discarded); false when there was none. */
export async function deleteDraft(
  deps: { tickets: Pick<TicketStore, 'findById'>; replyDrafts: Pick<ReplyDraftStore, 'remove'> },
  actor: Actor,
  ticketId: string,
): Promise<boolean> {
  const key = await draftKey(deps.tickets, actor, ticketId);
  return deps.replyDrafts.remove(key.userId, key.ticketId);
}
