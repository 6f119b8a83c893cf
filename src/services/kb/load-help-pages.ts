import { PUBLIC_SCOPE, type KbLanguage } from '../../domain/kb-articles.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { KbArticleDoc } from '../../store/models/kb-article.js';
import { notFound } from '../access.js';
import { toHelpSummary, type HelpArticleSummary } from './help-views.js';
import { toCategoryView, type KbCategoryView } from './kb-views.js';

type HelpReadDeps = {
  kbArticles: Pick<KbArticleStore, 'countByCategory' | 'listByTitle' | 'findPageBySlug'>;
  kbCategories: Pick<KbCategoryStore, 'list' | 'findBySlug' | 'findById'>;
};

/** At most this many articles on one category page (or the home page's "other articles"). */
const PAGE_ARTICLES = 200;

/** The help center's home in a language: its categories holding public articles, with their counts, and the articles of no category. */
export async function loadHelpHome(deps: HelpReadDeps, language: KbLanguage): Promise<{ categories: Array<KbCategoryView & { count: number }>; uncategorized: HelpArticleSummary[] }> {
  const [categories, counts] = await Promise.all([deps.kbCategories.list(language), deps.kbArticles.countByCategory(PUBLIC_SCOPE, language)]);
  const uncategorized = counts.get('') ? await deps.kbArticles.listByTitle({ scope: PUBLIC_SCOPE, language, categoryId: null }, PAGE_ARTICLES) : [];
  return {
    categories: categories.map((c) => ({ ...toCategoryView(c), count: counts.get(c._id.toHexString()) ?? 0 })).filter((c) => c.count > 0),
    uncategorized: uncategorized.map(toHelpSummary),
  };
}

/** A category's page: the category and its public articles by title; NOT_FOUND for an unknown address. */
export async function loadHelpCategory(deps: HelpReadDeps, language: KbLanguage, slug: string): Promise<{ category: KbCategoryView; articles: HelpArticleSummary[] }> {
  const category = await deps.kbCategories.findBySlug(language, slug);
  if (!category) throw notFound('Knowledge base category');
  const articles = await deps.kbArticles.listByTitle({ scope: PUBLIC_SCOPE, language, categoryId: category._id }, PAGE_ARTICLES);
  return { category: toCategoryView(category), articles: articles.map(toHelpSummary) };
}

/** A published public article at its address, with its category; NOT_FOUND for anything else (drafts and internal articles alike). */
export async function loadHelpArticle(deps: HelpReadDeps, language: KbLanguage, slug: string): Promise<{ article: Pick<KbArticleDoc, 'title' | 'html' | 'language' | 'slug' | 'updatedAt'> & { id: string }; category: KbCategoryView | null }> {
  const found = await deps.kbArticles.findPageBySlug(language, slug, PUBLIC_SCOPE);
  if (!found) throw notFound('Article');
  const category = found.categoryId ? await deps.kbCategories.findById(found.categoryId) : null;
  return {
    article: { id: found._id.toHexString(), title: found.title, html: found.html, language: found.language, slug: found.slug, updatedAt: found.updatedAt },
    category: category ? toCategoryView(category) : null,
  };
}
