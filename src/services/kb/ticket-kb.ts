import type { Types } from 'mongoose';
import { agentScope, KB_LANGUAGES, type KbLanguage } from '../../domain/kb-articles.js';
import { replyText } from '../../domain/reply-text.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { customerLocale, detectLocale, ownWords } from '../ingest/customer-locale.js';
import { helpArticlePath } from './help-views.js';
import { suggestArticles, type SuggestedArticle } from './suggest-articles.js';

/** Articles the ticket page's "Matching articles" card lists at most. */
export const TICKET_SUGGESTIONS = 5;

/** A ticket as the knowledge base reads it: its subject, customer, inbox and first customer mail. */
export interface TicketForKb {
  subject: string;
  inboxId: Types.ObjectId | string;
  requester: { email: string; name?: string | null };
  messages: ReadonlyArray<{ direction: string; text?: string | null; html?: string | null }>;
}

/** What finding the customer's language reads. */
export type CustomerLanguageDeps = { contacts: Pick<ContactStore, 'findLocaleByEmail'>; inboxes: Pick<InboxStore, 'findBranding'> };

/** The ticket's first customer mail, if it has one. */
export function firstCustomerMail(ticket: Pick<TicketForKb, 'messages'>): { text?: string | null; html?: string | null } | null {
  return ticket.messages.find((m) => m.direction === 'inbound') ?? null;
}

/**
 * The language the ticket's customer is written to in, as the auto-reply picks it: their first
 * mail's, else the one remembered for them, else the inbox's default.
 */
export async function ticketCustomerLanguage(deps: CustomerLanguageDeps, ticket: TicketForKb): Promise<KbLanguage> {
  const first = firstCustomerMail(ticket);
  const inboxId = typeof ticket.inboxId === 'string' ? parseObjectId(ticket.inboxId) : ticket.inboxId;
  const [remembered, inbox] = await Promise.all([deps.contacts.findLocaleByEmail(ticket.requester.email), inboxId ? deps.inboxes.findBranding(inboxId) : null]);
  const locale = customerLocale(first ? detectLocale(ownWords(first)) : null, remembered, inbox?.defaultLocale);
  return (KB_LANGUAGES as readonly string[]).includes(locale) ? (locale as KbLanguage) : 'en';
}

/**
 * The published articles matching a ticket's subject and first customer mail, in its customer's
 * language, for an agent (internal ones too), best first.
 */
export async function ticketArticleSuggestions(
  deps: CustomerLanguageDeps & { kbArticles: Pick<KbArticleStore, 'suggestionCandidates'> },
  actor: Actor,
  ticket: TicketForKb,
): Promise<SuggestedArticle[]> {
  const first = firstCustomerMail(ticket);
  const language = await ticketCustomerLanguage(deps, ticket);
  return suggestArticles(deps, { subject: ticket.subject, body: first ? replyText(first) : '', writer: ticket.requester.name ?? null }, { scope: agentScope(actor), language, limit: TICKET_SUGGESTIONS });
}

/**
 * The help center link of a published public article, to put in a reply ("Insert link"); null for
 * any other id (a draft, an internal article, a stale link).
 */
export async function articleLinkOf(deps: { kbArticles: Pick<KbArticleStore, 'findById'> }, articleId: string | null): Promise<{ title: string; path: string } | null> {
  const id = articleId ? parseObjectId(articleId) : null;
  const article = id ? await deps.kbArticles.findById(id) : null;
  if (!article || article.status !== 'published' || article.visibility !== 'public') return null;
  return { title: article.title, path: helpArticlePath(article.language, article.slug) };
}
