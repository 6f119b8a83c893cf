import { KB_LANGUAGES, type KbLanguage } from '../../domain/kb-articles.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { Actor } from '../access.js';
import { inputIssue, invalidInput } from '../validate.js';
import { toCategoryView, type KbCategoryView } from './kb-views.js';

/** The categories, every language or one, in position order (everyone signed in; the help center shows them too). */
export async function listKbCategories(deps: { kbCategories: Pick<KbCategoryStore, 'list'> }, _actor: Actor | null, language?: string): Promise<KbCategoryView[]> {
  if (language && !(KB_LANGUAGES as readonly string[]).includes(language)) throw invalidInput([inputIssue('language', 'issue.kbLanguage', 'must be en or fr')], 'Category list');
  return (await deps.kbCategories.list(language ? (language as KbLanguage) : undefined)).map(toCategoryView);
}
