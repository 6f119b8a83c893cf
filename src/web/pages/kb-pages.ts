import Handlebars from 'handlebars';
import { Router, type Request, type Response } from 'express';
import { canEditKb, KB_LANGUAGES, KB_LIMITS, KB_STATUSES, KB_VISIBILITIES } from '../../domain/kb-articles.js';
import { renderKbMarkdown } from '../../domain/kb-markdown.js';
import { archiveKbArticle } from '../../services/kb/archive-kb-article.js';
import { createKbArticle } from '../../services/kb/create-kb-article.js';
import { getKbArticle } from '../../services/kb/get-kb-article.js';
import { helpArticlePath } from '../../services/kb/help-views.js';
import { requireKbEditor } from '../../services/kb/kb-access.js';
import { listKbArticles } from '../../services/kb/list-kb-articles.js';
import { listKbCategories } from '../../services/kb/list-kb-categories.js';
import { getKbArticleStats } from '../../services/kb/kb-stats.js';
import { updateKbArticle } from '../../services/kb/update-kb-article.js';
import type { KbArticleView, KbCategoryView } from '../../services/kb/kb-views.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, fixedMessage, formOf, issueText, queryText, validationIssues, type FormBody, type FormIssue } from './form-fields.js';
import { kbRevisionPages } from './kb-revision-pages.js';
import type { PageContext } from './page-deps.js';
import { AppError } from '../../domain/errors.js';
import { createI18n, type I18n } from '../../i18n/catalog.js';
import type { Actor } from '../../services/access.js';
import { createArticleFromTicket, draftArticleFromTicket } from '../../services/kb/article-from-ticket.js';
import { visibleTicket } from '../../services/tickets/visible-ticket.js';
import { ticketKbPages } from './ticket-kb-panel.js';
import { pageI18n } from './page-i18n.js';

const NOTICES: Record<string, string> = {
  created: 'kb:notice.created',
  updated: 'kb:notice.updated',
  archived: 'kb:notice.archived',
  restored: 'kb:notice.restored',
};

/** The ticket a new article is drafted from (its number is shown when known). */
type FromTicket = { id: string; number: number | null };

/** The ticket an article was drafted from, as its page names it: a link, or "a ticket you cannot see"; null for none. */
async function sourceTicketOf(ctx: PageContext, actor: Actor, ticketId: string | null): Promise<{ id: string; number: number } | { hidden: true } | null> {
  if (!ticketId) return null;
  try {
    const ticket = await visibleTicket(ctx.stores.tickets, actor, ticketId);
    return { id: ticket._id.toHexString(), number: ticket.number };
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return { hidden: true };
    throw err;
  }
}

/** The editor form's values: what was posted, or the article's. */
interface ArticleForm {
  title: string;
  body: string;
  language: string;
  visibility: string;
  status: string;
  categoryId: string;
  tags: string;
}

const formFromArticle = (a: KbArticleView): ArticleForm => ({
  title: a.title,
  body: a.body,
  language: a.language,
  visibility: a.visibility,
  status: a.status,
  categoryId: a.categoryId ?? '',
  tags: a.tags.join(', '),
});

const formFromBody = (body: FormBody, fallbackLanguage: string): ArticleForm => ({
  title: field(body, 'title'),
  body: field(body, 'body'),
  language: field(body, 'language') || fallbackLanguage,
  visibility: field(body, 'visibility') || 'public',
  status: field(body, 'status') || 'draft',
  categoryId: field(body, 'categoryId'),
  tags: field(body, 'tags'),
});

/** The use cases' input of a posted form (`language` only when creating). */
const inputOf = (form: ArticleForm, creating: boolean) => ({
  title: form.title,
  body: form.body,
  ...(creating ? { language: form.language } : {}),
  visibility: form.visibility,
  status: form.status,
  categoryId: form.categoryId || null,
  tags: form.tags.split(',').map((t) => t.trim()).filter(Boolean),
});

/**
 * `/kb`: the knowledge base for signed-in users. Everyone reads (agents: published articles, internal
 * ones too); editors (admins, managers, agents an admin allowed) write, preview (without script: a
 * second submit button), archive and restore revisions (kb-revision-pages.ts).
 */
export function kbPages(ctx: PageContext): Router {
  const router = Router();
  // A draft from a ticket is written in its customer's language, whatever the editor's.
  let catalogs: I18n | undefined = ctx.i18n;
  const draftWordsIn = (language: string) => {
    const { t } = (catalogs ??= createI18n()).translator(language);
    const words = ['question', 'answer', 'untitled', 'name', 'email', 'phone'] as const;
    return Object.fromEntries(words.map((w) => [w, t(`kb:fromTicket.${w}`)])) as Record<(typeof words)[number], string>;
  };
  const post = [requireLogin, requireCsrf(ctx.publicUrl)];

  router.get('/kb', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const filters = { status: queryText(req.query.status), language: queryText(req.query.language), category: queryText(req.query.category), q: queryText(req.query.q) };
    const [page, categories] = await Promise.all([
      listKbArticles(ctx.stores, session.actor, { ...filters, ...(queryText(req.query.cursor) ? { cursor: String(req.query.cursor) } : {}) }),
      listKbCategories(ctx.stores, session.actor),
    ]);
    const names = new Map(categories.map((c) => [c.id, c.name]));
    const editor = canEditKb(session.actor);
    const next = page.nextCursor ? `/kb?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), cursor: page.nextCursor }).toString()}` : null;
    res.type('html').send(
      ctx.views.render(
        'kb-list',
        {
          title: t('kb:list.title'),
          session,
          nav: 'kb',
          editor,
          filters,
          statuses: editor ? KB_STATUSES.map((s) => ({ value: s, selected: s === filters.status })) : null,
          languages: KB_LANGUAGES.map((l) => ({ value: l, selected: l === filters.language })),
          categories: categories.map((c) => ({ ...c, selected: c.id === filters.category })),
          items: page.items.map((a) => ({ ...a, categoryName: a.categoryId ? names.get(a.categoryId) ?? null : null, helpUrl: a.status === 'published' && a.visibility === 'public' ? helpArticlePath(a.language, a.slug) : null })),
          next,
          searchProblem: page.searchProblem ? t(`kb:help.search.problem.${page.searchProblem}`) : null,
          notice: fixedMessage(NOTICES, req.query.saved, t),
        },
        i18n,
      ),
    );
  });

  /** The editor (new or existing article), with what was posted, its problems and a preview. */
  const renderEditor = async (res: Response, status: number, article: KbArticleView | null, form: ArticleForm, issues: FormIssue[], preview: string | null, fromTicket: FromTicket | null = null) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const categories: KbCategoryView[] = await listKbCategories(ctx.stores, session.actor);
    const errorOf = (path: string) => {
      const found = issues.find((i) => i.path === path || i.path.startsWith(`${path}.`));
      return found ? issueText(found, i18n.tr) : null;
    };
    res.status(status).type('html').send(
      ctx.views.render(
        'kb-edit',
        {
          title: article ? t('kb:edit.title', { title: article.title }) : t('kb:edit.newTitle'),
          session,
          nav: 'kb',
          csrf: session.csrfToken,
          article,
          action: article ? `/kb/${article.id}` : '/kb',
          form,
          languages: KB_LANGUAGES.map((l) => ({ value: l, selected: l === form.language })),
          visibilities: KB_VISIBILITIES.map((v) => ({ value: v, selected: v === form.visibility })),
          statuses: KB_STATUSES.map((s) => ({ value: s, selected: s === form.status })),
          categories: categories.map((c) => ({ ...c, selected: c.id === form.categoryId })),
          errors: { title: errorOf('title'), body: errorOf('body'), categoryId: errorOf('categoryId'), tags: errorOf('tags') },
          problems: issues.length ? issues.map((i) => (i.path ? `${i.path}: ${issueText(i, i18n.tr)}` : issueText(i, i18n.tr))) : null,
          preview: preview === null ? null : new Handlebars.SafeString(preview),
          limits: KB_LIMITS,
          // "Create article from this ticket": the ticket the new article links back to.
          fromTicket,
        },
        i18n,
      ),
    );
  };

  router.get('/kb/new', requireLogin, async (req, res) => {
    const { actor } = requireSession(res);
    requireKbEditor(actor);
    const ticketId = queryText(req.query.fromTicket);
    if (ticketId) {
      // A draft of the ticket's conversation, in its customer's language, for the editor to check.
      const draft = await draftArticleFromTicket(ctx.stores, actor, ticketId, draftWordsIn);
      const form = { ...formFromBody({}, draft.language), title: draft.title, body: draft.body };
      return renderEditor(res, 200, null, form, [], null, draft.ticket);
    }
    await renderEditor(res, 200, null, formFromBody({}, pageI18n(res).tr.locale === 'fr' ? 'fr' : 'en'), [], null);
  });

  /** Saves (or previews) the posted editor: a refused save shows the form again with what was posted. */
  const save = async (req: Request, res: Response, article: KbArticleView | null) => {
    const { actor } = requireSession(res);
    const body = formOf(req);
    const form = formFromBody(body, article?.language ?? 'en');
    if (article) form.language = article.language;
    // Drafted from a ticket: saved linked back to it, and noted on its trail.
    const fromTicket: FromTicket | null = !article && field(body, 'fromTicket') ? { id: field(body, 'fromTicket'), number: null } : null;
    if (field(body, 'action') === 'preview') return renderEditor(res, 200, article, form, [], renderKbMarkdown(form.body), fromTicket);
    let saved: KbArticleView;
    const deps = { ...ctx.stores, now: ctx.now };
    try {
      if (article) saved = await updateKbArticle(deps, actor, article.id, inputOf(form, false));
      else if (fromTicket) saved = await createArticleFromTicket(deps, actor, fromTicket.id, inputOf(form, true));
      else saved = await createKbArticle(deps, actor, inputOf(form, true));
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return renderEditor(res, 400, article, form, issues, null, fromTicket);
    }
    res.redirect(303, `/kb/${saved.id}?saved=${article ? 'updated' : 'created'}`);
  };

  router.post('/kb', ...post, async (req, res) => {
    requireKbEditor(requireSession(res).actor);
    await save(req, res, null);
  });

  router.get('/kb/:id', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const article = await getKbArticle(ctx.stores, session.actor, String(req.params.id));
    const [categories, sourceTicket] = await Promise.all([listKbCategories(ctx.stores, session.actor), sourceTicketOf(ctx, session.actor, article.sourceTicketId)]);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    // Editors see the help center's counts of the article (kb-stats-pages.ts has the table of all).
    const counted = canEditKb(session.actor) ? await getKbArticleStats({ ...ctx.stores, now: ctx.now }, session.actor, article.id) : null;
    const stats = counted && {
      recent: t('kb:stats.line', { ...counted.recent }),
      allTime: t('kb:stats.line', { ...counted.allTime }),
      recentDays: counted.recentDays,
    };
    res.type('html').send(
      ctx.views.render(
        'kb-article',
        {
          title: article.title,
          session,
          nav: 'kb',
          csrf: session.csrfToken,
          editor: canEditKb(session.actor),
          article: { ...article, html: new Handlebars.SafeString(article.html) },
          category: categories.find((c) => c.id === article.categoryId) ?? null,
          helpUrl: article.status === 'published' && article.visibility === 'public' ? helpArticlePath(article.language, article.slug) : null,
          notice: fixedMessage(NOTICES, req.query.saved, t),
          stats,
          // The ticket it was drafted from (agents only see this page), when there is one.
          sourceTicket,
        },
        i18n,
      ),
    );
  });

  router.get('/kb/:id/edit', requireLogin, async (req, res) => {
    const session = requireSession(res);
    requireKbEditor(session.actor);
    const article = await getKbArticle(ctx.stores, session.actor, String(req.params.id));
    await renderEditor(res, 200, article, formFromArticle(article), [], null);
  });

  router.post('/kb/:id', ...post, async (req, res) => {
    const session = requireSession(res);
    requireKbEditor(session.actor);
    const article = await getKbArticle(ctx.stores, session.actor, String(req.params.id));
    await save(req, res, article);
  });

  router.post('/kb/:id/archive', ...post, async (req, res) => {
    const article = await archiveKbArticle(ctx.stores, requireSession(res).actor, String(req.params.id));
    res.redirect(303, `/kb/${article.id}?saved=archived`);
  });

  router.use(kbRevisionPages(ctx));
  // The ticket page's "Insert link" line for scripts (`/tickets/:id/kb-link-text`).
  router.use(ticketKbPages(ctx));
  return router;
}
