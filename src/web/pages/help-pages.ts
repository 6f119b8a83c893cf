import Handlebars from 'handlebars';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { isAppError } from '../../domain/errors.js';
import { isSlug, KB_LANGUAGES, type KbLanguage } from '../../domain/kb-articles.js';
import { countsAsReader } from '../../domain/kb-stats.js';
import type { I18n } from '../../i18n/catalog.js';
import { fromAcceptLanguage, LOCALE_NAMES, type Locale } from '../../i18n/locales.js';
import { getHelpSite, type HelpSite } from '../../services/kb/help-site.js';
import { createKbCounter, type KbCounter } from '../../services/kb/kb-counter.js';
import { loadHelpArticle, loadHelpCategory, loadHelpHome } from '../../services/kb/load-help-pages.js';
import { searchHelp } from '../../services/kb/search-help.js';
import { voteHelpArticle } from '../../services/kb/vote-help-article.js';
import { createRateLimiter, HELP_SEARCH_LIMIT, HELP_VOTE_LIMIT, type RateLimit } from '../rate-limit.js';
import type { PageContext } from './page-deps.js';
import { publicPageI18n, type PageI18n } from './page-i18n.js';
import { PAGE_CSP } from './security-headers.js';

/**
 * The help center's CSP: the pages' own, but images may also come over https (articles and the logo
 * may show pictures hosted elsewhere; the sanitizer lets only https and same-site images through).
 */
export const HELP_CSP = PAGE_CSP.replace(/img-src ([^;]*)/, 'img-src $1 https:');

/** How long browsers and proxies may keep a help page. */
const CACHE = 'public, max-age=60';
/** How long the instance's name, logo and address are reused before being read again. */
const SITE_TTL_MS = 30_000;
/**
 * How long an article page's content (and a language's home) is reused before being read again
 * (browsers and proxies may keep the page a minute anyway), and how many articles are kept so at most.
 */
const ARTICLE_TTL_MS = 10_000;
const ARTICLE_CACHE_SIZE = 2_000;

/** What the help center needs: the stores, the catalogs and the clock; limits for tests. */
export type HelpContext = PageContext & {
  i18n: I18n;
  defaultLocale: Locale;
  /** The instance's time zone (DEFAULT_TIME_ZONE) dates are shown in; UTC when null or absent. */
  defaultTimeZone?: string | null;
  limits?: { search?: RateLimit; vote?: RateLimit };
  /** Where a failed write of the view and click-through counts is reported. */
  logger?: Logger;
  /** The counter of views, votes and click-throughs (one is made over the stores when not given). */
  counter?: KbCounter;
};

const isLanguage = (v: unknown): v is KbLanguage => typeof v === 'string' && (KB_LANGUAGES as readonly string[]).includes(v);

/**
 * `/help`: the public help center. No sign-in, and no session: these routes run before the session
 * middleware, so no cookie is read or set. Pages may be cached for a minute (ETag too: express adds
 * one and answers 304). Search and votes are rate-limited per client address (429 with a page).
 */
export function helpPages(ctx: HelpContext): Router {
  const router = Router();
  const searchLimiter = createRateLimiter(ctx.limits?.search ?? HELP_SEARCH_LIMIT);
  const voteLimiter = createRateLimiter(ctx.limits?.vote ?? HELP_VOTE_LIMIT);
  // Views, votes and click-throughs are buffered and written once a second: a page never waits for them.
  const counter = ctx.counter ?? createKbCounter({ kbStats: ctx.stores.kbStats, now: ctx.now, onError: (err) => ctx.logger?.warn({ err }, 'help center counts not written') });
  /** Whether a request is a person reading (not HEAD, a robot, a prefetch, or an agent's `?preview`). */
  const reader = (req: Request) => req.query.preview === undefined && countsAsReader({ method: req.method, userAgent: req.get('user-agent') ?? null, purpose: req.get('sec-purpose') ?? req.get('purpose') ?? null });
  let site: { value: HelpSite; until: number } | null = null;
  // The most read articles, loaded once per ARTICLE_TTL_MS: a popular article costs no database read per view.
  const articles = new Map<string, { page: Awaited<ReturnType<typeof loadHelpArticle>>; until: number }>();
  const articleOf = async (lang: KbLanguage, slug: string) => {
    const key = `${lang}/${slug}`;
    const t = Date.now();
    const hit = articles.get(key);
    if (hit && hit.until >= t) return hit.page;
    const page = await loadHelpArticle(ctx.stores, lang, slug);
    articles.delete(key);
    if (articles.size >= ARTICLE_CACHE_SIZE) articles.delete(articles.keys().next().value!);
    articles.set(key, { page, until: t + ARTICLE_TTL_MS });
    return page;
  };
  // Each language's home (categories with their counts: a count over every public article), read once per ARTICLE_TTL_MS.
  const homes = new Map<KbLanguage, { home: Awaited<ReturnType<typeof loadHelpHome>>; until: number }>();
  const homeOf = async (lang: KbLanguage) => {
    const t = Date.now();
    const hit = homes.get(lang);
    if (hit && hit.until >= t) return hit.home;
    const home = await loadHelpHome(ctx.stores, lang);
    homes.set(lang, { home, until: t + ARTICLE_TTL_MS });
    return home;
  };
  const siteOf = async () => {
    const t = Date.now();
    if (!site || site.until < t) site = { value: await getHelpSite(ctx.stores), until: t + SITE_TTL_MS };
    return site.value;
  };

  router.use('/help', (_req, res, next) => {
    res.set({ 'Content-Security-Policy': HELP_CSP, 'Cache-Control': CACHE });
    next();
  });

  const i18nFor = (req: Request, lang: string): PageI18n => publicPageI18n(ctx.i18n, req, lang, ctx.defaultTimeZone ?? null, ctx.now());
  const browserLanguage = (req: Request): KbLanguage => fromAcceptLanguage(req.get('accept-language') ?? null) ?? ctx.defaultLocale;

  /** Renders a help page in the help layout, with the language switch pointing at `switchTo(lang)`. */
  const render = async (res: Response, status: number, lang: KbLanguage, view: string, data: Record<string, unknown>, switchTo: (l: KbLanguage) => string = (l) => `/help/${l}`) => {
    const i18n = i18nFor(res.req, lang);
    const languages = KB_LANGUAGES.map((l) => ({ code: l, name: LOCALE_NAMES[l], href: switchTo(l), current: l === lang }));
    const html = ctx.views.render(view, { ...data, site: await siteOf(), helpLang: lang, languages, title: `${String(data.title)}` }, i18n, 'help-layout');
    res.status(status).type('html').send(html);
  };

  router.get('/help', (req, res) => {
    res.set('Vary', 'Accept-Language');
    res.redirect(302, `/help/${browserLanguage(req)}`);
  });

  router.get('/help/search', async (req, res) => {
    const lang = isLanguage(req.query.lang) ? req.query.lang : browserLanguage(req);
    if (!isLanguage(req.query.lang)) res.set('Vary', 'Accept-Language');
    const limited = searchLimiter.take(req.ip ?? '');
    if (!limited.ok) {
      res.set({ 'Retry-After': String(limited.retryAfterSeconds), 'Cache-Control': 'no-store' });
      return render(res, 429, lang, 'help-message', { title: i18nFor(req, lang).tr.t('kb:help.limited.title'), message: i18nFor(req, lang).tr.t('kb:help.limited.text', { seconds: limited.retryAfterSeconds }) });
    }
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const found = await searchHelp(ctx.stores, { q, lang });
    const { t } = i18nFor(req, lang).tr;
    await render(res, 200, lang, 'help-search', {
      title: q ? t('kb:help.search.titleFor', { q }) : t('kb:help.search.title'),
      q,
      items: found.items,
      problem: q.trim() && found.problem ? t(`kb:help.search.problem.${found.problem}`) : null,
    }, (l) => `/help/search?lang=${l}&q=${encodeURIComponent(q)}`);
  });

  router.get('/help/:lang', async (req, res, next) => {
    const lang = req.params.lang;
    if (!isLanguage(lang)) return next();
    const home = await homeOf(lang);
    await render(res, 200, lang, 'help-home', { title: i18nFor(req, lang).tr.t('kb:help.home.title'), ...home, empty: home.categories.length === 0 && home.uncategorized.length === 0 });
  });

  router.get('/help/:lang/c/:slug', async (req, res, next) => {
    const { lang, slug } = req.params;
    if (!isLanguage(lang) || !isSlug(slug)) return next();
    const page = await loadHelpCategory(ctx.stores, lang, slug);
    await render(res, 200, lang, 'help-category', { title: page.category.name, ...page });
  });

  router.get('/help/:lang/:slug', async (req, res, next) => {
    const { lang, slug } = req.params;
    if (!isLanguage(lang) || !isSlug(slug)) return next();
    const page = await articleOf(lang, slug);
    if (reader(req)) counter.count(page.article.id, 'views');
    const voted = req.query.voted === 'yes' || req.query.voted === 'no' ? req.query.voted : null;
    await render(res, 200, lang, 'help-article', {
      title: page.article.title,
      article: { ...page.article, html: new Handlebars.SafeString(page.article.html) },
      category: page.category,
      voted,
      notVoted: !voted,
      votePath: `/help/${lang}/${encodeURIComponent(slug)}/helpful`,
      contactHref: `/help/${lang}/${encodeURIComponent(slug)}/contact`,
    });
  });

  // "Still need help? Write to us" under an article: counted (no cookie, no address kept), then on to the support address.
  router.get('/help/:lang/:slug/contact', async (req, res, next) => {
    const { lang, slug } = req.params;
    if (!isLanguage(lang) || !isSlug(slug)) return next();
    const page = await loadHelpArticle(ctx.stores, lang, slug);
    res.set('Cache-Control', 'no-store');
    if (reader(req)) counter.count(page.article.id, 'contact');
    const { supportAddress } = await siteOf();
    res.redirect(302, supportAddress ? `mailto:${supportAddress}?subject=${encodeURIComponent(page.article.title)}` : `/help/${lang}/${encodeURIComponent(slug)}`);
  });

  router.post('/help/:lang/:slug/helpful', async (req, res, next) => {
    const { lang, slug } = req.params;
    if (!isLanguage(lang) || !isSlug(slug)) return next();
    res.set('Cache-Control', 'no-store');
    // A vote from another site's page (a form posted behind the reader's back) is not counted.
    if (req.get('sec-fetch-site') === 'cross-site') return res.redirect(303, `/help/${lang}/${encodeURIComponent(slug)}`);
    const limited = voteLimiter.take(req.ip ?? '');
    if (!limited.ok) {
      res.set('Retry-After', String(limited.retryAfterSeconds));
      const { t } = i18nFor(req, lang).tr;
      return render(res, 429, lang, 'help-message', { title: t('kb:help.limited.title'), message: t('kb:help.limited.text', { seconds: limited.retryAfterSeconds }) });
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const helpful = body.helpful === 'yes' ? true : body.helpful === 'no' ? false : null;
    const id = typeof body.article === 'string' ? body.article : '';
    if (helpful !== null) {
      await voteHelpArticle(ctx.stores, id, helpful);
      counter.count(id, helpful ? 'yes' : 'no');
    }
    res.redirect(303, `/help/${lang}/${encodeURIComponent(slug)}${helpful === null ? '' : `?voted=${helpful ? 'yes' : 'no'}`}#helpful`);
  });

  // Unknown help addresses, and articles that are not (or no longer) public: the help center's own 404.
  router.use('/help', async (req, res) => {
    const lang = isLanguage(req.path.split('/')[1]) ? (req.path.split('/')[1] as KbLanguage) : browserLanguage(req);
    res.set('Cache-Control', 'no-store');
    const { t } = i18nFor(req, lang).tr;
    await render(res, 404, lang, 'help-message', { title: t('kb:help.notFound.title'), message: t('kb:help.notFound.text') });
  });
  const notFoundPage: ErrorRequestHandler = (err, req, res, next) => {
    if (!isAppError(err, 'NOT_FOUND') && !isAppError(err, 'VALIDATION_FAILED')) return next(err);
    const first = req.path.split('/')[1];
    const lang = isLanguage(first) ? first : browserLanguage(req);
    const status = isAppError(err, 'NOT_FOUND') ? 404 : 400;
    res.set('Cache-Control', 'no-store');
    const { t } = i18nFor(req, lang).tr;
    render(res, status, lang, 'help-message', { title: t('kb:help.notFound.title'), message: t('kb:help.notFound.text') }).catch(next);
  };
  router.use('/help', notFoundPage);
  return router;
}
