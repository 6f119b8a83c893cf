import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { WebSessionStore } from '../../store/web-session-store.js';
import type { UserRole } from '../../domain/user-roles.js';
import type { Actor } from '../access.js';

/** How long a browser session lives without use, and at most. */
export interface SessionLifetimes {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = { idleMs: 8 * 3600_000, absoluteMs: 7 * 86_400_000 };

/** A live session with its user, as the pages see it. */
export interface WebSessionView {
  id: string;
  csrfToken: string;
  actor: Actor;
  /** `away`: marked themself away (the top bar says so), since `awaySince`. */
  user: { id: string; email: string; name: string | null; role: UserRole; locale: string | null; timeZone: string | null; away: boolean; awaySince: Date | null };
}

export interface WebSessionDeps {
  webSessions: Pick<WebSessionStore, 'create' | 'findById' | 'touch' | 'deleteById'>;
  users: Pick<UserStore, 'findById'>;
  /** The user's teams, read with the user (one indexed query). */
  teams: Pick<TeamStore, 'listIdsOfMember'>;
  now: () => Date;
  lifetimes?: SessionLifetimes;
}

// lastSeenAt is written at most this often, so reading pages does not write on every request.
const TOUCH_RESOLUTION_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Starts a new session for a user and returns its cookie token. The token is always fresh random
 * bytes, so a session id planted before login is never promoted (no fixation).
 */
export async function createWebSession(deps: Pick<WebSessionDeps, 'webSessions' | 'now' | 'lifetimes'>, userId: Types.ObjectId, userAgent: string | null): Promise<string> {
  const { idleMs, absoluteMs } = deps.lifetimes ?? DEFAULT_SESSION_LIFETIMES;
  const now = deps.now();
  const token = randomBytes(32).toString('base64url');
  const absoluteExpiresAt = new Date(now.getTime() + absoluteMs);
  await deps.webSessions.create({
    _id: hashToken(token),
    userId,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt,
    expiresAt: new Date(Math.min(now.getTime() + idleMs, absoluteExpiresAt.getTime())),
    userAgent: userAgent?.slice(0, 300) ?? null,
  });
  return token;
}

/**
 * The session of a cookie token, or null when it is unknown, idle too long, past its absolute
 * lifetime, or its user is gone or disabled. Expired sessions are deleted on sight.
 */
export async function resumeWebSession(deps: WebSessionDeps, token: string | undefined): Promise<WebSessionView | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { idleMs } = deps.lifetimes ?? DEFAULT_SESSION_LIFETIMES;
  const id = hashToken(token);
  const now = deps.now();
  const session = await deps.webSessions.findById(id);
  if (!session) return null;
  const idleDeadline = session.lastSeenAt.getTime() + idleMs;
  if (now.getTime() >= idleDeadline || now >= session.absoluteExpiresAt) {
    await deps.webSessions.deleteById(id);
    return null;
  }
  const user = await deps.users.findById(session.userId);
  if (!user || user.disabled) {
    await deps.webSessions.deleteById(id);
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_RESOLUTION_MS) {
    const expiresAt = new Date(Math.min(now.getTime() + idleMs, session.absoluteExpiresAt.getTime()));
    await deps.webSessions.touch(id, now, expiresAt);
  }
  return {
    id,
    csrfToken: session.csrfToken,
    actor: { userId: user._id, role: user.role, inboxIds: user.inboxIds, teamIds: await deps.teams.listIdsOfMember(user._id), ...(user.kbEditor === true ? { kbEditor: true } : {}) },
    user: { id: user._id.toHexString(), email: user.email, name: user.name ?? null, role: user.role, locale: user.locale ?? null, timeZone: user.timeZone ?? null, away: user.away === true, awaySince: user.awaySince ?? null },
  };
}

/** Ends the session of a cookie token (logout); unknown tokens are ignored. */
export async function endWebSession(deps: { webSessions: Pick<WebSessionStore, 'deleteById'> }, token: string | undefined): Promise<void> {
  if (token) await deps.webSessions.deleteById(hashToken(token));
}

/**
 * Ends every session of a user (disabled account, password set through a link), or every one but
 * `exceptSessionId` (the session that changed its own password stays signed in).
 */
export async function endUserWebSessions(deps: { webSessions: Pick<WebSessionStore, 'deleteByUser'> }, userId: Types.ObjectId, exceptSessionId?: string): Promise<number> {
  return deps.webSessions.deleteByUser(userId, exceptSessionId);
}
