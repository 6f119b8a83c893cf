import { describe, expect, it } from 'vitest';
import { CONNECTION_PROBLEMS } from '../../../src/domain/mail-account.js';
import { classifyImapCheckError, classifySmtpCheckError } from '../../../src/mail/connection-check.js';
import { classifyImapError } from '../../../src/mail/imap-errors.js';

/** A Node socket or TLS error as the libraries pass it on. */
const nodeError = (code: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });
const folder = { folder: 'INBOX' };

describe('classifyImapCheckError', () => {
  it('says a TLS handshake on a STARTTLS port is the wrong TLS mode, keeping OpenSSL’s words as the detail', () => {
    const err = nodeError('ERR_SSL_WRONG_VERSION_NUMBER', 'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', { library: 'SSL routines' });
    const result = classifyImapCheckError(err, { ...folder, port: 143, secure: true });
    expect(result).toEqual({ code: 'IMAP_ERROR', message: CONNECTION_PROBLEMS.expectsStartTls, detail: expect.stringContaining('wrong version number') });
    expect(result.message).toBe('this port expects STARTTLS, not TLS from the start — untick TLS');
  });

  it('says a greeting that never comes on a TLS port with TLS off is the wrong TLS mode', () => {
    expect(classifyImapCheckError(nodeError('ETIMEDOUT', 'no answer within 5000 ms'), { ...folder, port: 993, secure: false }).message).toBe(CONNECTION_PROBLEMS.expectsTls);
    // On a port with no usual mode, a timeout stays a timeout.
    expect(classifyImapCheckError(nodeError('ETIMEDOUT', 'no answer'), { ...folder, port: 2993, secure: false }).message).toBe(CONNECTION_PROBLEMS.timedOut);
  });

  it('tells the certificate problems apart', () => {
    const at = { ...folder, port: 993, secure: true };
    expect(classifyImapCheckError(nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), at).message).toBe(CONNECTION_PROBLEMS.certSelfSigned);
    expect(classifyImapCheckError(nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), at).message).toBe(CONNECTION_PROBLEMS.certSelfSigned);
    expect(classifyImapCheckError(nodeError('CERT_HAS_EXPIRED', 'certificate has expired'), at).message).toBe(CONNECTION_PROBLEMS.certExpired);
    expect(classifyImapCheckError(nodeError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), at).message).toBe(CONNECTION_PROBLEMS.certHostname);
    expect(classifyImapCheckError(nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), at)).toMatchObject({ code: 'IMAP_ERROR', message: CONNECTION_PROBLEMS.certificate });
  });

  it('words refused, not found and authentication failures', () => {
    const at = { ...folder, port: 993, secure: true };
    expect(classifyImapCheckError(nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:993'), at)).toMatchObject({ code: 'IMAP_UNREACHABLE', message: CONNECTION_PROBLEMS.refused });
    expect(classifyImapCheckError(nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND imap.nowhere.test'), at)).toMatchObject({ code: 'IMAP_UNREACHABLE', message: CONNECTION_PROBLEMS.hostNotFound });
    // A login failure carries no detail: the server's reply is its own text.
    expect(classifyImapCheckError(Object.assign(new Error('Command failed'), { authenticationFailed: true, responseText: 'server says no' }), at)).toEqual({ code: 'IMAP_AUTH_FAILED', message: CONNECTION_PROBLEMS.login });
  });
});

describe('classifySmtpCheckError', () => {
  it('says TLS on the STARTTLS submission port is the wrong TLS mode', () => {
    const err = { code: 'ESOCKET', message: 'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number' };
    expect(classifySmtpCheckError(err, { port: 587, secure: true })).toMatchObject({ code: 'SMTP_ERROR', message: CONNECTION_PROBLEMS.expectsStartTls, detail: expect.stringContaining('wrong version number') });
    // Without the port, as before: a TLS handshake failure.
    expect(classifySmtpCheckError(err).message).toBe(CONNECTION_PROBLEMS.tls);
  });

  it('words refused connections, timeouts and refused logins', () => {
    expect(classifySmtpCheckError({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:587' }, { port: 587, secure: false })).toMatchObject({ code: 'SMTP_UNREACHABLE', message: CONNECTION_PROBLEMS.refused });
    expect(classifySmtpCheckError({ code: 'ETIMEDOUT', message: 'Connection timeout' }, { port: 587, secure: false }).message).toBe(CONNECTION_PROBLEMS.timedOut);
    expect(classifySmtpCheckError({ code: 'EAUTH', responseCode: 535, message: 'Invalid login' })).toEqual({ code: 'SMTP_AUTH_FAILED', message: CONNECTION_PROBLEMS.login });
  });
});

describe('classifyImapError (the poller)', () => {
  const wrongVersion = () => nodeError('ERR_SSL_WRONG_VERSION_NUMBER', 'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', { library: 'SSL routines' });

  it('says first what to change when TLS is on for a STARTTLS port, keeping OpenSSL’s words after', () => {
    const err = classifyImapError(wrongVersion(), { host: 'imap.example.test', port: 143, folder: 'INBOX', secure: true });
    expect(err.code).toBe('IMAP_ERROR');
    expect(err.message).toBe(`IMAP error on imap.example.test:143: ${CONNECTION_PROBLEMS.expectsStartTls} (C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number)`);
  });

  it('says a TLS handshake failed when the mode suits the port', () => {
    const err = classifyImapError(wrongVersion(), { host: 'imap.example.test', port: 993, folder: 'INBOX', secure: true });
    expect(err.message).toContain(CONNECTION_PROBLEMS.tls);
  });
});
