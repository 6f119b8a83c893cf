import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../domain/errors.js';

/** Unknown routes answer with the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/** The one place an error becomes an HTTP response: `{error: {code, message}}`; internals stay in the log. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const bodyTooLarge = (err as { type?: string }).type === 'entity.too.large';
    const malformed = (err as { type?: string }).type === 'entity.parse.failed';
    let appError: AppError;
    if (isAppError(err)) appError = err;
    else if (bodyTooLarge) appError = new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    else if (malformed) appError = new AppError('VALIDATION_FAILED', 'Request body is not valid JSON');
    else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
      appError = new AppError('INTERNAL', 'Internal server error');
    }
    if (res.headersSent) return;
    res.status(appError.httpStatus).json({
      error: { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) },
    });
  };
}
