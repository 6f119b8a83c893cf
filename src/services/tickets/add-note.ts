import { AppError } from '../../domain/errors.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { Actor } from '../access.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { notifyMentions, type NotifyMentionsDeps } from '../notifications/notify-mentions.js';
import { inputIssue } from '../validate.js';
import { toMessageView, type MessageView } from './ticket-view.js';
import { visibleTicket } from './visible-ticket.js';

/** The longest note an agent may write. */
const MAX_NOTE_CHARS = 100_000;

const invalid = (key: string, message: string) =>
  new AppError('VALIDATION_FAILED', 'Note is invalid', { details: { issues: [inputIssue('text', key, message)] }, key: 'input.invalid', params: { what: 'Note' } });

/** What adding a note needs: the ticket, and telling the people it mentions. */
export type AddNoteDeps = NotifyMentionsDeps & {
  tickets: Pick<TicketStore, 'findById' | 'addNote'>;
  now: () => Date;
  /** The lifecycle follow-up of an agent's change (lifecycle/plan-lifecycle.ts afterAgentAction): a note takes the "back from snooze" mark off. */
  afterAgentAction?: AgentActionFollowUp;
};

/**
 * An internal note on a ticket the actor may see (NOT_FOUND otherwise): part of the conversation
 * for agents, never sent to the customer. `input` is `{text}`. Each person the note mentions
 * (`@handle`, see src/domain/mentions.ts) who can see the ticket is notified once.
 */
export async function addNote(deps: AddNoteDeps, actor: Actor, id: string, input: unknown): Promise<MessageView> {
  const ticket = await visibleTicket(deps.tickets, actor, id);
  const text = typeof (input as { text?: unknown } | null)?.text === 'string' ? (input as { text: string }).text.trim() : '';
  if (!text) throw invalid('issue.required', 'is required');
  if (text.length > MAX_NOTE_CHARS) throw invalid('issue.tooLong', 'is too long');
  const note = await deps.tickets.addNote({ ticketId: ticket._id, inboxId: ticket.inboxId, text, authorId: actor.userId, at: deps.now() });
  await notifyMentions(deps, { ticket, note, authorId: actor.userId });
  await deps.afterAgentAction?.(ticket._id);
  return toMessageView(note);
}
