import type { RequestHandler, Response } from 'express';
import { AppError, isAppError } from '../../domain/errors.js';
import { authenticateApiToken, type AuthenticateApiTokenDeps, type Principal } from '../../services/auth/authenticate-api-token.js';

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}

/** Requires a valid bearer token and puts the caller in `res.locals.principal`; 401 otherwise. */
export function authenticate(deps: AuthenticateApiTokenDeps): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    try {
      res.locals.principal = await authenticateApiToken(deps, token);
    } catch (err) {
      if (isAppError(err, 'UNAUTHENTICATED')) {
        res.set('WWW-Authenticate', token ? 'Bearer realm="threadline", error="invalid_token"' : 'Bearer realm="threadline"');
      }
      throw err;
    }
    next();
  };
}

/** The authenticated caller of this request (set by {@link authenticate}). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'Authentication required', { key: 'auth.required' });
  return principal;
}
