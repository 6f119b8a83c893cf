import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { rawMail } from '../../helpers/mail.js';
import { freePort } from '../../helpers/process.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

const USER = 'check@example.test';
const SMTP_USER = 'relay-user';
const SMTP_PASSWORD = 'relay-password-42';

let dovecot: DovecotServer;
let openRelay: TestSmtp;
let authSmtp: SMTPServer;
let authSmtpPort: number;
const checks = createConnectionChecks({ timeoutMs: 5000 });

beforeAll(async () => {
  dovecot = await startDovecot([USER]);
  for (const n of [1, 2, 3]) await dovecot.append(USER, rawMail({ subject: `Hello ${n}`, messageId: `<check-${n}@example.test>` }));
  openRelay = await startSmtp();
  // A server that insists on a login, so a right and a wrong password can be told apart.
  authSmtp = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
  });
  await new Promise<void>((resolve) => authSmtp.listen(0, '127.0.0.1', () => resolve()));
  authSmtpPort = (authSmtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await dovecot.stop();
  await openRelay.close();
  await new Promise<void>((resolve) => authSmtp.close(() => resolve()));
});

const imapTarget = (overrides: Partial<Parameters<typeof checks.imap>[0]> = {}) => ({
  host: dovecot.host,
  port: dovecot.port,
  secure: false,
  user: USER,
  password: dovecot.password,
  folder: 'INBOX',
  ...overrides,
});

describe('IMAP connection check', () => {
  it('logs in, opens the folder read-only and reports its message count and UIDVALIDITY', async () => {
    const result = await checks.imap(imapTarget());
    expect(result).toMatchObject({ ok: true, code: 'OK', messages: 3 });
    expect(result.uidValidity).toMatch(/^\d+$/);
    expect(result.message).toContain('3 messages');
    expect(result.ms).toBeGreaterThanOrEqual(0);
    // EXAMINE, not SELECT: the check leaves the messages unseen and \Recent for the poller.
    const client = await dovecot.client(USER);
    try {
      const status = await client.status('INBOX', { unseen: true });
      expect(status).toMatchObject({ unseen: 3 });
    } finally {
      await client.logout();
    }
  });

  it('reports a wrong password as IMAP_AUTH_FAILED without repeating the password', async () => {
    const result = await checks.imap(imapTarget({ password: 'not-the-password' }));
    expect(result).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED', message: 'the server rejected the user name or password' });
    expect(result.message).not.toContain('not-the-password');
  });

  it('reports a missing folder as IMAP_FOLDER_MISSING', async () => {
    const result = await checks.imap(imapTarget({ folder: 'Archive-Nowhere' }));
    expect(result).toMatchObject({ ok: false, code: 'IMAP_FOLDER_MISSING' });
    expect(result.message).toContain('Archive-Nowhere');
  });

  it('reports a closed port as IMAP_UNREACHABLE', async () => {
    const port = await freePort();
    const result = await checks.imap(imapTarget({ port }));
    expect(result).toMatchObject({ ok: false, code: 'IMAP_UNREACHABLE', message: 'connection refused' });
  });

  it('gives up on a server that never greets, within its timeout', async () => {
    const silent = (await import('node:net')).createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const quick = createConnectionChecks({ timeoutMs: 500 });
      const result = await quick.imap(imapTarget({ port: (silent.address() as AddressInfo).port }));
      expect(result).toMatchObject({ ok: false, code: 'IMAP_UNREACHABLE', message: 'timed out' });
      expect(result.ms).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});

describe('SMTP connection check', () => {
  it('accepts a server without login', async () => {
    const result = await checks.smtp({ host: '127.0.0.1', port: openRelay.port, secure: false, user: null, password: null });
    expect(result).toMatchObject({ ok: true, code: 'OK', message: 'Connected (no login configured).' });
  });

  it('logs in with the right password', async () => {
    const result = await checks.smtp({ host: '127.0.0.1', port: authSmtpPort, secure: false, user: SMTP_USER, password: SMTP_PASSWORD });
    expect(result).toMatchObject({ ok: true, code: 'OK', message: 'Connected and logged in.' });
  });

  it('reports a refused login as SMTP_AUTH_FAILED', async () => {
    const result = await checks.smtp({ host: '127.0.0.1', port: authSmtpPort, secure: false, user: SMTP_USER, password: 'wrong-relay-password' });
    expect(result).toMatchObject({ ok: false, code: 'SMTP_AUTH_FAILED', message: 'the server rejected the user name or password' });
    expect(result.message).not.toContain('wrong-relay-password');
  });

  it('reports a refused connection as SMTP_UNREACHABLE', async () => {
    const port = await freePort();
    const result = await checks.smtp({ host: '127.0.0.1', port, secure: false, user: null, password: null });
    expect(result).toMatchObject({ ok: false, code: 'SMTP_UNREACHABLE', message: 'connection refused' });
  });
});
