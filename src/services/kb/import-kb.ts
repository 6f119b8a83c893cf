import type { Types } from 'mongoose';
import { categorySlug, isSlug, KB_LANGUAGES, KB_LIMITS, KB_STATUSES, KB_VISIBILITIES, normalizeTags, type KbLanguage } from '../../domain/kb-articles.js';
import { AppError } from '../../domain/errors.js';
import { CATEGORIES_FILE, KbFileError, parseArticleFile, parseCategories, type CategoryEntry } from '../../domain/kb-files.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { KbRevisionStore } from '../../store/kb-revision-store.js';
import type { Actor } from '../access.js';
import { articleContent } from './article-content.js';
import { requireKbCategoryManager, requireKbEditor } from './kb-access.js';
import { createKbArticleSchema } from './kb-schemas.js';
import { updateKbArticle } from './update-kb-article.js';

export type ImportKbDeps = {
  kbArticles: Pick<KbArticleStore, 'findBySlug' | 'findById' | 'create' | 'saveRevision' | 'setFields'>;
  kbRevisions: Pick<KbRevisionStore, 'add'>;
  kbCategories: Pick<KbCategoryStore, 'findBySlug' | 'findById' | 'create' | 'update'>;
  now: () => Date;
};

/** What an import read: the categories' index (null when the folder has none) and each article file. */
export interface KbImportInput {
  categories: string | null;
  files: ReadonlyArray<{ path: string; text: string }>;
}

/** How many categories and articles an import created, changed and found as they were. */
export interface KbImportReport {
  categories: { created: number; updated: number; unchanged: number };
  articles: { created: number; updated: number; unchanged: number };
}

/** One problem of one file. */
export interface KbImportProblem {
  file: string;
  field: string;
  problem: string;
}

const EVERY = { statuses: KB_STATUSES, visibilities: KB_VISIBILITIES };
const isLanguage = (v: string): v is KbLanguage => (KB_LANGUAGES as readonly string[]).includes(v);

interface ReadyArticle {
  file: string;
  language: KbLanguage;
  slug: string;
  category: string | null;
  title: string;
  body: string;
  tags: string[];
  visibility: (typeof KB_VISIBILITIES)[number];
  status: (typeof KB_STATUSES)[number];
}

/* Checks every category entry; problems are collected, not thrown. */
function checkCategories(entries: CategoryEntry[], problems: KbImportProblem[]): CategoryEntry[] {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const at = (field: string, problem: string) => problems.push({ file: CATEGORIES_FILE, field: `[${i}].${field}`, problem });
    if (!isLanguage(e.language)) at('language', 'must be en or fr');
    if (e.name.trim().length > KB_LIMITS.categoryName) at('name', `is longer than ${KB_LIMITS.categoryName} characters`);
    if ((e.description ?? '').length > KB_LIMITS.categoryDescription) at('description', `is longer than ${KB_LIMITS.categoryDescription} characters`);
    if (e.slug !== categorySlug(e.name)) at('slug', `must be "${categorySlug(e.name)}", the slug of the name`);
    if (seen.has(`${e.language}|${e.slug}`)) at('slug', `is given twice for ${e.language}`);
    seen.add(`${e.language}|${e.slug}`);
  });
  return entries;
}

/* Reads and checks one article file; its problems are collected. */
function checkArticle(file: { path: string; text: string }, problems: KbImportProblem[]): ReadyArticle | null {
  const at = (field: string, problem: string) => void problems.push({ file: file.path, field, problem });
  const where = /^([^/]+)\/([^/]+)\.md$/.exec(file.path);
  if (!where) return at('path', 'must be <language>/<slug>.md'), null;
  let parsed;
  try {
    parsed = parseArticleFile(file.text);
  } catch (err) {
    if (err instanceof KbFileError) return at(err.field, err.problem), null;
    throw err;
  }
  const before = problems.length;
  if (parsed.language !== where[1]) at('language', `is "${parsed.language}" but the file is in the folder "${where[1]}"`);
  if (!isSlug(parsed.slug)) at('slug', 'must be lower-case words joined by hyphens (no accents), at most 80 characters');
  else if (parsed.slug !== where[2]) at('slug', `is "${parsed.slug}" but the file is named "${where[2]}.md"`);
  const checked = createKbArticleSchema.safeParse({ title: parsed.title, body: parsed.body, language: parsed.language, visibility: parsed.visibility, status: parsed.status, tags: parsed.tags });
  if (!checked.success) for (const issue of checked.error.issues) at(String(issue.path[0] ?? 'front matter'), issue.message);
  if (problems.length > before || !checked.success) return null;
  const f = checked.data;
  return { file: file.path, language: f.language, slug: parsed.slug, category: parsed.category, title: f.title, body: f.body, tags: normalizeTags(f.tags ?? []), visibility: f.visibility, status: f.status };
}

/**
 * Imports a folder written by {@link exportKb} (or by hand): categories by (language, slug), then
 * articles by (language, slug), created or changed as a new revision, so importing the same folder
 * twice changes nothing. Every file is checked before anything is written: any problem is a 400
 * naming each file and field, and nothing is imported. Admins and managers only (it writes categories).
 */
export async function importKb(deps: ImportKbDeps, actor: Actor, input: KbImportInput): Promise<KbImportReport> {
  requireKbEditor(actor);
  requireKbCategoryManager(actor);
  const problems: KbImportProblem[] = [];
  let entries: CategoryEntry[] = [];
  if (input.categories !== null) {
    try {
      entries = checkCategories(parseCategories(input.categories), problems);
    } catch (err) {
      if (!(err instanceof KbFileError)) throw err;
      problems.push({ file: CATEGORIES_FILE, field: err.field, problem: err.problem });
    }
  }
  const articles = [...input.files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => checkArticle(f, problems));
  // Each article's category: in the index, or already in the database.
  const listed = new Set(entries.map((e) => `${e.language}|${e.slug}`));
  for (const a of articles) {
    if (!a?.category || listed.has(`${a.language}|${a.category}`)) continue;
    if (!(await deps.kbCategories.findBySlug(a.language, a.category))) problems.push({ file: a.file, field: 'category', problem: `no category "${a.category}" in ${a.language} (neither in ${CATEGORIES_FILE} nor in the database)` });
  }
  if (problems.length) {
    const lines = problems.map((p) => `${p.file}: ${p.field}: ${p.problem}`);
    throw new AppError('VALIDATION_FAILED', `Nothing was imported: ${problems.length === 1 ? 'a file has a problem' : `${problems.length} problems`}\n  ${lines.join('\n  ')}`, { details: { problems } });
  }

  const report: KbImportReport = { categories: { created: 0, updated: 0, unchanged: 0 }, articles: { created: 0, updated: 0, unchanged: 0 } };
  for (const e of entries) {
    const language = e.language as KbLanguage;
    const found = await deps.kbCategories.findBySlug(language, e.slug);
    const fields = { name: e.name.trim(), description: e.description?.trim() || null, position: e.position };
    if (!found) {
      if (!(await deps.kbCategories.create({ ...fields, language, slug: e.slug }))) throw new AppError('CONFLICT', `${CATEGORIES_FILE}: ${language}/${e.slug} was taken meanwhile; import again`);
      report.categories.created++;
    } else if (found.name !== fields.name || (found.description ?? null) !== fields.description || found.position !== fields.position) {
      await deps.kbCategories.update(found._id, fields);
      report.categories.updated++;
    } else report.categories.unchanged++;
  }
  const categoryIds = new Map<string, Types.ObjectId>();
  const categoryOf = async (language: KbLanguage, slug: string | null): Promise<Types.ObjectId | null> => {
    if (!slug) return null;
    const key = `${language}|${slug}`;
    if (!categoryIds.has(key)) categoryIds.set(key, (await deps.kbCategories.findBySlug(language, slug))!._id);
    return categoryIds.get(key)!;
  };

  for (const a of articles as ReadyArticle[]) {
    const categoryId = await categoryOf(a.language, a.category);
    const found = await deps.kbArticles.findBySlug(a.language, a.slug, EVERY);
    if (!found) {
      const now = deps.now();
      const created = await deps.kbArticles.create({
        title: a.title, body: a.body, slug: a.slug, language: a.language, categoryId, tags: a.tags, visibility: a.visibility, status: a.status,
        ...articleContent(a), authorId: actor.userId, publishedAt: a.status === 'published' ? now : null,
      });
      if (!created) throw new AppError('CONFLICT', `${a.file}: ${a.language}/${a.slug} was taken meanwhile; import again`);
      await deps.kbRevisions.add({ articleId: created._id, number: 1, title: a.title, body: a.body, editorId: actor.userId, at: now, restoredFrom: null });
      report.articles.created++;
      continue;
    }
    const changes = {
      ...(found.title !== a.title ? { title: a.title } : {}),
      ...(found.body !== a.body ? { body: a.body } : {}),
      ...(found.tags.join('\n') !== a.tags.join('\n') ? { tags: a.tags } : {}),
      ...(found.visibility !== a.visibility ? { visibility: a.visibility } : {}),
      ...(found.status !== a.status ? { status: a.status } : {}),
      ...(String(found.categoryId ?? '') !== String(categoryId ?? '') ? { categoryId: categoryId ? categoryId.toHexString() : null } : {}),
    };
    if (Object.keys(changes).length === 0) {
      report.articles.unchanged++;
      continue;
    }
    await updateKbArticle(deps, actor, found._id.toHexString(), changes);
    report.articles.updated++;
  }
  return report;
}
