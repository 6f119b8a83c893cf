import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Types } from 'mongoose';
import { SMTPServer } from 'smtp-server';
import { AppError } from '../../src/domain/errors.js';
import type { MailAccountKind, MailLogin, MailLoginSource } from '../../src/services/oauth/access-token.js';
import { startDovecot, type DovecotOAuth2, type DovecotServer } from './dovecot.js';
import { MAIL_SCOPES, startOAuthProvider, type OAuthProviderOptions, type TestOAuthProvider } from './oauth-provider.js';
import type { ReceivedMail } from './smtp.js';

const run = promisify(execFile);

/** An SMTP server on loopback that takes XOAUTH2 logins only, checking each token at the provider. */
export interface OAuthSmtp {
  port: number;
  received: ReceivedMail[];
  /** Every XOAUTH2 login tried, with whether the provider vouched for its token. */
  logins: Array<{ user: string; ok: boolean; why?: string }>;
  close(): Promise<void>;
}

/** The provider, Dovecot checking tokens against it, and the SMTP server doing the same. */
export interface OAuthMailServers {
  idp: TestOAuthProvider;
  dovecot: DovecotServer;
  smtp: OAuthSmtp;
  /** Dovecot's token logins so far for a user: accepted and refused (from its log). */
  imapLogins(user: string): { ok: number; refused: number };
  /** The SASL mechanisms of the user's accepted token logins, in order (the test's own PLAIN logins left out). */
  imapMethods(user: string): string[];
  /** Ends the user's IMAP sessions, as Microsoft 365 does when a session's token expires (waits for one to exist). */
  kick(user: string): Promise<void>;
  /** Dovecot's log, for a failure message. */
  log(): string;
  stop(): Promise<void>;
}

async function startOAuthSmtp(idp: TestOAuthProvider): Promise<OAuthSmtp> {
  const received: ReceivedMail[] = [];
  const logins: OAuthSmtp['logins'] = [];
  const server = new SMTPServer({
    authMethods: ['XOAUTH2'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      const refuse = (why: string) => {
        logins.push({ user: auth.username ?? '', ok: false, why });
        // RFC 7628 §3.2.2 error, as Google and Microsoft answer: the client then gets 535.
        callback(null, { data: { status: '401', schemes: 'bearer', scope: MAIL_SCOPES.smtp } });
      };
      if (auth.method !== 'XOAUTH2' || !auth.accessToken) return refuse('not XOAUTH2');
      idp.introspect(auth.accessToken).then(
        (info) => {
          if (!info.active) return refuse('inactive token');
          if (info.sub !== auth.username) return refuse('token of another user');
          if (!(info.scope ?? '').split(' ').includes(MAIL_SCOPES.smtp)) return refuse('token without the send scope');
          logins.push({ user: auth.username!, ok: true });
          callback(null, { user: auth.username });
        },
        (err: Error) => callback(err),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, received, logins, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Starts the OAuth2 side of the loopback mail world: the identity provider, Dovecot whose `oauth2`
 * passdb introspects tokens there (they must carry the IMAP scope), and an SMTP server doing the same.
 */
export async function startOAuthMailServers(opts: OAuthProviderOptions & { imapMechanisms?: DovecotOAuth2['mechanisms'] }): Promise<OAuthMailServers> {
  const idp = await startOAuthProvider(opts);
  const dovecot = await startDovecot(opts.users, {
    oauth2: { introspectionUrl: idp.introspectionUrl, clientId: idp.resourceServer.id, clientSecret: idp.resourceServer.secret, scope: MAIL_SCOPES.imap, ...(opts.imapMechanisms ? { mechanisms: opts.imapMechanisms } : {}) },
  });
  const smtp = await startOAuthSmtp(idp);
  const log = () => readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
  return {
    idp,
    dovecot,
    smtp,
    log,
    imapLogins(user) {
      const lines = log()
        .split('\n')
        .filter((l) => l.includes(`user=<${user}>`) && /method=(XOAUTH2|OAUTHBEARER)/.test(l));
      return { ok: lines.filter((l) => /imap-login: Info: Login:/.test(l)).length, refused: lines.filter((l) => /auth failed|user disabled/.test(l)).length };
    },
    imapMethods(user) {
      return log()
        .split('\n')
        .filter((l) => l.includes(`user=<${user}>`) && /imap-login: Info: Login:/.test(l))
        .map((l) => /method=(\w+)/.exec(l)?.[1] ?? '')
        .filter((method) => method === 'XOAUTH2' || method === 'OAUTHBEARER');
    },
    async kick(user) {
      // doveadm fails when the user has no session at that instant (a poller renewing its short-lived
      // token is between two): tried until it ends one, as the tests mean, or gives up after 10 s.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await run('doveadm', ['-c', path.join(dovecot.dir, 'dovecot.conf'), 'kick', user]);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    async stop() {
      await smtp.close();
      await dovecot.stop();
      await idp.close();
    },
  };
}

/**
 * A MailLoginSource over the provider's tokens, for the mail-side tests: a refresh when the token has
 * under a minute left, one refresh after a refusal, and reconnect-needed once the provider refuses the
 * refresh token. It keeps count of what it was asked.
 */
export function providerLogins(idp: TestOAuthProvider) {
  const grants = new Map<string, { user: string; refreshToken: string; accessToken: string; expiresAt: number; gone: string | null }>();
  const calls = { loginFor: 0, afterAuthFailure: 0, refreshes: 0, serverTexts: [] as string[] };
  /** Inboxes whose token was refreshed because of a refusal, until a refresh for another reason. */
  const refreshedAfterRefusal = new Set<string>();
  const refresh = async (id: string) => {
    const g = grants.get(id)!;
    calls.refreshes++;
    try {
      const next = await idp.refresh(g.refreshToken);
      Object.assign(g, { refreshToken: next.refreshToken, accessToken: next.accessToken, expiresAt: Date.now() + next.expiresIn * 1000 });
    } catch (err) {
      g.gone = (err as Error).message;
      throw new AppError('MAIL_RECONNECT_NEEDED', `The mailbox must be connected again: ${g.gone}`);
    }
  };
  const login = (id: string): MailLogin => ({ kind: 'oauth2', user: grants.get(id)!.user, accessToken: grants.get(id)!.accessToken });
  const source: MailLoginSource = {
    async loginFor(inboxId: Types.ObjectId, _account: MailAccountKind) {
      calls.loginFor++;
      const id = inboxId.toHexString();
      const g = grants.get(id);
      if (!g) throw new Error(`no grant for ${id}`);
      if (g.gone) throw new AppError('MAIL_RECONNECT_NEEDED', `The mailbox must be connected again: ${g.gone}`);
      if (g.expiresAt - Date.now() < 60_000) {
        await refresh(id);
        refreshedAfterRefusal.delete(id);
      }
      return login(id);
    },
    async afterAuthFailure(inboxId: Types.ObjectId, _account: MailAccountKind, serverText: string) {
      calls.afterAuthFailure++;
      calls.serverTexts.push(serverText);
      const id = inboxId.toHexString();
      const g = grants.get(id)!;
      // As the app's source does: the token a refusal refreshed, refused too, means the grant gives no mail access.
      if (!g.gone && refreshedAfterRefusal.has(id)) g.gone = `auth_failed: ${serverText}`;
      if (g.gone) throw new AppError('MAIL_RECONNECT_NEEDED', `The mailbox must be connected again: ${g.gone}`);
      await refresh(id);
      refreshedAfterRefusal.add(id);
      return login(id);
    },
  };
  return {
    source,
    calls,
    /** Connects an inbox: consent at the provider for its mailbox user, the tokens kept here. */
    async connect(inboxId: Types.ObjectId, user: string, scope?: string) {
      const t = await idp.authorize({ user, ...(scope ? { scope } : {}) });
      grants.set(inboxId.toHexString(), { user, refreshToken: t.refreshToken, accessToken: t.accessToken, expiresAt: Date.now() + t.expiresIn * 1000, gone: null });
      refreshedAfterRefusal.delete(inboxId.toHexString());
      return t;
    },
    accessToken: (inboxId: Types.ObjectId) => grants.get(inboxId.toHexString())?.accessToken ?? null,
    /** Makes the kept access token one the server refuses while it still looks fresh (a token revoked early). */
    spoil(inboxId: Types.ObjectId) {
      grants.get(inboxId.toHexString())!.accessToken = 'refused-by-the-server';
    },
  };
}
