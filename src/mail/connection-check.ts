import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { AccountCheck, ConnectionChecks, ImapTarget, SmtpTarget } from '../services/test-inbox-connection.js';
import { classifyImapError } from './imap-errors.js';

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT/;

/**
 * Names what went wrong with an SMTP account: the login (RFC 4954 §6: 535), getting there at all,
 * or anything else the server said.
 */
export function classifySmtpCheckError(err: unknown, target: Pick<SmtpTarget, 'host' | 'port'>): Pick<AccountCheck, 'code' | 'message'> {
  const e = (err ?? {}) as NodemailerError;
  const detail = (e.response ?? e.message ?? String(err)).trim();
  const where = `${target.host}:${target.port}`;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.responseCode === 535) return { code: 'SMTP_AUTH_FAILED', message: `SMTP login to ${where} failed: ${detail}` };
  if (e.code === 'ECONNECTION' || e.code === 'ETIMEDOUT' || e.code === 'EDNS' || (e.code === 'ESOCKET' && UNREACHABLE.test(detail))) {
    return { code: 'SMTP_UNREACHABLE', message: `Cannot reach SMTP server ${where}: ${detail}` };
  }
  return { code: 'SMTP_ERROR', message: `SMTP error on ${where}: ${detail}` };
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

async function checkImap(target: ImapTarget, timeoutMs: number): Promise<AccountCheck> {
  const started = performance.now();
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: { user: target.user, pass: target.password },
    logger: false,
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
      message: `Logged in as ${target.user}; folder "${target.folder}" holds ${messages} message${messages === 1 ? '' : 's'} (UIDVALIDITY ${uidValidity}).`,
      ms: elapsed(started),
      messages,
      uidValidity,
    };
  } catch (err) {
    const classified = classifyImapError(err, target);
    return { ok: false, code: classified.code, message: classified.message, ms: elapsed(started) };
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
    ...(target.user ? { auth: { user: target.user, pass: target.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await within(timeoutMs, transport.verify());
    const login = target.user ? ` and logged in as ${target.user}` : ' (no login configured)';
    return { ok: true, code: 'OK', message: `Connected to ${target.host}:${target.port}${login}.`, ms: elapsed(started) };
  } catch (err) {
    return { ok: false, ...classifySmtpCheckError(err, target), ms: elapsed(started) };
  } finally {
    transport.close();
  }
}

/** The IMAP and SMTP account checks over the network, each given up after `timeoutMs`. */
export function createConnectionChecks(opts: { timeoutMs: number }): ConnectionChecks {
  return {
    imap: (target) => checkImap(target, opts.timeoutMs),
    smtp: (target) => checkSmtp(target, opts.timeoutMs),
  };
}
