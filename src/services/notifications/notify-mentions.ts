import type { Types } from 'mongoose';
import { mentionedIn } from '../../domain/mentions.js';
import { excerptOf } from '../../domain/reply-text.js';
import { listTicketPeople, type TicketPeopleDeps } from '../tickets/ticket-people.js';
import { notify, type NotificationEvent, type NotifyDeps } from './notify.js';

/** What telling the people a note mentions needs: who can see the ticket, and notify's own. */
export type NotifyMentionsDeps = NotifyDeps & TicketPeopleDeps;

/** A note just written, and where. */
export interface WrittenNote {
  ticket: NotificationEvent['ticket'];
  note: { _id: Types.ObjectId; text?: string | null; createdAt: Date };
  authorId: Types.ObjectId | null;
}

/**
 * Tells each person a note mentions (`@handle`, see src/domain/mentions.ts) among those who can see
 * the ticket, once per note (keyed by the note), never its author. Returns the ids of the people it
 * mentions (the author included, when they mention themselves).
 */
export async function notifyMentions(deps: NotifyMentionsDeps, written: WrittenNote): Promise<Types.ObjectId[]> {
  const text = written.note.text ?? '';
  if (!text.includes('@')) return [];
  const people = await listTicketPeople(deps, written.ticket);
  const mentioned = mentionedIn(text, people);
  if (mentioned.length === 0) return [];
  const author = written.authorId ? people.find((p) => p._id.equals(written.authorId!)) : undefined;
  await notify(deps, [{
    kind: 'mentioned',
    key: `mentioned:${written.note._id.toHexString()}`,
    ticket: written.ticket,
    at: written.note.createdAt,
    data: { by: written.authorId ? { id: written.authorId.toHexString(), name: author?.name || author?.email || null } : null, excerpt: excerptOf(text), messageId: written.note._id.toHexString() },
    userIds: mentioned.map((p) => p._id),
    actorId: written.authorId,
  }]);
  return mentioned.map((p) => p._id);
}
