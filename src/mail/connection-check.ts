import { ImapFlow, type Logger as ImapLogger } from 'imapflow';
import nodemailer from 'nodemailer';
import { CONNECTION_PROBLEMS, tlsMismatch, type ConnectionProblem } from '../domain/mail-account.js';
import type { ImapFlowError } from './imap-errors.js';
import { smtpAuthOf } from './mail-login.js';
import type { AccountCheck, ConnectionChecks, ImapTarget, SmtpTarget } from '../services/inboxes/test-inbox-connection.js';

interface NodemailerError {
  code?: string;
  responseCode?: number;
  command?: string;
  message?: string;
  library?: string;
}

type Failure = Pick<AccountCheck, 'code' | 'message' | 'detail'>;

/** Where a check connected to: the port and TLS mode, to tell a TLS mode that does not suit the port. */
type Endpoint = { port?: number; secure?: boolean };

const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * The socket-level problem behind an error, if it is one. Only our own codes and Node's are read,
 * never the server's text, so a result cannot carry a banner back.
 */
function socketProblem(code: string | undefined, library: string | undefined): ConnectionProblem | null {
  if (!code) return library === 'SSL routines' ? 'tls' : null;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EDNS') return 'hostNotFound';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  if (/^(ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|SOCKET_TIMEOUT)$/.test(code)) return 'timedOut';
  if (/^(ECONNRESET|EPIPE|NoConnection|ClosedAfterConnectText|ClosedAfterConnectTLS|EConnectionClosed)$/.test(code)) return 'closed';
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return 'certSelfSigned';
  if (code === 'CERT_HAS_EXPIRED') return 'certExpired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'certHostname';
  if (CERTIFICATE.test(code)) return 'certificate';
  if (/^(ERR_SSL_|ERR_TLS_|EPROTO$)/.test(code) || library === 'SSL routines') return 'tls';
  return null;
}

const failure = (code: string, problem: ConnectionProblem): Failure => ({ code, message: CONNECTION_PROBLEMS[problem] });

const TLS_PROBLEMS: ReadonlySet<ConnectionProblem> = new Set(['tls', 'expectsStartTls', 'expectsTls', 'certificate', 'certSelfSigned', 'certExpired', 'certHostname']);

/**
 * A TLS handshake that failed, or a greeting that never came, on a port whose usual TLS mode is not
 * the one chosen is said as such ("this port expects STARTTLS"); anything else stays as it is.
 */
function withPort(problem: ConnectionProblem, at: Endpoint): ConnectionProblem {
  if (at.port === undefined || at.secure === undefined || !['tls', 'timedOut', 'closed'].includes(problem)) return problem;
  return tlsMismatch(at.port, at.secure) ?? problem;
}

/**
 * The words of the error on our side of the socket (Node's or OpenSSL's, such as "wrong version
 * number"), for admins to open under "details"; never anything the server sent.
 */
function localDetail(e: { code?: string; message?: string }): Pick<Failure, 'detail'> {
  const text = [e.code, e.message].filter(Boolean).join(': ').slice(0, 500);
  return text ? { detail: text } : {};
}

/** Names what went wrong with an IMAP account, in words from the fixed set. */
export function classifyImapCheckError(err: unknown, target: Pick<ImapTarget, 'folder'> & Endpoint): Failure {
  const e = (err ?? {}) as ImapFlowError;
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') return failure('IMAP_AUTH_FAILED', 'login');
  if (e.serverResponseCode === 'NONEXISTENT' || /doesn't exist|does not exist|unknown mailbox|no such mailbox/i.test(e.responseText || e.message || '')) {
    return { code: 'IMAP_FOLDER_MISSING', message: `the folder "${target.folder}" does not exist` };
  }
  const found = socketProblem(e.code, e.library);
  if (found) {
    const problem = withPort(found, target);
    return { ...failure(TLS_PROBLEMS.has(problem) ? 'IMAP_ERROR' : 'IMAP_UNREACHABLE', problem), ...localDetail(e) };
  }
  return failure('IMAP_ERROR', 'failed');
}

/**
 * Names what went wrong with an SMTP account, in words from the fixed set: the login (RFC 4954 §6:
 * 535), getting there at all, a greeting that is not SMTP's, or the server turning us away.
 */
export function classifySmtpCheckError(err: unknown, target: Endpoint = {}): Failure {
  const e = (err ?? {}) as NodemailerError;
  if (e.code === 'EAUTH' || e.responseCode === 535) return failure('SMTP_AUTH_FAILED', /not supported/i.test(e.message ?? '') ? 'noLogin' : 'login');
  if (e.code === 'ENOAUTH') return failure('SMTP_AUTH_FAILED', 'login');
  const found = e.code === 'ECONNECTION' ? 'closed' : socketProblem(e.code === 'ESOCKET' ? socketCode(e.message) : e.code, e.library);
  const socketLevel = found ?? (e.code === 'ESOCKET' && /SSL routines|wrong version number|handshake/i.test(e.message ?? '') ? 'tls' : null);
  if (socketLevel) {
    const problem = withPort(socketLevel, target);
    return { ...failure(TLS_PROBLEMS.has(problem) ? 'SMTP_ERROR' : 'SMTP_UNREACHABLE', problem), ...localDetail(e) };
  }
  if (e.code === 'EPROTOCOL' && e.command === 'CONN') return failure('SMTP_ERROR', e.responseCode && e.responseCode >= 400 ? 'turnedAway' : 'notSmtp');
  return failure('SMTP_ERROR', 'failed');
}

/** Nodemailer wraps socket errors as ESOCKET; the Node code is at the start of its own message ("connect ECONNREFUSED …"). */
function socketCode(message: string | undefined): string | undefined {
  return /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|ETIMEDOUT|EPROTO|ERR_SSL_\w+|ERR_TLS_\w+|[A-Z_]*CERT[A-Z_]*|SELF_SIGNED\w*|UNABLE_TO_\w+)\b/.exec(message ?? '')?.[1];
}

/** Rejects after `ms` with a timeout error, so a server that accepts but never answers cannot hold a page. */
function deadline(ms: number): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** Races `work` against the deadline; a late failure of `work` is swallowed rather than left unhandled. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  const limit = deadline(ms);
  try {
    return await Promise.race([work, limit.promise]);
  } finally {
    limit.clear();
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

/**
 * A logger for imapflow that keeps only whether the server's first line was an IMAP greeting
 * (RFC 3501 §7.1: `* OK`, `* PREAUTH` or `* BYE`); the line itself is dropped, never shown.
 */
function greetingWatch(): { logger: ImapLogger; notImap: () => boolean } {
  let first: boolean | null = null;
  const note = (entry: unknown) => {
    const e = entry as { src?: string; msg?: unknown } | null;
    if (first === null && e?.src === 's') first = typeof e.msg === 'string' && /^\* (OK|PREAUTH|BYE)\b/i.test(e.msg);
  };
  const quiet = () => undefined;
  return { logger: { trace: note, debug: note, info: quiet, warn: quiet, error: note, fatal: quiet }, notImap: () => first === false };
}

async function checkImap(target: ImapTarget, timeoutMs: number): Promise<AccountCheck> {
  const started = performance.now();
  const greeting = greetingWatch();
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: target.accessToken ? { user: target.user, accessToken: target.accessToken } : { user: target.user, pass: target.password },
    logger: greeting.logger,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  // Failures surface through the awaited commands below; the event only keeps Node from throwing.
  client.on('error', () => undefined);
  try {
    const { messages, uidValidity } = await within(
      timeoutMs,
      (async () => {
        await client.connect();
        // EXAMINE (RFC 3501 §6.3.2): opening read-only changes no \Recent or \Seen flag.
        const box = await client.mailboxOpen(target.folder, { readOnly: true });
        const found = { messages: box.exists, uidValidity: String(box.uidValidity) };
        await client.logout();
        return found;
      })(),
    );
    return {
      ok: true,
      code: 'OK',
      message: `Logged in; folder "${target.folder}" holds ${messages} message${messages === 1 ? '' : 's'} (UIDVALIDITY ${uidValidity}).`,
      ms: elapsed(started),
      messages,
      uidValidity,
    };
  } catch (err) {
    const failed = greeting.notImap() ? failure('IMAP_ERROR', 'notImap') : classifyImapCheckError(err, target);
    return { ok: false, ...failed, ms: elapsed(started) };
  } finally {
    client.close();
  }
}

async function checkSmtp(target: SmtpTarget, timeoutMs: number): Promise<AccountCheck> {
  const started = performance.now();
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure,
    ...(target.user ? { auth: smtpAuthOf(target.user, target) } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await within(timeoutMs, transport.verify());
    return { ok: true, code: 'OK', message: target.user ? 'Connected and logged in.' : 'Connected (no login configured).', ms: elapsed(started) };
  } catch (err) {
    return { ok: false, ...classifySmtpCheckError(err, target), ms: elapsed(started) };
  } finally {
    transport.close();
  }
}

/**
 * The IMAP and SMTP account checks over the network, each given up after `timeoutMs`; with `logins`,
 * OAuth2 inboxes are tested with their access tokens.
 */
export function createConnectionChecks(opts: { timeoutMs: number; logins?: ConnectionChecks['logins'] }): ConnectionChecks {
  return {
    imap: (target) => checkImap(target, opts.timeoutMs),
    smtp: (target) => checkSmtp(target, opts.timeoutMs),
    ...(opts.logins ? { logins: opts.logins } : {}),
  };
}
