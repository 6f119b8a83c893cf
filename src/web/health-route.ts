import type { Request, RequestHandler } from 'express';
import { isAppError } from '../domain/errors.js';
import type { Actor } from '../services/access.js';
import { authenticateApiToken, type AuthenticateApiTokenDeps } from '../services/auth/authenticate-api-token.js';
import { healthFor, type HealthReport } from '../services/system/check-health.js';
import { resumeWebSession, type SessionLifetimes, type WebSessionDeps } from '../services/auth/web-sessions.js';
import { bearerToken } from './api/authenticate.js';
import { sessionTokenOf } from './session/cookies.js';

/** What `/healthz` needs to recognise a signed-in caller; without it every caller is anonymous. */
export interface HealthViewerDeps {
  users: AuthenticateApiTokenDeps['users'] & WebSessionDeps['users'];
  apiTokens: AuthenticateApiTokenDeps['apiTokens'];
  webSessions: WebSessionDeps['webSessions'];
  teams: WebSessionDeps['teams'];
  now: () => Date;
  publicUrl: string | null;
  sessionLifetimes?: SessionLifetimes;
}

/** The caller of a request by bearer token or session cookie, or null (anonymous, or credentials that do not hold). */
async function viewerOf(req: Request, deps: HealthViewerDeps): Promise<Actor | null> {
  const token = bearerToken(req.get('authorization'));
  if (token) {
    try {
      return (await authenticateApiToken(deps, token)).actor;
    } catch (err) {
      if (isAppError(err, 'UNAUTHENTICATED')) return null;
      throw err;
    }
  }
  const cookie = sessionTokenOf(req, deps.publicUrl);
  if (!cookie) return null;
  const session = await resumeWebSession(
    { users: deps.users, webSessions: deps.webSessions, teams: deps.teams, now: deps.now, ...(deps.sessionLifetimes ? { lifetimes: deps.sessionLifetimes } : {}) },
    cookie,
  );
  return session?.actor ?? null;
}

/**
 * `GET /healthz`: 200 while the database answers, 503 when it does not. The body is `{status}` for
 * everyone; a signed-in admin (session cookie or bearer token) also gets the database and workers.
 * Credentials are looked up only while the database is up, and a failed lookup never hides the status.
 */
export function healthRoute(deps: { health: () => Promise<HealthReport>; viewers: HealthViewerDeps | null }): RequestHandler {
  return async (req, res) => {
    const report = await deps.health();
    let viewer: Actor | null = null;
    if (deps.viewers && report.db.status === 'up') viewer = await viewerOf(req, deps.viewers).catch(() => null);
    res.status(report.status === 'down' ? 503 : 200).set('Cache-Control', 'no-store').json(healthFor(report, viewer));
  };
}
