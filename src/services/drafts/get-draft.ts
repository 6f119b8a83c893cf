import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UploadStore } from '../../store/upload-store.js';
import type { Actor } from '../access.js';
import { ownTicketUploads } from './draft-html.js';
import { draftKey, toDraftView, type DraftView } from './draft-owner.js';

/** The actor's reply draft for a ticket they can see (with the names of its files), or null when they have none. */
export async function getDraft(
  deps: { tickets: Pick<TicketStore, 'findById'>; replyDrafts: Pick<ReplyDraftStore, 'find'>; uploads: Pick<UploadStore, 'listOwned'> },
  actor: Actor,
  ticketId: string,
): Promise<DraftView | null> {
  const key = await draftKey(deps.tickets, actor, ticketId);
  const draft = await deps.replyDrafts.find(key.userId, key.ticketId);
  if (!draft) return null;
  return toDraftView(draft, await ownTicketUploads(deps.uploads, key.userId, key.ticketId, draft.uploadIds ?? []));
}
