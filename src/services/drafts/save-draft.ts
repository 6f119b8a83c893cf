import { z } from 'zod';
import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { draftKey, toDraftView, type DraftView } from './draft-owner.js';

/** The longest draft kept, as long as the reply form takes. */
export const DRAFT_MAX_TEXT = 1_000_000;

/** The body of `PUT /tickets/:id/draft` (and the reply form's draft fields). */
export const draftSchema = z.strictObject({
  text: z.string().max(DRAFT_MAX_TEXT, `is longer than ${DRAFT_MAX_TEXT} characters`),
  cc: z.array(z.string().trim().toLowerCase().pipe(z.email().max(254))).max(100).nullable().optional(),
});

/** What saving a draft needs. */
export interface SaveDraftDeps {
  tickets: Pick<TicketStore, 'findById'>;
  replyDrafts: Pick<ReplyDraftStore, 'save' | 'remove'>;
  now: () => Date;
}

/**
 * Saves the actor's reply draft for a ticket they can see (`{ text, cc? }`), replacing the one
 * before. A draft of only white space is removed instead, and null is returned.
 */
export async function saveDraft(deps: SaveDraftDeps, actor: Actor, ticketId: string, input: unknown): Promise<DraftView | null> {
  const key = await draftKey(deps.tickets, actor, ticketId);
  const fields = parseInput(draftSchema, input, 'Draft');
  if (fields.text.trim() === '') {
    await deps.replyDrafts.remove(key.userId, key.ticketId);
    return null;
  }
  const saved = await deps.replyDrafts.save(key.userId, key.ticketId, { text: fields.text, cc: fields.cc ?? null, updatedAt: deps.now() });
  return toDraftView(saved);
}
