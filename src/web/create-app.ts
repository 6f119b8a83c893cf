import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { HealthReport } from '../services/check-health.js';
import { createApiRouter, type ApiDeps } from './api/router.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { createPagesRouter, type PageDeps } from './pages/router.js';

/** What the web layer needs from the rest of Threadline; passed in by the composition root. */
export interface AppDeps {
  logger: Logger;
  health: () => Promise<HealthReport>;
  /** The JSON API's dependencies; without them `/api/v1` is not mounted. */
  api?: ApiDeps;
  /** The browser pages' dependencies; without them only `/healthz` and the API are served. */
  pages?: PageDeps;
}

/** Builds the express app without listening, so tests and the server entry share it. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  // Express 5 forwards a rejected handler promise to the error handler.
  app.get('/healthz', async (_req, res) => {
    const report = await deps.health();
    res.status(report.status === 'down' ? 503 : 200).set('Cache-Control', 'no-store').json(report);
  });

  if (deps.api) app.use('/api/v1', createApiRouter({ ...deps.api, logger: deps.logger }));
  if (deps.pages) app.use(createPagesRouter({ ...deps.pages, logger: deps.logger }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
