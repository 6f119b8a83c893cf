import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isAppError } from '../../domain/errors.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import { canSeeInbox, notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { requireInboxManager } from './inbox-manager-access.js';
import { inboxPasswordContext, movedPasswordIssues } from './inbox-secrets.js';
import { invalidInput, parseInput } from '../validate.js';
import type { MailLogin, MailLoginSource } from '../oauth/access-token.js';

/** The outcome of checking one mail account. `code` is `OK` or what went wrong (IMAP_AUTH_FAILED, SMTP_UNREACHABLE, …). */
export interface AccountCheck {
  ok: boolean;
  code: string;
  /** For people; never contains a password. */
  message: string;
  /** On a failure at the socket or TLS level: Node's or OpenSSL's own words, for admins (never the server's text). */
  detail?: string;
  /** How long the check took, in milliseconds. */
  ms: number;
  /** IMAP only: messages in the folder and its UIDVALIDITY (RFC 3501 §2.3.1.1). */
  messages?: number;
  uidValidity?: string;
}

/** An IMAP account to log in to and the folder to open read-only. */
export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  folder: string;
  /** An OAuth2 access token (SASL XOAUTH2 / OAUTHBEARER) for `user`, instead of the password. */
  accessToken?: string;
}

/** An SMTP account to connect (and log in) to. */
export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
  /** An OAuth2 access token for `user`, instead of the password. */
  accessToken?: string;
}

/** The network checks, implemented in src/mail/connection-check.ts; each ends within its own timeout. */
export interface ConnectionChecks {
  imap(target: ImapTarget): Promise<AccountCheck>;
  smtp(target: SmtpTarget): Promise<AccountCheck>;
  /** Where an OAuth2 inbox's logins come from; without it every inbox is tested with its passwords. */
  logins?: Pick<MailLoginSource, 'loginFor'>;
}

/** What the connection test needs: the stored inbox, the key to its passwords, and the network checks. */
export interface TestConnectionDeps {
  inboxes: Pick<InboxStore, 'findById'>;
  secrets: SecretBox;
  logger: Logger;
  checks: ConnectionChecks;
}

/** What one test reports: the IMAP account (read side) and the SMTP account (send side). */
export interface ConnectionTestResult {
  imap: AccountCheck;
  smtp: AccountCheck;
}

const host = z.string().trim().min(1).max(255);
const port = z.number().int().min(1).max(65535);
const user = z.string().trim().min(1).max(320);
// An empty password means "the stored one" (for the saved host, port, TLS mode and user only), so it is optional here and never trimmed.
const password = z.string().max(1024);
const folder = z.string().trim().min(1).max(255);

/** Unsaved values of an existing inbox: every field optional, missing ones come from the stored inbox. */
export const changedSchema = z.strictObject({
  imap: z.strictObject({ host, port, secure: z.boolean(), user, password, folder }).partial().optional(),
  smtp: z.strictObject({ host, port, secure: z.boolean(), user: user.nullable(), password: password.nullable() }).partial().optional(),
});

/** The accounts of an inbox that does not exist yet: everything an inbox needs to connect. */
const newSchema = z.strictObject({
  imap: z.strictObject({ host, port, secure: z.boolean(), user, password: password.min(1), folder: folder.optional() }),
  smtp: z.strictObject({ host, port, secure: z.boolean(), user: user.nullable().optional(), password: password.nullable().optional() }),
});

/** A stored password, or null when none is stored or it cannot be opened (SECRET_KEY changed). */
function storedPassword(deps: TestConnectionDeps, inbox: InboxDoc, account: 'imap' | 'smtp'): { password: string | null; broken: boolean } {
  const sealed = inbox[account].passwordSealed;
  if (!sealed) return { password: null, broken: false };
  try {
    return { password: deps.secrets.open(sealed, inboxPasswordContext(inbox._id, account)), broken: false };
  } catch (err) {
    if (isAppError(err, 'SECRET_INVALID')) return { password: null, broken: true };
    throw err;
  }
}

const brokenSecret: AccountCheck = {
  ok: false,
  code: 'SECRET_INVALID',
  message: 'The stored password cannot be decrypted (SECRET_KEY changed?). Enter the password again.',
  ms: 0,
};
const noImapPassword: AccountCheck = { ok: false, code: 'IMAP_AUTH_FAILED', message: 'No IMAP password is stored. Enter one.', ms: 0 };

/** Belt and braces: a server that echoes what it was sent must not put a password or token on a page or in a log. */
function scrubbed(check: AccountCheck, ...secrets: Array<string | null | undefined>): AccountCheck {
  let out = check;
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    out = { ...out, message: out.message.replaceAll(secret, '***'), ...(out.detail ? { detail: out.detail.replaceAll(secret, '***') } : {}) };
  }
  return out;
}

/**
 * An OAuth2 inbox's login for one account, from the login source; null for a password inbox. A grant
 * that is gone is a failed check saying so (MAIL_RECONNECT_NEEDED), with the source's words.
 */
async function oauthLogin(deps: TestConnectionDeps, inboxId: Types.ObjectId, account: 'imap' | 'smtp'): Promise<Extract<MailLogin, { kind: 'oauth2' }> | AccountCheck | null> {
  if (!deps.checks.logins) return null;
  try {
    const login = await deps.checks.logins.loginFor(inboxId, account);
    return login.kind === 'oauth2' ? login : null;
  } catch (err) {
    if (isAppError(err)) return { ok: false, code: err.code, message: err.message, ms: 0 };
    throw err;
  }
}

/** Whether unsaved changes move an account away from where its stored login belongs (host, port, TLS mode, user). */
function moved(stored: { host: string; port: number; secure: boolean }, change: { host?: string; port?: number; secure?: boolean; user?: string | null } | undefined): boolean {
  if (!change) return false;
  return (change.host !== undefined && change.host !== stored.host) || (change.port !== undefined && change.port !== stored.port) || (change.secure !== undefined && change.secure !== stored.secure) || change.user !== undefined;
}

/** Runs both checks at once; an account that cannot be checked comes with its result already. */
async function runChecks(deps: TestConnectionDeps, imap: ImapTarget | AccountCheck, smtp: SmtpTarget | AccountCheck): Promise<ConnectionTestResult> {
  const [imapCheck, smtpCheck] = await Promise.all([
    'host' in imap ? deps.checks.imap(imap).then((c) => scrubbed(c, imap.password, imap.accessToken)) : imap,
    'host' in smtp ? deps.checks.smtp(smtp).then((c) => scrubbed(c, smtp.password, smtp.accessToken)) : smtp,
  ]);
  return { imap: imapCheck, smtp: smtpCheck };
}

function logResult(deps: TestConnectionDeps, inboxId: Types.ObjectId | null, result: ConnectionTestResult): ConnectionTestResult {
  const summary = (c: AccountCheck) => ({ ok: c.ok, code: c.code, ms: c.ms });
  deps.logger.info({ inboxId: inboxId?.toHexString() ?? null, imap: summary(result.imap), smtp: summary(result.smtp) }, 'inbox connection tested');
  return result;
}

/**
 * Tests an inbox's IMAP and SMTP accounts: IMAP logs in, opens the folder read-only and logs out;
 * SMTP connects and logs in. Admins and managers of the inbox may test what is stored; only admins
 * may pass `changes` (unsaved form values), where an empty or missing password means the stored one.
 * A stored password is only sent to the host, port, TLS mode and user it was saved with: changing
 * any of them without typing the password again is VALIDATION_FAILED naming that password field.
 * A failed check is a result, not an error, worded from a fixed set rather than quoting the server.
 */
export async function testInboxConnection(deps: TestConnectionDeps, actor: Actor, inboxId: string, changes?: unknown): Promise<ConnectionTestResult> {
  const id = parseObjectId(inboxId);
  if (!id || !canSeeInbox(actor, id)) throw notFound('Inbox');
  requireInboxManager(actor, id, 'Only admins and managers of this inbox can test its connection');
  const inbox = await deps.inboxes.findById(id);
  if (!inbox) throw notFound('Inbox');
  let patch: z.output<typeof changedSchema> = {};
  if (changes !== undefined) {
    requireAdmin(actor);
    patch = parseInput(changedSchema, changes, 'Connection settings');
    const moved = movedPasswordIssues(inbox, patch);
    if (moved.length > 0) throw invalidInput(moved, 'Connection settings');
  }

  const imapStored = patch.imap?.password ? { password: patch.imap.password, broken: false } : storedPassword(deps, inbox, 'imap');
  const smtpGiven = patch.smtp?.password;
  const smtpStored = smtpGiven ? { password: smtpGiven, broken: false } : smtpGiven === null ? { password: null, broken: false } : storedPassword(deps, inbox, 'smtp');
  const imapUser = patch.imap?.user ?? inbox.imap.user ?? '';
  const imap: ImapTarget | AccountCheck = imapStored.broken
    ? brokenSecret
    : imapStored.password === null
      ? noImapPassword
      : {
          host: patch.imap?.host ?? inbox.imap.host,
          port: patch.imap?.port ?? inbox.imap.port,
          secure: patch.imap?.secure ?? inbox.imap.secure,
          user: imapUser,
          password: imapStored.password,
          folder: patch.imap?.folder ?? inbox.imap.folder,
        };
  const smtp: SmtpTarget | AccountCheck = smtpStored.broken
    ? brokenSecret
    : {
        host: patch.smtp?.host ?? inbox.smtp.host,
        port: patch.smtp?.port ?? inbox.smtp.port,
        secure: patch.smtp?.secure ?? inbox.smtp.secure,
        user: patch.smtp?.user !== undefined ? patch.smtp.user : (inbox.smtp.user ?? null),
        password: smtpStored.password,
      };
  return logResult(deps, id, await runChecks(deps, await withOAuth(deps, inbox, patch, 'imap', imap), await withOAuth(deps, inbox, patch, 'smtp', smtp)));
}

/**
 * An OAuth2 inbox's account is tested with its access token, as the poller and delivery log in; only
 * on the stored host, port, TLS mode and user, like a stored password (unsaved changes there are
 * tested as typed, with the password given, if any).
 */
async function withOAuth<T extends ImapTarget | SmtpTarget>(deps: TestConnectionDeps, inbox: InboxDoc, patch: z.output<typeof changedSchema>, account: 'imap' | 'smtp', target: T | AccountCheck): Promise<T | AccountCheck> {
  if (moved(inbox[account], patch[account])) return target;
  const login = await oauthLogin(deps, inbox._id, account);
  if (!login) return target;
  if (!('kind' in login)) return login;
  const base = { host: inbox[account].host, port: inbox[account].port, secure: inbox[account].secure };
  if (account === 'imap') return { ...base, user: login.user, password: '', accessToken: login.accessToken, folder: patch.imap?.folder ?? inbox.imap.folder } as T;
  return { ...base, user: login.user, password: null, accessToken: login.accessToken } as T;
}

/** Tests the accounts of an inbox before it is created (admins only); both passwords come from `input`. */
export async function testNewInboxConnection(deps: TestConnectionDeps, actor: Actor, input: unknown): Promise<ConnectionTestResult> {
  requireAdmin(actor);
  const data = parseInput(newSchema, input, 'Connection settings');
  const imap: ImapTarget = { ...data.imap, folder: data.imap.folder ?? 'INBOX' };
  const smtp: SmtpTarget = { host: data.smtp.host, port: data.smtp.port, secure: data.smtp.secure, user: data.smtp.user ?? null, password: data.smtp.password || null };
  return logResult(deps, null, await runChecks(deps, imap, smtp));
}
