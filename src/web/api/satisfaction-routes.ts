import { Router } from 'express';
import { listRatings, type ListRatingsDeps } from '../../services/satisfaction/list-ratings.js';
import { principalOf } from './authenticate.js';

/** `GET /satisfaction`: the customers' ratings of a period with their summary (services/satisfaction/list-ratings.ts). */
export function satisfactionRoutes(deps: ListRatingsDeps): Router {
  const router = Router();
  router.get('/satisfaction', async (req, res) => {
    res.json(await listRatings(deps, principalOf(res).actor, req.query));
  });
  return router;
}
