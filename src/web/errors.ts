import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../domain/errors.js';
import type { I18n, Translator } from '../i18n/catalog.js';
import { errorText, issueText, type TranslatableIssue } from '../i18n/error-text.js';
import { pickLocale } from '../i18n/locales.js';
import type { Principal } from '../services/auth/authenticate-api-token.js';

/** Unknown routes answer with the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`, { key: 'notFound.route', params: { method: req.method, path: req.path } }));
};

const bodyError = (code: 'PAYLOAD_TOO_LARGE' | 'VALIDATION_FAILED' | 'UNSUPPORTED_MEDIA_TYPE', message: string, key: string) => () => new AppError(code, message, { key: `request.${key}` });

/** What body-parser says about a request body the client got wrong, by its error `type`. */
const BODY_ERRORS: ReadonlyMap<string, () => AppError> = new Map([
  ['entity.too.large', bodyError('PAYLOAD_TOO_LARGE', 'Request body is too large', 'tooLarge')],
  ['parameters.too.many', bodyError('PAYLOAD_TOO_LARGE', 'Request body has too many fields', 'tooManyFields')],
  ['entity.parse.failed', bodyError('VALIDATION_FAILED', 'Request body is not valid JSON', 'notJson')],
  ['entity.verify.failed', bodyError('VALIDATION_FAILED', 'Request body could not be verified', 'notVerified')],
  ['charset.unsupported', bodyError('UNSUPPORTED_MEDIA_TYPE', 'Request body uses a character set this server does not read (use UTF-8)', 'charset')],
  ['encoding.unsupported', bodyError('UNSUPPORTED_MEDIA_TYPE', 'Request body uses a content encoding this server does not read (use identity, gzip, deflate or br)', 'encoding')],
  ['request.aborted', bodyError('VALIDATION_FAILED', 'Request body was cut off', 'aborted')],
  ['request.size.invalid', bodyError('VALIDATION_FAILED', 'Request body does not match its Content-Length', 'sizeMismatch')],
]);

/**
 * The AppError for a mistake of the client that did not come from our own code: body-parser's
 * errors and any other error marked with a 4xx status, or null for a real failure.
 */
export function clientErrorOf(err: unknown): AppError | null {
  if (typeof err !== 'object' || err === null) return null;
  const { type, status } = err as { type?: unknown; status?: unknown };
  const known = typeof type === 'string' ? BODY_ERRORS.get(type) : undefined;
  if (known) return known();
  // Also the router's "Failed to decode param" (a URIError marked 400) for a path like /tickets/%E0%A4%A.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large', { key: 'request.tooLarge' });
    if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body cannot be read', { key: 'request.unsupported' });
    return new AppError('VALIDATION_FAILED', 'Request could not be read', { key: 'request.unreadable' });
  }
  return null;
}

/**
 * The language of an API answer: the signed-in caller's own setting (already on the principal, no
 * extra read), else the best of `Accept-Language`, else English.
 */
export function apiLocale(req: Request, res: Response): string {
  const principal = res.locals.principal as Principal | undefined;
  return pickLocale({ chosen: principal?.locale ?? null, acceptLanguage: req.get('accept-language') ?? null, fallback: 'en' });
}

/**
 * The human parts of an error in one language. English is the language of `message` itself, so an
 * English caller gets it word for word (it may say more than the catalog's text, e.g. for an error
 * without a key); other languages get the catalog's. Issues keep the API's `{path, message}` shape.
 */
export function localizedError(appError: AppError, tr: Translator): { message: string; details?: Record<string, unknown> } {
  const english = tr.locale === 'en';
  const message = english ? appError.message : errorText(appError, tr);
  if (!appError.details) return { message };
  const { issues, ...rest } = appError.details;
  if (!Array.isArray(issues)) return { message, details: appError.details };
  const shown = (issues as TranslatableIssue[]).map((issue) => ({ path: issue.path ?? '', message: english ? issue.message : issueText(issue, tr) }));
  return { message, details: { ...rest, issues: shown } };
}

/**
 * The one place an error becomes an HTTP response: `{error: {code, message, details}}`; internals stay
 * in the log. `code` is the same in every language; `message` and the issues' messages follow the
 * caller's ({@link apiLocale}), named in `Content-Language`.
 */
export function errorHandler(logger: Logger, i18n: I18n): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let appError = isAppError(err) ? err : clientErrorOf(err);
    if (!appError) {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
      appError = new AppError('INTERNAL', 'Internal server error');
    }
    if (res.headersSent) return;
    const retryAfter = appError.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    const tr = i18n.translator(apiLocale(req, res));
    res.vary('Accept-Language');
    res.set('Content-Language', tr.locale);
    res.status(appError.httpStatus).json({ error: { code: appError.code, ...localizedError(appError, tr) } });
  };
}
