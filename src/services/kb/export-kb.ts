import { articleFilePath, CATEGORIES_FILE, formatArticleFile, formatCategories } from '../../domain/kb-files.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { Actor } from '../access.js';
import { requireKbEditor } from './kb-access.js';

export type ExportKbDeps = {
  kbArticles: Pick<KbArticleStore, 'all'>;
  kbCategories: Pick<KbCategoryStore, 'list'>;
};

/**
 * Writes the whole knowledge base as files through `write` (path relative to the export's folder):
 * `categories.json`, then one `<language>/<slug>.md` per article of every status and visibility,
 * its latest revision. Returns how many of each it wrote.
 */
export async function exportKb(deps: ExportKbDeps, actor: Actor, write: (path: string, text: string) => Promise<void>): Promise<{ articles: number; categories: number }> {
  requireKbEditor(actor);
  const categories = await deps.kbCategories.list();
  const slugOf = new Map(categories.map((c) => [c._id.toHexString(), c.slug]));
  await write(CATEGORIES_FILE, formatCategories(categories.map((c) => ({ language: c.language, slug: c.slug, name: c.name, description: c.description ?? null, position: c.position }))));
  let articles = 0;
  for await (const a of deps.kbArticles.all()) {
    await write(
      articleFilePath(a),
      formatArticleFile({
        title: a.title, slug: a.slug, language: a.language, category: a.categoryId ? slugOf.get(a.categoryId.toHexString()) ?? null : null,
        tags: a.tags, visibility: a.visibility, status: a.status, body: a.body,
      }),
    );
    articles++;
  }
  return { articles, categories: categories.length };
}
