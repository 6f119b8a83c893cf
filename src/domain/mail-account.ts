/** Where a mail account logs in: together these decide who receives its password. */
export interface AccountEndpoint {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
}

/** What a change to an account that keeps its stored password is told. */
export const PASSWORD_REQUIRED_WHEN_MOVED = 'required when the host, port, TLS mode or user changes';

/**
 * Whether `next` would log in somewhere other than `saved`, so a stored password must not go along.
 * Host names are compared without case (DNS ignores it); everything else exactly.
 */
export function endpointMoved(saved: AccountEndpoint, next: AccountEndpoint): boolean {
  return (
    saved.host.toLowerCase() !== next.host.toLowerCase() || saved.port !== next.port || saved.secure !== next.secure || (saved.user ?? null) !== (next.user ?? null)
  );
}

/**
 * Every way a connection test can fail, in words. A result carries one of these and never what the
 * server itself said: its banner or reply text is whatever the far end chose to send.
 */
export const CONNECTION_PROBLEMS = {
  refused: 'connection refused',
  hostNotFound: 'host not found',
  unreachable: 'host unreachable',
  timedOut: 'timed out',
  closed: 'the server closed the connection',
  tls: 'TLS handshake failed — check the TLS setting',
  expectsStartTls: 'this port expects STARTTLS, not TLS from the start — untick TLS',
  expectsTls: 'this port expects TLS from the start — tick TLS',
  certificate: 'the server’s TLS certificate is not trusted',
  certSelfSigned: 'the server’s TLS certificate is self-signed, so it is not trusted',
  certExpired: 'the server’s TLS certificate has expired',
  certHostname: 'the server’s TLS certificate is for another host name',
  login: 'the server rejected the user name or password',
  noLogin: 'the server offers no login',
  notImap: 'not an IMAP server',
  notSmtp: 'not an SMTP server',
  turnedAway: 'the server refused the connection',
  folderMissing: 'the folder does not exist',
  failed: 'the server answered with an error',
} as const;

/** One of the fixed connection problems. */
export type ConnectionProblem = keyof typeof CONNECTION_PROBLEMS;

const MAIL_ERROR_SUMMARIES: Record<string, string> = {
  IMAP_AUTH_FAILED: CONNECTION_PROBLEMS.login,
  IMAP_UNREACHABLE: 'the mail server cannot be reached',
  IMAP_FOLDER_MISSING: CONNECTION_PROBLEMS.folderMissing,
  SECRET_INVALID: 'the stored password cannot be decrypted',
  MAIL_RECONNECT_NEEDED: 'an admin must connect the mailbox again (reconnect needed)',
};

/**
 * What someone who may not see an inbox's account details is told about its poller's last error:
 * the stored message names the host and user and may quote the server.
 */
export function mailErrorSummary(code: string): string {
  return MAIL_ERROR_SUMMARIES[code] ?? 'the mail server answered with an error; an admin can see the details';
}

/** Ports where TLS starts with the first byte (RFC 8314 §3.3: IMAP 993, submission 465; POP3 995). */
const IMPLICIT_TLS_PORTS: ReadonlySet<number> = new Set([993, 465, 995]);
/** Ports where the connection starts in plain text and is upgraded with STARTTLS when offered (IMAP 143, submission 587, SMTP 25, POP3 110). */
const STARTTLS_PORTS: ReadonlySet<number> = new Set([143, 587, 25, 110]);

/**
 * The TLS mode a port calls for: `true` (TLS from the start, `secure`) on 993 and 465, `false`
 * (plain connection upgraded with STARTTLS when the server offers it) on 143, 587 and 25; TLS from
 * the start for any other port, the safer guess.
 */
export function proposedSecure(port: number): boolean {
  return !STARTTLS_PORTS.has(port);
}

/** How a TLS mode disagrees with the usual use of its port, if it does. */
export type TlsMismatch = 'expectsStartTls' | 'expectsTls';

/**
 * Whether `secure` goes against what `port` is known for: TLS from the start on a STARTTLS port
 * (`expectsStartTls`), or a plain connection on a TLS port (`expectsTls`); null when they agree or
 * the port is not a well-known one.
 */
export function tlsMismatch(port: number, secure: boolean): TlsMismatch | null {
  if (secure && STARTTLS_PORTS.has(port)) return 'expectsStartTls';
  if (!secure && IMPLICIT_TLS_PORTS.has(port)) return 'expectsTls';
  return null;
}
