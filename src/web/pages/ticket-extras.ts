import { CANNED_PLACEHOLDERS } from '../../domain/canned-reply.js';
import { isAppError } from '../../domain/errors.js';
import { parseObjectId, type Actor } from '../../services/access.js';
import { listCannedReplies } from '../../services/canned-replies.js';
import { isInboxManager } from '../../services/inbox-manager-access.js';
import type { TicketDetailView } from '../../services/get-ticket.js';
import { renderCannedReply } from '../../services/render-canned-reply.js';
import { requesterTickets } from '../../services/requester-tickets.js';
import type { PageContext } from './page-deps.js';
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


// A stale `?canned=` link (the reply was deleted meanwhile) just leaves the reply box empty.
const unlessMissing = <T>(p: Promise<T>) => p.catch((err: unknown) => (isAppError(err, 'NOT_FOUND') ? null : Promise.reject(err)));

/**
 * What the ticket page shows besides the conversation: the requester's other tickets (also the merge
 * candidates), the inbox's canned replies with the one picked by `?canned=` filled in for this
 * ticket, and the tags as the Ticket form edits them.
 */
export async function ticketExtras(ctx: PageContext, actor: Actor, ticket: TicketDetailView, query: Record<string, unknown>) {
  const cannedId = queryText(query.canned);
  const error = queryText(query.error);
  const [others, canned, draft] = await Promise.all([
    requesterTickets(ctx, actor, ticket.id),
    unlessMissing(listCannedReplies(ctx, actor, ticket.inboxId)),
    cannedId ? unlessMissing(renderCannedReply(ctx, actor, ticket.id, cannedId)) : null,
  ]);
  const now = ctx.now();
  const requester = others.map((t) => ({ id: t.id, number: t.number, subject: t.subject, status: t.status, lastActivityAt: t.lastActivityAt, lastActivity: relativeTime(t.lastActivityAt, now) }));
  return {
    requesterTickets: requester,
    mergeCandidates: requester.filter((t) => t.status !== 'closed'),
    mergeError: fixedText(MERGE_ERRORS, error),
    cannedReplies: (canned?.items ?? []).map((c) => ({ id: c.id, title: c.title, selected: c.id === draft?.id })),
    cannedText: draft?.text ?? '',
    manageCannedUrl: isInboxManager(actor, parseObjectId(ticket.inboxId)) ? `/settings/inboxes/${ticket.inboxId}/canned-replies` : null,
    tagsText: ticket.tags.join(', '),
  };
}
