import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../domain/errors.js';

/** Unknown routes answer with the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/** What body-parser says about a request body the client got wrong, by its error `type`. */
const BODY_ERRORS: ReadonlyMap<string, () => AppError> = new Map([
  ['entity.too.large', () => new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large')],
  ['parameters.too.many', () => new AppError('PAYLOAD_TOO_LARGE', 'Request body has too many fields')],
  ['entity.parse.failed', () => new AppError('VALIDATION_FAILED', 'Request body is not valid JSON')],
  ['entity.verify.failed', () => new AppError('VALIDATION_FAILED', 'Request body could not be verified')],
  ['charset.unsupported', () => new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body uses a character set this server does not read (use UTF-8)')],
  ['encoding.unsupported', () => new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body uses a content encoding this server does not read (use identity, gzip, deflate or br)')],
  ['request.aborted', () => new AppError('VALIDATION_FAILED', 'Request body was cut off')],
  ['request.size.invalid', () => new AppError('VALIDATION_FAILED', 'Request body does not match its Content-Length')],
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
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body cannot be read');
    return new AppError('VALIDATION_FAILED', 'Request could not be read');
  }
  return null;
}

/** The one place an error becomes an HTTP response: `{error: {code, message}}`; internals stay in the log. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let appError = isAppError(err) ? err : clientErrorOf(err);
    if (!appError) {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
      appError = new AppError('INTERNAL', 'Internal server error');
    }
    if (res.headersSent) return;
    const retryAfter = appError.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    res.status(appError.httpStatus).json({
      error: { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) },
    });
  };
}
