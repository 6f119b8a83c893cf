import type { KbLanguage } from '../../domain/kb-articles.js';
import { articleDraftOf, type DraftWords } from '../../domain/kb-from-ticket.js';
import type { TrailStore } from '../../store/trail-store.js';
import type { Actor } from '../access.js';
import { readConversation, type ConversationDeps } from '../tickets/get-ticket.js';
import { visibleTicket } from '../tickets/visible-ticket.js';
import { createKbArticle, type CreateKbArticleDeps } from './create-kb-article.js';
import { requireKbEditor } from './kb-access.js';
import type { KbArticleView } from './kb-views.js';
import { ticketCustomerLanguage, type CustomerLanguageDeps } from './ticket-kb.js';

/** A draft article made from a ticket, for the editor to check before saving. */
export interface TicketArticleDraft {
  title: string;
  body: string;
  language: KbLanguage;
  ticket: { id: string; number: number };
}

/**
 * "Create article from this ticket" (editors who may see the ticket; NOT_FOUND / FORBIDDEN
 * otherwise): a draft titled after the subject, its body the customer's question and the agents'
 * answers without quoted mail, signatures, the customer's name, addresses or phone numbers
 * (src/domain/kb-from-ticket.ts), in the customer's language. `wordsFor` gives the headings and
 * placeholders in that language. Nothing is saved.
 */
export async function draftArticleFromTicket(
  deps: ConversationDeps & CustomerLanguageDeps,
  actor: Actor,
  ticketId: string,
  wordsFor: (language: KbLanguage) => DraftWords,
): Promise<TicketArticleDraft> {
  requireKbEditor(actor);
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  const { messages } = await readConversation(deps, actor, ticket);
  const language = await ticketCustomerLanguage(deps, { subject: ticket.subject, inboxId: ticket.inboxId, requester: ticket.requester, messages });
  const draft = articleDraftOf(
    { subject: ticket.subject, requester: ticket.requester },
    messages.map((m) => ({ direction: m.direction, text: m.text ?? null, html: m.html ?? null })),
    wordsFor(language),
  );
  return { ...draft, language, ticket: { id: ticket._id.toHexString(), number: ticket.number } };
}

/**
 * Saves an article drafted from a ticket the editor may see: like {@link createKbArticle}, linked
 * back to the ticket (`sourceTicketId`), and the ticket's trail says "Article drafted from this ticket".
 */
export async function createArticleFromTicket(
  deps: CreateKbArticleDeps & { tickets: ConversationDeps['tickets']; trail: Pick<TrailStore, 'record'> },
  actor: Actor,
  ticketId: string,
  input: unknown,
): Promise<KbArticleView> {
  requireKbEditor(actor);
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  const article = await createKbArticle(deps, actor, input, { sourceTicketId: ticket._id });
  await deps.trail.record({
    ticketId: ticket._id,
    type: 'kb_article_drafted',
    actor: { kind: 'user', id: actor.userId },
    at: deps.now(),
    data: { articleId: article.id, title: article.title },
  });
  return article;
}
