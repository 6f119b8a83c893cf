import { Router } from 'express';
import { AppError } from '../../domain/errors.js';
import { searchHelp } from '../../services/kb/search-help.js';
import type { Stores } from '../../store/stores.js';
import { createRateLimiter, HELP_SEARCH_LIMIT, type RateLimit } from '../rate-limit.js';

/**
 * `GET /help/search?q=&lang=`: the help center's search for anyone, no token: published public
 * articles only, rate-limited per client address (429 `RATE_LIMITED` with `Retry-After`).
 */
export function helpRoutes(deps: { stores: Stores; helpSearchLimit?: RateLimit }): Router {
  const router = Router();
  const limiter = createRateLimiter(deps.helpSearchLimit ?? HELP_SEARCH_LIMIT);
  router.get('/help/search', async (req, res) => {
    const taken = limiter.take(req.ip ?? '');
    if (!taken.ok) {
      res.set('Retry-After', String(taken.retryAfterSeconds));
      throw new AppError('RATE_LIMITED', `Too many searches from this address; try again in ${taken.retryAfterSeconds} s`, { key: 'rateLimited.helpSearch', params: { seconds: taken.retryAfterSeconds } });
    }
    const found = await searchHelp(deps.stores, { q: req.query.q, lang: req.query.lang });
    res.set('Cache-Control', 'public, max-age=60');
    res.json(found);
  });
  return router;
}
