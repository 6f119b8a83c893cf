import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { startRecordingImap, startRecordingSmtp, type RecordingMailServer } from '../../helpers/recording-mail-server.js';

const IMAP_PASSWORD = 'stored-imap-Secret-for-the-saved-host';
const SMTP_PASSWORD = 'stored-smtp-Secret-for-the-saved-host';
const IMAP_USER = 'desk-login-user';
const SMTP_USER = 'relay-login-user';
// Never resolves (RFC 6761), so a check against the saved host reaches nobody.
const SAVED_IMAP_HOST = 'imap.saved.invalid';
const SAVED_SMTP_HOST = 'smtp.saved.invalid';
const REQUIRED = 'required when the host, port, TLS mode or user changes';

let db: Awaited<ReturnType<typeof openTestDb>>;
let app: Awaited<ReturnType<typeof serve>>;
let base: string;
let imap: RecordingMailServer;
let smtp: RecordingMailServer;
let admin: string;
let manager: string;
let agent: string;
let inboxId: string;

beforeAll(async () => {
  [db, imap, smtp] = await Promise.all([openTestDb('api_inbox_credentials'), startRecordingImap(), startRecordingSmtp()]);
  app = await serve(
    createApp({
      logger: testLogger,
      health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
      api: {
        stores: db.stores, passwords: TEST_PASSWORDS,
        secrets: createSecretBox(TEST_SECRET_KEY),
        blobs: createBlobStore(db.connection.db!),
        now: () => new Date(),
        connectionChecks: createConnectionChecks({ timeoutMs: 2000 }),
      },
    }),
  );
  base = `${app.base}/api/v1`;
  await createUser(db.models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin' });
  admin = await login(base, 'admin@example.test', 'admin password 123');
  const created = await call(base, 'POST', '/inboxes', {
    token: admin,
    body: {
      name: 'Desk',
      address: 'desk@example.test',
      // The saved ports are those of the recording servers: a changed host alone would reach them.
      imap: { host: SAVED_IMAP_HOST, port: imap.port, secure: false, user: IMAP_USER, password: IMAP_PASSWORD },
      smtp: { host: SAVED_SMTP_HOST, port: smtp.port, secure: false, user: SMTP_USER, password: SMTP_PASSWORD },
    },
  });
  expect(created.status).toBe(201);
  inboxId = created.body.id;
  const own = [new Types.ObjectId(inboxId)];
  await createUser(db.models, { email: 'manager@example.test', password: 'manager password 123', role: 'manager', inboxIds: own });
  await createUser(db.models, { email: 'agent@example.test', password: 'agent password 123', inboxIds: own });
  manager = await login(base, 'manager@example.test', 'manager password 123');
  agent = await login(base, 'agent@example.test', 'agent password 123');
});
afterAll(async () => {
  await app.close();
  await Promise.all([db.drop(), imap.close(), smtp.close()]);
});

const heardStored = () => [imap.heard(), smtp.heard()].some((h) => h.includes(IMAP_PASSWORD) || h.includes(SMTP_PASSWORD));
const testConnection = (body?: unknown) => call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: admin, body });
const issuesOf = (res: { body: { error: { details: { issues: unknown[] } } } }) => res.body.error.details.issues;

describe('stored credentials stay with their saved host', () => {
  it('test-connection with only a changed IMAP host sends no stored password (regression: the stored password went to any host)', async () => {
    const res = await testConnection({ imap: { host: '127.0.0.1' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(issuesOf(res)).toContainEqual({ path: 'imap.password', message: REQUIRED });
    expect(res.body.error.message).toContain(`imap.password: ${REQUIRED}`);
    expect(heardStored()).toBe(false);
  });

  it('test-connection with only a changed SMTP host sends no stored password', async () => {
    const res = await testConnection({ smtp: { host: '127.0.0.1' } });
    expect(res.status).toBe(400);
    expect(issuesOf(res)).toContainEqual({ path: 'smtp.password', message: REQUIRED });
    expect(heardStored()).toBe(false);
  });

  it('asks for the password again when the port, the TLS mode or the user changes, for each account', async () => {
    const changes = [
      { imap: { port: imap.port + 1 } },
      { imap: { secure: true } },
      { imap: { user: 'someone-else' } },
      { smtp: { port: smtp.port + 1 } },
      { smtp: { secure: true } },
      { smtp: { user: 'someone-else' } },
    ];
    for (const change of changes) {
      const res = await testConnection(change);
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(issuesOf(res)).toEqual([{ path: `${Object.keys(change)[0]}.password`, message: REQUIRED }]);
    }
    expect(heardStored()).toBe(false);
  });

  it('sends a password typed with the changed host, never the stored one', async () => {
    const res = await testConnection({ imap: { host: '127.0.0.1', password: 'typed-imap-password' }, smtp: { host: '127.0.0.1', password: 'typed-smtp-password' } });
    expect(res.status).toBe(200);
    expect(res.body.imap).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED', message: 'the server rejected the user name or password' });
    expect(res.body.smtp).toMatchObject({ ok: false, code: 'SMTP_AUTH_FAILED', message: 'the server rejected the user name or password' });
    expect(imap.heard()).toContain('typed-imap-password');
    expect(smtp.heard()).toContain('typed-smtp-password');
    expect(heardStored()).toBe(false);
  });

  it('keeps the stored password for the saved host when only the folder changes', async () => {
    const res = await testConnection({ imap: { folder: 'Archive' }, smtp: { host: SAVED_SMTP_HOST.toUpperCase() } });
    expect(res.status).toBe(200);
    expect(res.body.imap).toMatchObject({ ok: false, code: 'IMAP_UNREACHABLE', message: 'host not found' });
    expect(res.body.smtp).toMatchObject({ ok: false, code: 'SMTP_UNREACHABLE', message: 'host not found' });
    expect(heardStored()).toBe(false);
  });

  it('PATCH with only a changed host is refused, so the saved host keeps the password (regression)', async () => {
    const res = await call(base, 'PATCH', `/inboxes/${inboxId}`, { token: admin, body: { imap: { host: '127.0.0.1' }, smtp: { host: '127.0.0.1' } } });
    expect(res.status).toBe(400);
    expect(issuesOf(res)).toEqual(
      expect.arrayContaining([
        { path: 'imap.password', message: REQUIRED },
        { path: 'smtp.password', message: REQUIRED },
      ]),
    );
    const stored = await db.models.Inbox.findById(inboxId).lean();
    expect(stored!.imap.host).toBe(SAVED_IMAP_HOST);
    expect(stored!.smtp.host).toBe(SAVED_SMTP_HOST);
    // The stored settings are what the poller and a plain test use: they must still point at the saved host.
    expect((await testConnection()).status).toBe(200);
    expect(heardStored()).toBe(false);

    for (const body of [{ imap: { port: 2 } }, { imap: { user: 'other' } }, { smtp: { secure: true } }]) {
      expect((await call(base, 'PATCH', `/inboxes/${inboxId}`, { token: admin, body })).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('PATCH accepts a changed host with a new password, or with the SMTP password removed', async () => {
    const before = await db.models.Inbox.findById(inboxId).lean();
    const unchanged = await call(base, 'PATCH', `/inboxes/${inboxId}`, { token: admin, body: { imap: { host: SAVED_IMAP_HOST, port: imap.port, secure: false, user: IMAP_USER, folder: 'INBOX' } } });
    expect(unchanged.status).toBe(200);
    expect((await db.models.Inbox.findById(inboxId).lean())!.imap.passwordSealed).toBe(before!.imap.passwordSealed);

    const moved = await call(base, 'PATCH', `/inboxes/${inboxId}`, { token: admin, body: { imap: { host: 'imap.moved.invalid', password: 'new-imap-password' }, smtp: { host: 'smtp.moved.invalid', password: null } } });
    expect(moved.status).toBe(200);
    expect(moved.body.imap).toMatchObject({ host: 'imap.moved.invalid', hasPassword: true });
    expect(moved.body.smtp).toMatchObject({ host: 'smtp.moved.invalid', hasPassword: false });
  });
});

describe('connection test results are worded, never the server’s own text', () => {
  let hostile: RecordingMailServer[] = [];
  afterAll(() => Promise.all(hostile.map((s) => s.close())));

  it('does not echo a hostile banner or login response (regression)', async () => {
    const evilImap = await startRecordingImap({ greeting: '* OK <script>EVIL-IMAP-BANNER</script>\r\n', loginReply: 'NO [AUTHENTICATIONFAILED] EVIL-IMAP-RESPONSE <img src=x>' });
    const evilSmtp = await startRecordingSmtp({ greeting: '554 EVIL-SMTP-BANNER <script>alert(1)</script>\r\n' });
    const notImap = await startRecordingSmtp({ greeting: 'SSH-2.0-EVIL-SSH-BANNER\r\n' });
    hostile = [evilImap, evilSmtp, notImap];

    const res = await testConnection({
      imap: { host: '127.0.0.1', port: evilImap.port, password: 'typed-imap-password' },
      smtp: { host: '127.0.0.1', port: evilSmtp.port, password: 'typed-smtp-password' },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('EVIL');
    expect(res.body.imap).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED', message: 'the server rejected the user name or password' });
    expect(res.body.smtp).toMatchObject({ ok: false, code: 'SMTP_ERROR', message: 'the server refused the connection' });

    // An SMTP check against an IMAP server, and an IMAP check against something else entirely.
    const crossed = await testConnection({
      imap: { host: '127.0.0.1', port: notImap.port, password: 'typed-imap-password' },
      smtp: { host: '127.0.0.1', port: evilImap.port, password: 'typed-smtp-password' },
    });
    expect(crossed.status).toBe(200);
    expect(crossed.text).not.toContain('EVIL');
    expect(crossed.body.smtp).toMatchObject({ ok: false, code: 'SMTP_ERROR', message: 'not an SMTP server' });
    expect(crossed.body.imap).toMatchObject({ ok: false, code: 'IMAP_ERROR', message: 'not an IMAP server' });
  });
});

describe('account details by role', () => {
  it('shows IMAP and SMTP hosts and user names to admins only (regression: agents saw them)', async () => {
    await db.models.InboxStatus.create({
      _id: new Types.ObjectId(inboxId),
      state: 'backoff',
      lastError: { code: 'IMAP_AUTH_FAILED', message: `IMAP login to imap.moved.invalid:${imap.port} failed: EVIL-TEXT`, at: new Date() },
    });
    for (const token of [agent, manager]) {
      const list = await call(base, 'GET', '/inboxes', { token });
      const one = await call(base, 'GET', `/inboxes/${inboxId}`, { token });
      for (const res of [list, one]) {
        expect(res.status).toBe(200);
        for (const hidden of ['moved.invalid', IMAP_USER, SMTP_USER, 'EVIL']) expect(res.text).not.toContain(hidden);
      }
      expect(list.body.items[0].imap).toEqual({ port: imap.port, secure: false, folder: 'INBOX', hasPassword: true });
      expect(one.body.smtp).toEqual({ port: smtp.port, secure: false, hasPassword: false });
      expect(one.body.status.lastError).toMatchObject({ code: 'IMAP_AUTH_FAILED', message: 'the server rejected the user name or password' });
    }
    const byAdmin = await call(base, 'GET', `/inboxes/${inboxId}`, { token: admin });
    expect(byAdmin.body.imap).toMatchObject({ host: 'imap.moved.invalid', user: IMAP_USER });
    expect(byAdmin.body.smtp).toMatchObject({ host: 'smtp.moved.invalid', user: SMTP_USER });
    expect(byAdmin.body.status.lastError.message).toContain('imap.moved.invalid');
  });
});
