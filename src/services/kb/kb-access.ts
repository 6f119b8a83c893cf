import type { Types } from 'mongoose';
import { canEditKb, canManageKbCategories } from '../../domain/kb-articles.js';
import { AppError } from '../../domain/errors.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbArticleDoc } from '../../store/models/kb-article.js';
import { agentScope, inScope } from '../../domain/kb-articles.js';
import { notFound, parseObjectId, type Actor } from '../access.js';

/** FORBIDDEN unless the actor may write articles (admins, managers, agents with the permission). */
export function requireKbEditor(actor: Actor): void {
  if (!canEditKb(actor)) throw new AppError('FORBIDDEN', 'Only admins, managers and the agents an admin allowed can write knowledge base articles', { key: 'forbidden.kbEditor' });
}

/** FORBIDDEN unless the actor arranges categories (admins and managers). */
export function requireKbCategoryManager(actor: Actor): void {
  if (!canManageKbCategories(actor)) throw new AppError('FORBIDDEN', 'Only admins and managers can change knowledge base categories', { key: 'forbidden.kbCategories' });
}

/** The article behind an id, if the actor may see it; NOT_FOUND otherwise (hidden and missing alike). */
export async function articleFor(deps: { kbArticles: Pick<KbArticleStore, 'findById'> }, actor: Actor, id: string): Promise<KbArticleDoc> {
  const articleId: Types.ObjectId | null = parseObjectId(id);
  const article = articleId ? await deps.kbArticles.findById(articleId) : null;
  if (!article || !inScope(article, agentScope(actor))) throw notFound('Article');
  return article;
}
