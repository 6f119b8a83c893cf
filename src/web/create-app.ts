import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { TrustProxy } from '../config/schema.js';
import { createI18n, type I18n } from '../i18n/catalog.js';
import type { HealthReport } from '../services/system/check-health.js';
import { createApiRouter, type ApiDeps } from './api/router.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { healthRoute } from './health-route.js';
import { createPagesRouter, type PageDeps } from './pages/router.js';
import { strictTransportSecurity } from './pages/security-headers.js';

/** What the web layer needs from the rest of Threadline; passed in by the composition root. */
export interface AppDeps {
  logger: Logger;
  health: () => Promise<HealthReport>;
  /** Threadline's public URL (the pages' one when unset): https here turns on HSTS. */
  publicUrl?: string | null;
  /** Which proxies' `X-Forwarded-For`/`-Proto` to believe (TRUST_PROXY); none by default. */
  trustProxy?: TrustProxy;
  /** The JSON API's dependencies; without them `/api/v1` is not mounted. */
  api?: ApiDeps;
  /** The browser pages' dependencies; without them only `/healthz` and the API are served. */
  pages?: PageDeps;
  /** The catalogs, loaded once per process and shared by the pages and the API's errors; loaded here when not given. */
  i18n?: I18n;
}

/** Builds the express app without listening, so tests and the server entry share it. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Without a trusted proxy, req.ip is the peer address: a client cannot pick its own (login throttle).
  app.set('trust proxy', deps.trustProxy ?? false);
  const publicUrl = deps.publicUrl ?? deps.pages?.publicUrl ?? null;
  if (publicUrl?.startsWith('https:')) app.use(strictTransportSecurity);

  const i18n = deps.i18n ?? deps.pages?.i18n ?? createI18n();
  const users = deps.pages ?? deps.api ?? null;
  const lifetimes = deps.pages?.sessionLifetimes ? { sessionLifetimes: deps.pages.sessionLifetimes } : {};
  app.get('/healthz', healthRoute({ health: deps.health, viewers: users && { ...users.stores, now: users.now, publicUrl, ...lifetimes } }));

  if (deps.api) app.use('/api/v1', createApiRouter({ publicUrl, ...deps.api, logger: deps.logger, i18n }));
  if (deps.pages) app.use(createPagesRouter({ ...deps.pages, i18n, logger: deps.logger }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger, i18n));
  return app;
}
