import { Router, type Request } from 'express';
import { canEditKb } from '../../domain/kb-articles.js';
import type { Actor } from '../../services/access.js';
import { helpArticleUrl } from '../../services/kb/suggest-articles.js';
import { articleLinkOf, ticketArticleSuggestions } from '../../services/kb/ticket-kb.js';
import type { TicketPageData } from '../../services/tickets/ticket-page-data.js';
import { visibleTicket } from '../../services/tickets/visible-ticket.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import { queryText } from './form-fields.js';
import type { PageContext } from './page-deps.js';

/** The address help center links start with: `PUBLIC_URL`, else the address the page was asked at. */
function publicBase(ctx: Pick<PageContext, 'publicUrl'>, req: Request): string {
  return ctx.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The line "Insert link" adds to a reply: "<title>: <url>"; '' for an article that cannot be linked. */
async function linkLine(ctx: PageContext, req: Request, articleId: string | null): Promise<string> {
  const link = await articleLinkOf(ctx.stores, articleId);
  return link ? `${link.title}: ${helpArticleUrl(publicBase(ctx, req), link.path) ?? link.path}` : '';
}

/**
 * The ticket page's "Matching articles" card: the published articles matching the ticket's subject
 * and first customer mail in its customer's language (internal ones marked so, to read only), the
 * public ones offered to "Insert link" like a canned reply (`?kbArticle=` adds "<title>: <url>"
 * after the saved draft; `data-url` gives the same line to a script), and "Create article from
 * this ticket" for editors. `insertText` is the line `?kbArticle=` asks for ('' when none).
 * A knowledge base that fails leaves the card out rather than the page.
 */
export async function ticketKbPanel(ctx: PageContext, req: Request, actor: Actor, data: TicketPageData, canReply: boolean) {
  const { ticket } = data;
  const picked = queryText(req.query.kbArticle) ?? null;
  const base = publicBase(ctx, req);
  const [found, insertText] = await Promise.all([
    data.merged
      ? []
      : ticketArticleSuggestions({ ...ctx.stores }, actor, { subject: ticket.subject, inboxId: ticket.inboxId, requester: ticket.requester, messages: ticket.messages }).catch(() => null),
    canReply && picked ? linkLine(ctx, req, picked) : '',
  ]);
  const articles = (found ?? []).map((a) => ({
    id: a.id,
    title: a.title,
    internal: a.visibility === 'internal',
    url: `/kb/${a.id}`,
    helpUrl: a.visibility === 'public' ? helpArticleUrl(base, a.path) : null,
  }));
  const insertable = canReply ? articles.filter((a) => !a.internal).map((a) => ({ id: a.id, title: a.title, selected: a.id === picked })) : [];
  const createUrl = canEditKb(actor) && !data.merged ? `/kb/new?fromTicket=${encodeURIComponent(ticket.id)}` : null;
  if (articles.length === 0 && !createUrl) return null;
  return { articles, insertable, insertText, createUrl, textUrl: `/tickets/${encodeURIComponent(ticket.id)}/kb-link-text` };
}

/**
 * `GET /tickets/:id/kb-link-text?kbArticle=`: the line "Insert link" adds to the reply, as JSON
 * `{text}` like `/tickets/:id/canned-text`, for a script to insert at the cursor ('' for an article
 * that cannot be linked). The ticket must be one the agent may see.
 */
export function ticketKbPages(ctx: PageContext): Router {
  const router = Router();
  router.get('/tickets/:id/kb-link-text', requireLogin, async (req, res) => {
    const { actor } = requireSession(res);
    await visibleTicket(ctx.stores.tickets, actor, String(req.params.id));
    res.set('Cache-Control', 'no-store').json({ text: await linkLine(ctx, req, queryText(req.query.kbArticle) ?? null) });
  });
  return router;
}
