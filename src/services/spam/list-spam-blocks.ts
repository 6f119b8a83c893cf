import type { SpamBlockStore } from '../../store/spam-block-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';

/** At most this many entries are listed (an inbox's block list is meant to stay short: spam filters do the rest). */
export const MAX_LISTED_BLOCKS = 500;

/** One entry of an inbox's block list, as the settings page and the API show it. */
export interface SpamBlockView {
  id: string;
  kind: 'sender' | 'domain';
  value: string;
  /** The ticket whose "mark as spam" added it, and who did it (null: not known). */
  ticketId: string | null;
  by: string | null;
  createdAt: Date;
}

/** An inbox's block list, by value (admins; FORBIDDEN otherwise; NOT_FOUND for an inbox that does not exist). */
export async function listSpamBlocks(
  deps: { spamBlocks: Pick<SpamBlockStore, 'listByInbox'>; inboxes: Pick<InboxStore, 'existsById'> },
  actor: Actor,
  inboxId: string,
): Promise<SpamBlockView[]> {
  requireAdmin(actor);
  const id = parseObjectId(inboxId);
  if (!id || !(await deps.inboxes.existsById(id))) throw notFound('Inbox');
  const rows = await deps.spamBlocks.listByInbox(id, MAX_LISTED_BLOCKS);
  return rows.map((r) => ({ id: r._id.toHexString(), kind: r.kind, value: r.value, ticketId: r.ticketId?.toHexString() ?? null, by: r.by?.toHexString() ?? null, createdAt: r.createdAt }));
}
