import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import type { Logger } from 'pino';
import { isAppError } from '../../domain/errors.js';
import { clientErrorOf } from '../errors.js';
import { loadSession, sessionOf } from '../session/session-middleware.js';
import { attachmentPage } from './attachment-page.js';
import { accountPages } from './account-pages.js';
import { authPages } from './auth-pages.js';
import { helpPages } from './help-pages.js';
import { inboxPages } from './inbox-pages.js';
import { kbPages } from './kb-pages.js';
import { kbStatsPages } from './kb-stats-pages.js';
import { mailBodyPage } from './mail-body-page.js';
import type { PageContext, PageDeps } from './page-deps.js';
import { notificationBadge, notificationPages } from './notification-pages.js';
import { passwordPages } from './password-pages.js';
import { personalDataExportPages } from './personal-data-export-pages.js';
import { pageHeaders } from './security-headers.js';
import { pageNotFound } from './page-not-found.js';
import { satisfactionPages } from './satisfaction-pages.js';
import { settingsPages } from './settings-pages.js';
import { accessLogPages } from './access-log-pages.js';
import { ticketActions } from './ticket-actions.js';
import { ticketBulkActions } from './ticket-bulk-pages.js';
import { presencePages } from './ticket-collision.js';
import { spamTicketActions } from './spam-pages.js';
import { ticketExtraActions } from './ticket-extra-actions.js';
import { savedViewPages } from './saved-view-pages.js';
import { newConversationPages } from './new-conversation-pages.js';
import { teamLoadPages } from './team-load-pages.js';
import { reportPages } from './report-pages.js';
import { contactPages } from './contact-pages.js';
import { erasePages } from './erase-pages.js';
import { ticketPages } from './ticket-pages.js';
import { userPages } from './user-pages.js';
import { createViewEngine, type ViewEngine } from './view-engine.js';
import { draftPages } from './draft-pages.js';
import { uploadPages } from './upload-pages.js';
import { assetScript, pageScript, sendVersioned } from './static-assets.js';
import { createI18n } from '../../i18n/catalog.js';
import { errorText } from '../../i18n/error-text.js';
import { formatsFor } from '../../i18n/formats.js';
import { fromAcceptLanguage, PSEUDO_LOCALE } from '../../i18n/locales.js';
import { pageI18nMiddleware, type PageI18n } from './page-i18n.js';

export type { PageDeps } from './page-deps.js';

const ERROR_TITLES = new Set([400, 403, 404, 410, 413, 415, 429]);

/** HTML error pages for the browser routes; the message of an AppError is written for people. */
function pageErrors(views: ViewEngine, logger: Logger, fallbackI18n: (req: Request) => PageI18n): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // body-parser marks what the client got wrong (too large, too many fields, unknown charset) with a 4xx.
    const badForm = isAppError(err) ? null : clientErrorOf(err);
    const appError = isAppError(err) ? err : badForm;
    if (!appError) logger.error({ err, method: req.method, path: req.path }, 'unhandled error in page');
    const status = appError?.httpStatus ?? 500;
    if (res.headersSent) return;
    // An error before the language was picked (a broken session lookup) still answers in the browser's.
    const i18n = (res.locals.i18n as PageI18n | undefined) ?? fallbackI18n(req);
    const t = i18n.tr.t;
    res.status(status).type('html').send(
      views.render(
        'error',
        {
          title: t(ERROR_TITLES.has(status) ? `web:error.title.${status}` : 'web:error.title.other'),
          session: sessionOf(res),
          status,
          message: badForm ? t(badForm.code === 'PAYLOAD_TOO_LARGE' ? 'web:error.formTooLarge' : 'web:error.formUnreadable') : appError ? errorText(appError, i18n.tr) : t('web:error.internal'),
        },
        i18n,
      ),
    );
  };
}

/**
 * The browser UI: login, inbox overview, ticket list and ticket view, server-rendered. Mounted at
 * the root after the JSON API; requests for `/api/` and `/healthz` pass through untouched.
 */
export function createPagesRouter(deps: PageDeps & { logger: Logger }): Router {
  const views = createViewEngine();
  const i18n = deps.i18n ?? createI18n();
  const pseudo = i18n.locales.includes(PSEUDO_LOCALE);
  const defaults = deps.localeDefaults ?? { locale: 'en' as const, timeZone: null };
  const ctx: PageContext = { ...deps, views };
  const router = Router();
  router.use((req, _res, next) => (req.path.startsWith('/api/') || req.path === '/healthz' ? next('router') : next()));

  // One stylesheet, named by its content hash, so it can be cached for a year and still change.
  router.get('/static/app.css', (req, res) => sendVersioned(req, res, views.stylesheet, 'text/css'));
  router.get('/static/:name', pageScript);
  router.get('/static/assets/:name', assetScript);

  router.use(pageHeaders());
  router.use(express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 300 }));
  // The public help center, before the session: it neither reads nor sets a cookie.
  router.use(helpPages({ ...ctx, i18n, defaultLocale: defaults.locale, defaultTimeZone: defaults.timeZone, logger: deps.logger, ...(deps.helpLimits ? { limits: deps.helpLimits } : {}) }));
  // The satisfaction survey's page, public and before the session too: its signed link is the only key.
  router.use(satisfactionPages({ ...ctx, i18n, defaultLocale: defaults.locale, defaultTimeZone: defaults.timeZone, logger: deps.logger, ...(deps.satisfactionLimit ? { limit: deps.satisfactionLimit } : {}) }));
  router.use(loadSession({ ...deps.stores, now: deps.now, publicUrl: deps.publicUrl, ...(deps.sessionLifetimes ? { lifetimes: deps.sessionLifetimes } : {}) }));
  router.use(pageI18nMiddleware({ i18n, defaults, now: deps.now, allowPseudo: pseudo }));
  // The top bar's unread count, for every page shown to a signed-in user.
  router.use(notificationBadge(ctx));
  router.use(authPages(ctx));
  router.use(inboxPages(ctx));
  // Before the ticket pages: `/tickets/views` is not a ticket id.
  router.use(savedViewPages(ctx));
  // Before the ticket pages too: `/tickets/new` is not a ticket id.
  router.use(newConversationPages(ctx));
  // The reply box's files (`/tickets/:id/uploads`, `/tickets/new/uploads`).
  router.use(uploadPages(ctx));
  // The list page's bulk bar (`POST /tickets/bulk`).
  router.use(ticketBulkActions(ctx));
  router.use(ticketPages(ctx));
  router.use(mailBodyPage({ ...ctx, logger: deps.logger }));
  router.use(presencePages(ctx));
  router.use(ticketActions(ctx));
  // The reply box's draft (`POST /tickets/:id/draft`) and the script's canned reply text.
  router.use(draftPages(ctx));
  router.use(userPages({ ...ctx, logger: deps.logger }));
  router.use(teamLoadPages(ctx));
  router.use(reportPages(ctx));
  // Erasing a person, confirmed twice (`/contacts/:id/erase`).
  router.use(erasePages(ctx));
  // A person's data (GDPR access): `/contacts` and `/contacts/:id` with its alias forms.
  router.use(contactPages(ctx));
  // Before the knowledge base pages: `/kb/stats` is not an article id.
  router.use(kbStatsPages(ctx));
  router.use(kbPages(ctx));
  router.use(accountPages({ ...ctx, logger: deps.logger }));
  router.use(notificationPages(ctx));
  router.use(passwordPages({ ...ctx, logger: deps.logger }));
  router.use(ticketExtraActions(ctx));
  router.use(spamTicketActions(ctx));
  if (deps.settings) router.use(settingsPages({ ...ctx, settings: deps.settings, logger: deps.logger }));
  // Who opened which ticket and downloaded which attachment (admins).
  router.use(accessLogPages(ctx));
  if (deps.blobs) router.use(attachmentPage({ ...ctx, blobs: deps.blobs, logger: deps.logger }));
  // A person's data exports (the contact page's list links to their download).
  if (deps.blobs) router.use(personalDataExportPages({ ...ctx, blobs: deps.blobs, logger: deps.logger }));
  // An unknown address asked for by a browser: the HTML 404 page, not the API's JSON.
  router.use(pageNotFound);
  router.use(
    pageErrors(views, deps.logger, (req) => {
      const tr = i18n.translator(fromAcceptLanguage(req.get('accept-language') ?? null) ?? defaults.locale);
      return { tr, formats: formatsFor(tr.formatLocale, defaults.timeZone ?? 'UTC'), now: deps.now() };
    }),
  );
  return router;
}
