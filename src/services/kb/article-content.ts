import type { Types } from 'mongoose';
import { KB_SEARCH_VERSION, excerptOf, kbSearchTerms, type KbLanguage } from '../../domain/kb-articles.js';
import { htmlToPlainText, renderKbMarkdown } from '../../domain/kb-markdown.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import { parseObjectId } from '../access.js';
import { inputIssue, invalidInput } from '../validate.js';

/** What is computed from an article's text on every save: its HTML, excerpt and search terms. */
export function articleContent(a: { title: string; body: string; tags: readonly string[] }) {
  const html = renderKbMarkdown(a.body);
  return { html, excerpt: excerptOf(htmlToPlainText(html)), searchTerms: kbSearchTerms(a), searchVersion: KB_SEARCH_VERSION };
}

/**
 * The category an article is filed under: null for none; a 400 naming `categoryId` for one that does
 * not exist or is of another language than the article.
 */
export async function checkedCategory(deps: { kbCategories: Pick<KbCategoryStore, 'findById'> }, id: string | null, language: KbLanguage): Promise<Types.ObjectId | null> {
  if (id === null) return null;
  const categoryId = parseObjectId(id);
  const found = categoryId ? await deps.kbCategories.findById(categoryId) : null;
  if (!found) throw invalidInput([inputIssue('categoryId', 'issue.kbCategoryMissing', 'names a category that does not exist')], 'Article');
  if (found.language !== language) throw invalidInput([inputIssue('categoryId', 'issue.kbCategoryLanguage', 'is a category of another language')], 'Article');
  return found._id;
}
