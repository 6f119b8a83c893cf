import { AppError } from '../domain/errors.js';
import type { Models } from '../store/models/index.js';
import { recordEvent } from '../store/ticket-writes.js';
import type { Actor } from './access.js';
import { visibleTicket } from './update-ticket.js';
import { toMessageView, type MessageView } from './ticket-view.js';

/** An internal note on a ticket: part of the conversation for agents, never sent to the customer. */
export async function addNote(deps: { models: Models; now: () => Date }, actor: Actor, id: string, input: unknown): Promise<MessageView> {
  const ticket = await visibleTicket(deps.models, actor, id);
  const text = typeof (input as { text?: unknown } | null)?.text === 'string' ? (input as { text: string }).text.trim() : '';
  if (!text) throw new AppError('VALIDATION_FAILED', 'Note is invalid', { details: { issues: [{ path: 'text', message: 'is required' }] } });
  if (text.length > 100_000) throw new AppError('VALIDATION_FAILED', 'Note is invalid', { details: { issues: [{ path: 'text', message: 'is too long' }] } });
  const now = deps.now();
  const note = await deps.models.Message.create({ ticketId: ticket._id, inboxId: ticket.inboxId, direction: 'note', text, authorId: actor.userId, createdAt: now });
  await recordEvent(deps.models, { ticketId: ticket._id, type: 'note_added', actor: { kind: 'user', id: actor.userId }, at: now, data: { messageId: note._id } });
  return toMessageView(note.toObject());
}
