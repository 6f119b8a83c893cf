import { CANNED_PLACEHOLDERS } from '../../domain/canned-reply.js';
import { parseObjectId, type Actor } from '../../services/access.js';
import { isInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import type { TicketPageData } from '../../services/tickets/ticket-page-data.js';
import { relativeTime } from './view-engine.js';
import { fixedText, queryText } from './form-fields.js';

/** Fixed texts for the merge form's `?error=` codes. */
export const MERGE_ERRORS: Record<string, string> = {
  'merge-invalid': 'Only two different tickets of the same requester can be merged.',
  'merge-conflict': 'One of these tickets was already merged into another one.',
};

/** The placeholders as a canned reply writes them, for the help texts. */
export const PLACEHOLDER_HELP = CANNED_PLACEHOLDERS.map((p) => `{{${p}}}`);

/** The Ticket form's comma-separated tags field as the tags array update-ticket takes. */
export function tagsFromText(text: string): string[] {
  return text.split(/[,\n]/).map((t) => t.trim()).filter((t) => t !== '');
}

/**
 * What the ticket page shows besides the conversation: the requester's other tickets (also the merge
 * candidates), the inbox's canned replies with the one picked by `?canned=` filled in for this
 * ticket (a stale link leaves the reply box empty), and the tags as the Ticket form edits them.
 */
export function ticketExtras(actor: Actor, data: TicketPageData, query: Record<string, unknown>, now: Date) {
  const { ticket, cannedDraft: draft } = data;
  const requester = data.requesterTickets.map((t) => ({ id: t.id, number: t.number, subject: t.subject, status: t.status, lastActivityAt: t.lastActivityAt, lastActivity: relativeTime(t.lastActivityAt, now) }));
  return {
    requesterTickets: requester,
    mergeCandidates: requester.filter((t) => t.status !== 'closed'),
    mergeError: fixedText(MERGE_ERRORS, queryText(query.error)),
    cannedReplies: data.cannedReplies.map((c) => ({ id: c.id, title: c.title, selected: c.id === draft?.id })),
    cannedText: draft?.text ?? '',
    manageCannedUrl: isInboxManager(actor, parseObjectId(ticket.inboxId)) ? `/settings/inboxes/${ticket.inboxId}/canned-replies` : null,
    tagsText: ticket.tags.join(', '),
  };
}
