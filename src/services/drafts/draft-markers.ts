import type { Types } from 'mongoose';
import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import type { Actor } from '../access.js';

/**
 * The ids (hex) of the listed tickets the actor has a reply draft for, read with one query; the
 * tickets are those a list already showed them. Empty for an actor without a user.
 */
export async function draftTicketIds(deps: { replyDrafts: Pick<ReplyDraftStore, 'ticketIdsWithDraft'> }, actor: Actor, ticketIds: Types.ObjectId[]): Promise<Set<string>> {
  if (!actor.userId || ticketIds.length === 0) return new Set();
  return new Set((await deps.replyDrafts.ticketIdsWithDraft(actor.userId, ticketIds)).map((id) => id.toHexString()));
}
