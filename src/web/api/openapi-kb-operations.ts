import type { z } from 'zod';
import { KB_LANGUAGES, KB_STATUSES, KB_VISIBILITIES } from '../../domain/kb-articles.js';
import { createKbArticleSchema, createKbCategorySchema, updateKbArticleSchema, updateKbCategorySchema } from '../../services/kb/kb-schemas.js';
import { arrayOf, dateTime, enumOf, integer, listOf, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The knowledge base's request bodies, generated from the schemas the use cases parse with. */
export const KB_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  KbArticleCreate: createKbArticleSchema,
  KbArticleUpdate: updateKbArticleSchema,
  KbCategoryCreate: createKbCategorySchema,
  KbCategoryUpdate: updateKbCategorySchema,
};

const summary = {
  id: objectId,
  title: string,
  slug: { ...string, description: 'Its address in its language: `/help/{language}/{slug}`; kept when the title changes.' },
  language: enumOf(KB_LANGUAGES),
  excerpt: string,
  categoryId: nullable(objectId),
  tags: arrayOf(string),
  visibility: { ...enumOf(KB_VISIBILITIES), description: '`public`: on the help center once published; `internal`: for agents only.' },
  status: enumOf(KB_STATUSES),
  revision: { ...integer, description: 'The number of its latest revision.' },
  publishedAt: nullable(dateTime),
  updatedAt: dateTime,
  helpful: object({ yes: integer, no: integer }),
};

const number: JsonSchema = { type: 'number' };

/** A period's counts and the shares read from them. */
const STAT_FIGURES = {
  views: { ...integer, description: 'Article pages read on the help center (not HEAD requests, robots, prefetches or agents’ previews).' },
  yes: { ...integer, description: '“Was this helpful?” yes votes.' },
  no: { ...integer, description: '“Was this helpful?” no votes.' },
  contact: { ...integer, description: '“Still need help? Write to us” click-throughs from the article.' },
  helpfulShare: { ...nullable(number), description: 'yes ÷ (yes + no); null without votes.' },
  contactRate: { ...nullable(number), description: 'contact ÷ views (at most 1); null without views.' },
};

/** The knowledge base's answers. */
export const KB_SCHEMAS: Record<string, JsonSchema> = {
  KbArticleSummary: object(summary),
  KbArticle: object({
    ...summary,
    body: { ...string, description: 'Markdown, as written.' },
    html: { ...string, description: 'The body rendered to HTML and sanitized when saved.' },
    authorId: nullable(objectId),
    updatedById: nullable(objectId),
    createdAt: dateTime,
    sourceTicketId: { ...nullable(objectId), description: 'The ticket it was drafted from ("Create article from this ticket"); null otherwise.' },
  }),
  KbArticlePage: object({
    items: arrayOf(ref('KbArticleSummary')),
    nextCursor: nullable(string),
    searchProblem: { ...nullable(string), description: 'Why `q` could not be searched (`noWord`, `commonWordsOnly`, `tooManyWords`…); null otherwise.' },
  }),
  KbRevision: object({ number: integer, title: string, body: string, editorId: nullable(objectId), at: dateTime, restoredFrom: nullable(integer) }),
  KbCategory: object({ id: objectId, name: string, description: nullable(string), language: enumOf(KB_LANGUAGES), slug: string, position: integer }),
  KbStats: object({
    period: object({ from: { ...string, description: 'The first UTC day counted, `YYYY-MM-DD`.' }, to: { ...string, description: 'The last UTC day counted (included).' } }),
    totals: ref('KbStatFigures'),
    articles: { ...arrayOf(object({ id: objectId, title: string, language: enumOf(KB_LANGUAGES), slug: string, categoryId: nullable(objectId), ...STAT_FIGURES })), description: 'Each article counted in the period, most viewed first.' },
    categories: { ...arrayOf(object({ id: nullable(objectId), name: nullable(string), language: nullable(enumOf(KB_LANGUAGES)), articles: integer, ...STAT_FIGURES })), description: 'Each category holding a counted article (its current category); `id` null for articles of no category.' },
  }),
  KbStatFigures: object(STAT_FIGURES),
  HelpSearchResult: object({
    items: arrayOf(object({ id: objectId, title: string, slug: string, language: enumOf(KB_LANGUAGES), excerpt: string, url: { ...string, description: 'The article’s help center page.' } })),
    problem: { ...nullable(string), description: 'Why the search found nothing without looking (`noWord`, `commonWordsOnly`, `tooManyWords`); null otherwise.' },
  }),
};

const q = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } });

/** `/kb/…` (signed-in users; editors write) and the public `/help/search`. */
export function kbOperations(): Record<string, Record<string, Operation>> {
  const editors = 'Editors only: admins, managers, and agents an admin allowed (`kbEditor` on the user); 403 for anyone else.';
  const managers = 'Admins and managers only (403 otherwise).';
  return {
    '/kb/articles': {
      get: {
        id: 'listKbArticles', tag: 'Knowledge base', summary: 'Articles, newest change first (or a search, title matches first)',
        description: 'Editors see every status; other agents published articles, internal ones included. `q` searches as the ticket list does (English and French stems, accents ignored, the last word also as the start of a word).',
        query: [q('status', '`draft`, `published` or `archived`.'), q('language', '`en` or `fr`.'), q('category', 'A category id, or `none`.'), q('q', 'Words to search.'), q('cursor', 'The `nextCursor` of the previous page.'), q('limit', '1 to 200; 50 unless given.')],
        ok: [200, ref('KbArticlePage')], errors: [400],
      },
      post: {
        id: 'createKbArticle', tag: 'Knowledge base', summary: 'Write an article (revision 1)',
        description: `${editors} Its address is its title's slug, unique in its language. A category must be of the article's language (400).`,
        body: 'KbArticleCreate', ok: [201, ref('KbArticle')], errors: [403, 409],
      },
    },
    '/kb/articles/{id}': {
      get: { id: 'getKbArticle', tag: 'Knowledge base', summary: 'One article', description: 'Other agents than editors get 404 for drafts and archived articles.', ok: [200, ref('KbArticle')], errors: [404] },
      patch: {
        id: 'updateKbArticle', tag: 'Knowledge base', summary: 'Change an article',
        description: `${editors} A new title or body is saved as the next revision; other fields change without one. The language and address stay.`,
        body: 'KbArticleUpdate', ok: [200, ref('KbArticle')], errors: [403, 404],
      },
    },
    '/kb/articles/{id}/archive': {
      post: { id: 'archiveKbArticle', tag: 'Knowledge base', summary: 'Archive an article: it leaves the help center and agents’ lists', description: editors, ok: [200, ref('KbArticle')], errors: [403, 404] },
    },
    '/kb/articles/{id}/revisions': {
      get: { id: 'listKbRevisions', tag: 'Knowledge base', summary: 'An article’s revisions, newest first', description: editors, ok: [200, listOf('KbRevision')], errors: [403, 404] },
    },
    '/kb/articles/{id}/revisions/{number}/restore': {
      post: { id: 'restoreKbRevision', tag: 'Knowledge base', summary: 'Bring back an older revision as a new one', description: editors, ok: [200, ref('KbArticle')], errors: [403, 404] },
    },
    '/kb/categories': {
      get: { id: 'listKbCategories', tag: 'Knowledge base', summary: 'The categories, by language and position', query: [q('language', '`en` or `fr`.')], ok: [200, listOf('KbCategory')], errors: [400] },
      post: { id: 'createKbCategory', tag: 'Knowledge base', summary: 'Add a category', description: `${managers} The name is unique within its language (409).`, body: 'KbCategoryCreate', ok: [201, ref('KbCategory')], errors: [403, 409] },
    },
    '/kb/categories/{id}': {
      patch: { id: 'updateKbCategory', tag: 'Knowledge base', summary: 'Rename, describe or move a category', description: managers, body: 'KbCategoryUpdate', ok: [200, ref('KbCategory')], errors: [403, 404, 409] },
      delete: { id: 'deleteKbCategory', tag: 'Knowledge base', summary: 'Remove an empty category', description: `${managers} A category still holding articles is 409.`, ok: [204], errors: [403, 404, 409] },
    },
    '/kb/stats': {
      get: {
        id: 'getKbStats', tag: 'Knowledge base', summary: 'Deflection figures: views, helpful votes and “Write to us” click-throughs per article and category',
        description: `${editors} Counts are kept per article and UTC day, nothing about readers; \`from\` and \`to\` are days \`YYYY-MM-DD\`, both included (the last 30 days unless given; at most 731 days).`,
        query: [q('from', 'The first day, `YYYY-MM-DD`.'), q('to', 'The last day, `YYYY-MM-DD`; today (UTC) unless given.')],
        ok: [200, ref('KbStats')], errors: [400, 403],
      },
    },
    '/help/search': {
      get: {
        id: 'searchHelp', tag: 'Help center', summary: 'Search the public help center (no token)', public: true,
        description: 'Published public articles only, title matches first, at most 20. Rate-limited per client address (429 with `Retry-After`).',
        query: [q('q', 'Words to search.'), q('lang', '`en` or `fr`; both when left out.')],
        ok: [200, ref('HelpSearchResult')], errors: [400, 429],
      },
    },
  };
}
