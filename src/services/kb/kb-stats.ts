import { addDays, contactRate, helpfulShare, KB_STATS_DEFAULT_DAYS, statsPeriod, utcDay, type KbStatsPeriod } from '../../domain/kb-stats.js';
import type { KbLanguage } from '../../domain/kb-articles.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { KbStatCounts, KbStatsStore } from '../../store/kb-stats-store.js';
import type { Actor } from '../access.js';
import { inputIssue, invalidInput } from '../validate.js';
import { articleFor, requireKbEditor } from './kb-access.js';

/** Counts over a period, with the two shares read from them. */
export interface KbStatFigures extends KbStatCounts {
  /** Yes votes among the votes (0–1); null with none. */
  helpfulShare: number | null;
  /** "Write to us" click-throughs per view (0–1); null with no view. */
  contactRate: number | null;
}

/** One article's line of the stats table. */
export interface KbArticleStatsRow extends KbStatFigures {
  id: string;
  title: string;
  language: KbLanguage;
  slug: string;
  categoryId: string | null;
}

/** One category's line (its articles' sums); `id` null for the articles of no category. */
export interface KbCategoryStatsRow extends KbStatFigures {
  id: string | null;
  name: string | null;
  language: KbLanguage | null;
  articles: number;
}

/** The stats table of a period: the totals, each article with a count (most viewed first), each category. */
export interface KbStatsReport {
  period: KbStatsPeriod;
  totals: KbStatFigures;
  articles: KbArticleStatsRow[];
  categories: KbCategoryStatsRow[];
}

export type KbStatsDeps = {
  kbStats: Pick<KbStatsStore, 'sumsByArticle'>;
  kbArticles: Pick<KbArticleStore, 'findSummaries'>;
  kbCategories: Pick<KbCategoryStore, 'list'>;
  now: () => Date;
};

const figures = (c: KbStatCounts): KbStatFigures => ({ views: c.views, yes: c.yes, no: c.no, contact: c.contact, helpfulShare: helpfulShare(c), contactRate: contactRate(c) });
const zero = (): KbStatCounts => ({ views: 0, yes: 0, no: 0, contact: 0 });
const addTo = (sum: KbStatCounts, c: KbStatCounts) => {
  sum.views += c.views;
  sum.yes += c.yes;
  sum.no += c.no;
  sum.contact += c.contact;
};

/**
 * The help center's deflection figures over a period (editors only): views, helpful votes and "Write
 * to us" click-throughs per article and per category (an article counts under its category now).
 * `from`/`to` are UTC days `YYYY-MM-DD`, both included; the last 30 days unless given.
 */
export async function getKbStats(deps: KbStatsDeps, actor: Actor, query: { from?: string; to?: string }): Promise<KbStatsReport> {
  requireKbEditor(actor);
  const asked = statsPeriod(query, deps.now());
  if (!asked.ok) throw invalidInput([inputIssue(asked.field, asked.key, asked.message, asked.params)], 'Stats period');
  const { period } = asked;
  const sums = await deps.kbStats.sumsByArticle(period.from, period.to);
  const [articles, categories] = await Promise.all([sums.length ? deps.kbArticles.findSummaries(sums.map((s) => s.articleId)) : Promise.resolve([]), deps.kbCategories.list()]);
  const byId = new Map(articles.map((a) => [a._id.toHexString(), a]));
  const totals = zero();
  const perCategory = new Map<string, KbStatCounts & { articles: number }>();
  const rows: KbArticleStatsRow[] = [];
  for (const s of sums) {
    const article = byId.get(s.articleId.toHexString());
    if (!article) continue;
    addTo(totals, s);
    const key = article.categoryId ? article.categoryId.toHexString() : '';
    const cat = perCategory.get(key) ?? { ...zero(), articles: 0 };
    addTo(cat, s);
    cat.articles++;
    perCategory.set(key, cat);
    rows.push({ id: article._id.toHexString(), title: article.title, language: article.language, slug: article.slug, categoryId: article.categoryId ? article.categoryId.toHexString() : null, ...figures(s) });
  }
  rows.sort((a, b) => b.views - a.views || b.contact - a.contact || a.title.localeCompare(b.title));
  const named = new Map(categories.map((c) => [c._id.toHexString(), c]));
  const categoryRows: KbCategoryStatsRow[] = [...perCategory].map(([key, c]) => {
    const category = key ? named.get(key) : undefined;
    return { id: key || null, name: category?.name ?? null, language: category?.language ?? null, articles: c.articles, ...figures(c) };
  });
  categoryRows.sort((a, b) => b.views - a.views || (a.name ?? '').localeCompare(b.name ?? ''));
  return { period, totals: figures(totals), articles: rows, categories: categoryRows };
}

/** One article's figures for its page (editors only): since it was first counted, and over the last 30 days. */
export async function getKbArticleStats(
  deps: { kbArticles: Pick<KbArticleStore, 'findById'>; kbStats: Pick<KbStatsStore, 'sumsOf'>; now: () => Date },
  actor: Actor,
  id: string,
): Promise<{ allTime: KbStatFigures; recent: KbStatFigures; recentDays: number }> {
  requireKbEditor(actor);
  const article = await articleFor(deps, actor, id);
  const since = addDays(utcDay(deps.now()), -(KB_STATS_DEFAULT_DAYS - 1));
  const [all, recent] = await Promise.all([deps.kbStats.sumsOf(article._id), deps.kbStats.sumsOf(article._id, since)]);
  return { allTime: figures(all), recent: figures(recent), recentDays: KB_STATS_DEFAULT_DAYS };
}
