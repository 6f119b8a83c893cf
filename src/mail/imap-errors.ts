import { AppError } from '../domain/errors.js';
import { CONNECTION_PROBLEMS, tlsMismatch } from '../domain/mail-account.js';

/** The fields imapflow (and the TLS layer under it) put on what they throw. */
export interface ImapFlowError {
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  message?: string;
  /** OpenSSL's library name, e.g. 'SSL routines' for a TLS mismatch. */
  library?: string;
}

/** Maps what imapflow and the socket throw to one of our codes, with a message an admin can act on. */
export function classifyImapError(err: unknown, ctx: { host: string; port: number; folder: string; secure?: boolean }): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as ImapFlowError;
  const detail = e.responseText || e.message || String(err);
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new AppError('IMAP_AUTH_FAILED', `IMAP login to ${ctx.host}:${ctx.port} failed: ${detail}`, { cause: err });
  }
  if (e.serverResponseCode === 'NONEXISTENT' || /doesn't exist|does not exist|unknown mailbox|no such mailbox/i.test(detail)) {
    return new AppError('IMAP_FOLDER_MISSING', `Folder "${ctx.folder}" does not exist on ${ctx.host}: ${detail}`, { cause: err });
  }
  if (e.code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|NoConnection|ETIMEOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT)$/.test(e.code)) {
    return new AppError('IMAP_UNREACHABLE', `Cannot reach IMAP server ${ctx.host}:${ctx.port}: ${e.code} ${detail}`.trim(), { cause: err });
  }
  // A TLS failure says first, in words, what to change (a TLS mode against the port's), then OpenSSL's own.
  if (e.library === 'SSL routines' || /^(ERR_SSL_|EPROTO$)/.test(e.code ?? '')) {
    const mismatch = ctx.secure === undefined ? null : tlsMismatch(ctx.port, ctx.secure);
    return new AppError('IMAP_ERROR', `IMAP error on ${ctx.host}:${ctx.port}: ${CONNECTION_PROBLEMS[mismatch ?? 'tls']} (${detail})`, { cause: err });
  }
  return new AppError('IMAP_ERROR', `IMAP error on ${ctx.host}:${ctx.port}: ${detail}`, { cause: err });
}
