import type { Request, RequestHandler } from 'express';
import { AppError } from '../../domain/errors.js';

/**
 * Whether a request comes from a browser wanting a page: not under `/api/`, and its `Accept`
 * prefers HTML over JSON (a wildcard or missing `Accept`, as curl sends, counts as JSON).
 */
export function prefersHtml(req: Request): boolean {
  if (req.path.startsWith('/api/')) return false;
  return req.accepts(['json', 'html']) === 'html';
}

/**
 * The last browser route: an unknown address asked for by a browser becomes a 404 shown on the
 * HTML error page (signed in or not); any other caller falls through to the JSON 404.
 */
export const pageNotFound: RequestHandler = (req, _res, next) => {
  if (!prefersHtml(req)) return next();
  next(new AppError('NOT_FOUND', `No page for ${req.method} ${req.path}`, { key: 'notFound.page', params: { path: req.path } }));
};
