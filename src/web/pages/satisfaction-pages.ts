import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { RATING_COMMENT_MAX, SATISFACTION_RATINGS, parseRating, type SatisfactionRating } from '../../domain/satisfaction.js';
import type { I18n } from '../../i18n/catalog.js';
import { formatsFor } from '../../i18n/formats.js';
import { fromAcceptLanguage, isLocale, type Locale } from '../../i18n/locales.js';
import { loadSurveyPage, rateTicket, type RateTicketDeps, type SurveyPage } from '../../services/satisfaction/rate-ticket.js';
import { createRateLimiter, type RateLimit } from '../rate-limit.js';
import { sameOrigin } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { publicPageLocale, type PageI18n } from './page-i18n.js';

/** Ratings per client address: bursts of 10, then one every 30 s (a person rates once or twice). */
export const SATISFACTION_LIMIT: RateLimit = { capacity: 10, perSecond: 1 / 30 };

/** What the rating page needs: the pages' context, the catalogs, the instance's language and time zone; a limit for tests. */
export type SatisfactionContext = PageContext & { i18n: I18n; defaultLocale: Locale; defaultTimeZone?: string | null; limit?: RateLimit; logger?: Logger };

const TOKEN = /^[0-9a-z.]{1,120}$/;

/**
 * `/satisfaction/<token>`: the page a survey link opens. Public, before the session (no cookie read or
 * set), in the customer's language, with its own minimal layout; it works without JavaScript. GET
 * shows the link's rating pre-selected and records nothing (mail scanners open links); POST records
 * it. A bad link answers 400, an expired one or a closed rating 410; posts are rate-limited per address
 * (429) and refused from another site (403).
 */
export function satisfactionPages(ctx: SatisfactionContext): Router {
  const router = Router();
  const limiter = createRateLimiter(ctx.limit ?? SATISFACTION_LIMIT);
  const deps: RateTicketDeps = { ...ctx.actions, ...ctx.stores, sign: ctx.actions.sign, now: ctx.now };

  router.use('/satisfaction', (_req, res, next) => {
    // The token is in the address: no caching, and no Referer carrying it to another site (same-origin keeps the Origin of our own form posts).
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin', 'X-Robots-Tag': 'noindex' });
    next();
  });

  // The customer's language, else the browser's, else the instance's (the pseudo-locale for a test browser asking for it).
  const languageOf = (req: Request, locale: string | null | undefined): string => publicPageLocale(ctx.i18n, req, isLocale(locale) ? locale : (fromAcceptLanguage(req.get('accept-language') ?? null) ?? ctx.defaultLocale));
  // Dates in the instance's time zone: the customer has none of their own here.
  const i18nFor = (lang: string): PageI18n => {
    const tr = ctx.i18n.translator(lang);
    return { tr, formats: formatsFor(tr.formatLocale, ctx.defaultTimeZone ?? 'UTC'), now: ctx.now() };
  };
  const render = (res: Response, status: number, lang: string, data: Record<string, unknown>) => {
    res.status(status).type('html').send(ctx.views.render('satisfaction', data, i18nFor(lang), 'satisfaction-layout'));
  };
  /** The page of a link that leads nowhere (400), an expired one or a closed rating (410). */
  const renderState = (req: Request, res: Response, page: SurveyPage & { state: 'invalid' | 'expired' | 'closed' }) => {
    const lang = languageOf(req, page.state === 'closed' ? page.locale : null);
    const { t } = i18nFor(lang).tr;
    render(res, page.state === 'invalid' ? 400 : 410, lang, { title: t(`web:satisfaction.${page.state}.title`), message: t(`web:satisfaction.${page.state}.text`), brand: page.state === 'closed' ? page.brand : null });
  };
  const renderForm = (req: Request, res: Response, page: SurveyPage & { state: 'open' }, chosen: SatisfactionRating | null, extra: { status?: number; problem?: string; comment?: string | null } = {}) => {
    const lang = languageOf(req, page.locale);
    const { t } = i18nFor(lang).tr;
    render(res, extra.status ?? 200, lang, {
      title: t('web:satisfaction.title'),
      brand: page.brand,
      form: true,
      ticket: page.ticket,
      action: req.originalUrl.split('?')[0],
      choices: SATISFACTION_RATINGS.map((r) => ({ value: r, label: t(`web:satisfaction.rating.${r}`), checked: r === chosen })),
      comment: extra.comment !== undefined ? extra.comment : page.comment,
      commentMax: RATING_COMMENT_MAX,
      changeableUntil: page.changeableUntil,
      problem: extra.problem ?? null,
    });
  };

  router.get('/satisfaction/:token', async (req, res) => {
    const token = String(req.params.token);
    const page = TOKEN.test(token) ? await loadSurveyPage(deps, token) : ({ state: 'invalid' } as const);
    if (page.state !== 'open') return renderState(req, res, page);
    // The link's rating is pre-selected; without one (or a bad one), the rating given before.
    renderForm(req, res, page, parseRating(req.query.rating) ?? page.rating);
  });

  router.post('/satisfaction/:token', async (req, res) => {
    const token = String(req.params.token);
    const lang = languageOf(req, null);
    // A rating posted from another site's page (behind the customer's back) is refused.
    if (req.get('sec-fetch-site') === 'cross-site' || !sameOrigin(req, ctx.publicUrl)) {
      const { t } = i18nFor(lang).tr;
      return render(res, 403, lang, { title: t('web:satisfaction.refused'), message: t('web:satisfaction.crossSite') });
    }
    const limited = limiter.take(req.ip ?? '');
    if (!limited.ok) {
      res.set('Retry-After', String(limited.retryAfterSeconds));
      const { t } = i18nFor(lang).tr;
      return render(res, 429, lang, { title: t('web:satisfaction.limited.title'), message: t('web:satisfaction.limited.text', { seconds: limited.retryAfterSeconds }) });
    }
    if (!TOKEN.test(token)) return renderState(req, res, { state: 'invalid' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await rateTicket(deps, token, { rating: body.rating, comment: body.comment });
    if (result.state === 'no-rating') {
      const { t } = i18nFor(languageOf(req, result.page.locale)).tr;
      return renderForm(req, res, result.page, null, { status: 400, problem: t('web:satisfaction.noRating'), comment: typeof body.comment === 'string' ? body.comment : null });
    }
    if (result.state === 'open') return renderForm(req, res, result, result.rating);
    if (result.state === 'invalid' || result.state === 'expired' || result.state === 'closed') return renderState(req, res, result);
    const done = languageOf(req, result.locale);
    const { t } = i18nFor(done).tr;
    render(res, 200, done, { title: t('web:satisfaction.thanks'), brand: result.brand, saved: true, message: t(`web:satisfaction.${result.state}`, { rating: t(`web:satisfaction.rating.${result.rating}`) }) });
  });
  return router;
}
