import type { SecretBox } from '../../store/secret-box.js';
import type { WebSessionStore } from '../../store/web-session-store.js';

/**
 * Carries a secret that must be shown exactly once (a new API token, a password link) across the
 * 303 after a form post. It never travels in a cookie or a URL, where proxies, logs and browser
 * storage could keep it: it waits sealed on the server-side session, bound to one page, and the
 * next page takes it with one atomic write, so a reload or a second tab shows it no more.
 */
export interface RevealDeps {
  webSessions: Pick<WebSessionStore, 'stashReveal' | 'takeReveal'>;
  secrets: SecretBox;
  now: () => Date;
}

const LIFETIME_MS = 300_000;
const sealContext = (sessionId: string, scope: string) => `reveal|${sessionId}|${scope}`;

/** Remembers a secret for the page named by `scope` (e.g. `api-token` or `link:<userId>`) of this session. */
export async function stashSecret(deps: RevealDeps, sessionId: string, scope: string, secret: string): Promise<void> {
  const reveal = { scope, sealed: deps.secrets.seal(secret, sealContext(sessionId, scope)), expiresAt: new Date(deps.now().getTime() + LIFETIME_MS) };
  await deps.webSessions.stashReveal(sessionId, reveal);
}

/** The secret stashed for this session and scope, deleting it so it is shown only once; else null. */
export async function takeSecret(deps: RevealDeps, sessionId: string, scope: string): Promise<string | null> {
  const reveal = await deps.webSessions.takeReveal(sessionId, scope);
  if (!reveal || reveal.expiresAt <= deps.now()) return null;
  return deps.secrets.open(reveal.sealed, sealContext(sessionId, scope));
}
