import { CANNED_PLACEHOLDERS } from '../../domain/canned-reply.js';
import { parseObjectId, type Actor } from '../../services/access.js';
import { isInboxManager } from '../../services/inboxes/inbox-manager-access.js';
import type { TicketPageData } from '../../services/tickets/ticket-page-data.js';
import type { Translator } from '../../i18n/catalog.js';
import { queryText } from './form-fields.js';

/** The merge form's `?error=` codes; each names a `tickets:ticket.error.*` message. */
export const MERGE_ERRORS: ReadonlySet<string> = new Set(['merge-invalid', 'merge-conflict']);

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
export function ticketExtras(actor: Actor, data: TicketPageData, query: Record<string, unknown>, t: Translator['t']) {
  const { ticket, cannedDraft: draft } = data;
  const requester = data.requesterTickets.map((r) => ({ id: r.id, number: r.number, subject: r.subject, status: r.status, lastActivityAt: r.lastActivityAt }));
  const error = queryText(query.error);
  return {
    requesterTickets: requester,
    mergeCandidates: requester.filter((r) => r.status !== 'closed'),
    mergeError: error && MERGE_ERRORS.has(error) ? t(`tickets:ticket.error.${error}`) : null,
    cannedReplies: data.cannedReplies.map((c) => ({ id: c.id, title: c.title, selected: c.id === draft?.id })),
    cannedText: draft?.text ?? '',
    manageCannedUrl: isInboxManager(actor, parseObjectId(ticket.inboxId)) ? `/settings/inboxes/${ticket.inboxId}/canned-replies` : null,
    tagsText: ticket.tags.join(', '),
  };
}
