import type { UserRole } from './user-roles.js';
import { SUBJECT_PREFIX, foldText, searchWords, textTerms } from './ticket-search.js';

/**
 * The knowledge base's rules: what an article is made of, who may write it, who may read it, and
 * what it is found by. Articles are searched like tickets (src/domain/ticket-search.ts): each stores
 * a `searchTerms` array (English and French stems, folded), its title terms also as `s:<term>`, so
 * a search ranks title matches over body matches the way the ticket list ranks subjects.
 */

/** The languages an article is written in (one per article). */
export const KB_LANGUAGES = ['en', 'fr'] as const;
export type KbLanguage = (typeof KB_LANGUAGES)[number];

/** `public`: on the help center for everyone; `internal`: for agents only. */
export const KB_VISIBILITIES = ['public', 'internal'] as const;
export type KbVisibility = (typeof KB_VISIBILITIES)[number];

/** A draft is seen by editors only; a published article by its readers; an archived one by editors, read-only for readers (gone). */
export const KB_STATUSES = ['draft', 'published', 'archived'] as const;
export type KbStatus = (typeof KB_STATUSES)[number];

/** Sizes: one title, one Markdown body, tags, a category name. */
export const KB_LIMITS = {
  title: 200,
  body: 100_000,
  tags: 20,
  tag: 40,
  categoryName: 80,
  categoryDescription: 300,
  slug: 80,
  /** Title terms and body terms kept per article (a long article's start says what it is about). */
  titleTerms: 180,
  bodyTerms: 1500,
  excerpt: 240,
} as const;

/** Bumped when what {@link kbSearchTerms} stores changes (articles of an older version get re-indexed). */
export const KB_SEARCH_VERSION = 1;

/** Who asks, in the few terms the knowledge base decides by. */
export interface KbReader {
  role: UserRole;
  /** An agent an admin allowed to write articles (the user's `kbEditor` permission). */
  kbEditor?: boolean;
}

/** Admins and managers write articles; agents only with the `kbEditor` permission. */
export function canEditKb(reader: KbReader): boolean {
  return reader.role === 'admin' || reader.role === 'manager' || reader.kbEditor === true;
}

/** Categories are arranged by admins and managers. */
export function canManageKbCategories(reader: KbReader): boolean {
  return reader.role === 'admin' || reader.role === 'manager';
}

/** Which articles a reader may see, as the statuses and visibilities a query allows. */
export interface KbScope {
  statuses: readonly KbStatus[];
  visibilities: readonly KbVisibility[];
}

/** The public help center: published public articles only. */
export const PUBLIC_SCOPE: KbScope = { statuses: ['published'], visibilities: ['public'] };

/** What a signed-in user sees: editors every article; other agents the published ones, internal ones too. */
export function agentScope(reader: KbReader): KbScope {
  return canEditKb(reader) ? { statuses: [...KB_STATUSES], visibilities: [...KB_VISIBILITIES] } : { statuses: ['published'], visibilities: [...KB_VISIBILITIES] };
}

/** Whether an article is in a scope. */
export function inScope(article: { status: KbStatus; visibility: KbVisibility }, scope: KbScope): boolean {
  return scope.statuses.includes(article.status) && scope.visibilities.includes(article.visibility);
}

/**
 * The slug of a title: its words folded (no accents, lower case) joined by hyphens, cut at a word
 * boundary to {@link KB_LIMITS.slug}; "article" when the title has no letter or digit.
 */
export function slugify(title: string): string {
  let slug = '';
  for (const word of searchWords(title)) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > KB_LIMITS.slug) break;
    slug = next;
  }
  return slug || (searchWords(title)[0]?.slice(0, KB_LIMITS.slug) ?? '') || 'article';
}

/** A slug no other article of the language has: the base, else the base with the first free `-2`, `-3`… */
export function uniqueSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, KB_LIMITS.slug - String(n).length - 1)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A well-formed slug (what {@link slugify} makes), for addresses typed or linked. */
export function isSlug(value: string): boolean {
  return value.length > 0 && value.length <= KB_LIMITS.slug && /^[\p{Ll}\p{Lo}\p{N}\p{M}]+(?:-[\p{Ll}\p{Lo}\p{N}\p{M}]+)*$/u.test(value);
}

/** Tags as stored: trimmed, lower case, no duplicates, at most {@link KB_LIMITS.tags}. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out = new Set<string>();
  for (const tag of tags) {
    const t = tag.trim().toLowerCase().slice(0, KB_LIMITS.tag);
    if (t) out.add(t);
    if (out.size >= KB_LIMITS.tags) break;
  }
  return [...out];
}

/*
 * Markdown syntax that would only add noise to the terms: link and image targets, HTML tags, code
 * fence markers. The words people read stay.
 */
function markdownWords(body: string): string {
  return body
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]{0,500}>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/`{3,}[^\n]*/g, ' ');
}

/**
 * What an article is found by: its title's terms, stored twice (also as `s:<term>`, so title matches
 * rank first), its tags' terms, and its body's terms. The same term functions as tickets, so
 * "réinitialiser" finds "Réinitialisation" and a search typed without accents finds accented words.
 */
export function kbSearchTerms(article: { title: string; body: string; tags?: readonly string[] }): string[] {
  const terms = new Set<string>();
  for (const term of textTerms(article.title, KB_LIMITS.titleTerms)) {
    terms.add(term);
    terms.add(SUBJECT_PREFIX + term);
  }
  for (const tag of article.tags ?? []) for (const term of textTerms(tag, 10)) terms.add(term);
  for (const term of textTerms(markdownWords(article.body), KB_LIMITS.bodyTerms)) terms.add(term);
  return [...terms];
}

/** A short plain-text summary of an article's body for lists and search results. */
export function excerptOf(plainText: string): string {
  const text = plainText.replace(/\s+/g, ' ').trim();
  if (text.length <= KB_LIMITS.excerpt) return text;
  const cut = text.slice(0, KB_LIMITS.excerpt);
  const space = cut.lastIndexOf(' ');
  return `${(space > KB_LIMITS.excerpt / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A category's slug: its name's, like an article's. */
export function categorySlug(name: string): string {
  return slugify(name);
}

/** Folded text, for comparing names regardless of case and accents (a category name taken in a language). */
export function sameName(a: string, b: string): boolean {
  return foldText(a.trim()) === foldText(b.trim());
}
