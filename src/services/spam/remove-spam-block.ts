import type { SpamBlockStore } from '../../store/spam-block-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';

/**
 * Removes one entry from an inbox's block list (admins; FORBIDDEN otherwise): the sender's or the
 * domain's mail opens tickets again. Tickets already in Spam stay there. NOT_FOUND when the inbox has
 * no such entry (removing twice is NOT_FOUND the second time).
 */
export async function removeSpamBlock(deps: { spamBlocks: Pick<SpamBlockStore, 'removeById'> }, actor: Actor, inboxId: string, blockId: string): Promise<void> {
  requireAdmin(actor);
  const inbox = parseObjectId(inboxId);
  const id = parseObjectId(blockId);
  if (!inbox || !id || !(await deps.spamBlocks.removeById(inbox, id))) throw notFound('Block-list entry');
}
