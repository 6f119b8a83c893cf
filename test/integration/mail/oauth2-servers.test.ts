import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { MAIL_SCOPES, startOAuthProvider, type TestOAuthProvider } from '../../helpers/oauth-provider.js';

const USER = 'support@example.test';
let idp: TestOAuthProvider;
let dovecot: DovecotServer;

beforeAll(async () => {
  idp = await startOAuthProvider({ users: [USER, 'other@example.test'] });
  dovecot = await startDovecot([USER, 'other@example.test'], {
    oauth2: { introspectionUrl: idp.introspectionUrl, clientId: idp.resourceServer.id, clientSecret: idp.resourceServer.secret, scope: MAIL_SCOPES.imap },
  });
});

afterAll(async () => {
  await dovecot?.stop();
  await idp?.close();
});

async function login(user: string, accessToken: string): Promise<{ ok: true } | { ok: false; err: Error & { authenticationFailed?: boolean; responseText?: string } }> {
  const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user, accessToken }, logger: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.logout();
    return { ok: true };
  } catch (err) {
    return { ok: false, err: err as Error };
  } finally {
    client.close();
  }
}

describe('the loopback OAuth2 servers', () => {
  it('Dovecot accepts an XOAUTH2 login with a token from the provider, introspected there', async () => {
    const tokens = await idp.authorize();
    expect(tokens.scope.split(' ')).toContain(MAIL_SCOPES.imap);
    expect(tokens.refreshToken).not.toBe('undefined');
    const before = idp.hits('/token/introspection');
    const result = await login(USER, tokens.accessToken);
    if (!result.ok) throw new Error(`login refused: ${result.err.message}\n${dovecotLog()}`);
    expect(idp.hits('/token/introspection')).toBeGreaterThan(before);
  });

  it('Dovecot refuses a made-up token, a token of another user and a token without the mail scope', async () => {
    const made = await login(USER, 'not-a-token');
    expect(made.ok).toBe(false);
    const theirs = await idp.authorize({ user: 'other@example.test' });
    expect((await login(USER, theirs.accessToken)).ok).toBe(false);
    const narrow = await idp.authorize({ scope: 'openid offline_access' });
    const refused = await login(USER, narrow.accessToken);
    expect(refused.ok).toBe(false);
    expect(dovecotLog()).toMatch(/not valid for scope/);
  });

  it('rotates the refresh token on use, and revoked consent ends both tokens', async () => {
    const first = await idp.authorize();
    const next = await idp.refresh(first.refreshToken);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect((await login(USER, next.accessToken)).ok).toBe(true);
    await idp.revokeConsent();
    expect((await idp.introspect(next.accessToken)).active).toBe(false);
    expect((await login(USER, next.accessToken)).ok).toBe(false);
    await expect(idp.refresh(next.refreshToken)).rejects.toThrow(/invalid_grant/);
  });
});

function dovecotLog(): string {
  return readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
}
