import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb } from '../../helpers/db.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { rawMail } from '../../helpers/mail.js';
import { freePort } from '../../helpers/process.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

const MAILBOX = 'desk@example.test';
let db: Awaited<ReturnType<typeof openTestDb>>;
let server: Server;
let base: string;
let dovecot: DovecotServer;
let smtp: TestSmtp;
const logs: string[] = [];
let admin: string;
let manager: string;
let otherManager: string;
let agent: string;
let inboxId: string;

beforeAll(async () => {
  [dovecot, smtp, db] = await Promise.all([startDovecot([MAILBOX]), startSmtp(), openTestDb('api_inbox_settings')]);
  await dovecot.append(MAILBOX, rawMail({ subject: 'One', messageId: '<one@example.test>' }));
  await dovecot.append(MAILBOX, rawMail({ subject: 'Two', messageId: '<two@example.test>' }));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = createApp({
    logger: pino({ level: 'debug' }, sink),
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: {
      stores: db.stores, passwords: TEST_PASSWORDS,
      secrets: createSecretBox(TEST_SECRET_KEY),
      blobs: createBlobStore(db.connection.db!),
      now: () => new Date(),
      connectionChecks: createConnectionChecks({ timeoutMs: 5000 }),
    },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

  await createUser(db.models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin' });
  admin = await login(base, 'admin@example.test', 'admin password 123');
  const created = await call(base, 'POST', '/inboxes', {
    token: admin,
    body: {
      name: 'Desk',
      address: MAILBOX,
      imap: { host: dovecot.host, port: dovecot.port, secure: false, user: MAILBOX, password: dovecot.password },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
    },
  });
  expect(created.status).toBe(201);
  // Tested on creation, as the settings page tests a new inbox: it connects, so it stays enabled.
  expect(created.body.disabled).toBeNull();
  expect(created.body.connectionTest.imap).toMatchObject({ ok: true, code: 'OK', messages: 2 });
  expect(created.body.connectionTest.smtp).toMatchObject({ ok: true, code: 'OK' });
  inboxId = created.body.id;
  const own = [new Types.ObjectId(inboxId)];
  await createUser(db.models, { email: 'manager@example.test', password: 'manager password 123', role: 'manager', inboxIds: own });
  await createUser(db.models, { email: 'other@example.test', password: 'other password 123', role: 'manager', inboxIds: [new Types.ObjectId()] });
  await createUser(db.models, { email: 'agent@example.test', password: 'agent password 123', inboxIds: own });
  [manager, otherManager, agent] = await Promise.all([
    login(base, 'manager@example.test', 'manager password 123'),
    login(base, 'other@example.test', 'other password 123'),
    login(base, 'agent@example.test', 'agent password 123'),
  ]);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([db.drop(), dovecot.stop(), smtp.close()]);
});

describe('POST /inboxes/:id/test-connection', () => {
  it('logs in to the stored IMAP and SMTP accounts and reports each', async () => {
    const res = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.imap).toMatchObject({ ok: true, code: 'OK', messages: 2, uidValidity: expect.stringMatching(/^\d+$/) });
    expect(res.body.imap.ms).toEqual(expect.any(Number));
    expect(res.body.smtp).toMatchObject({ ok: true, code: 'OK' });
    expect(res.text).not.toContain(dovecot.password);
    expect(logs.join('')).toContain('inbox connection tested');
    expect(logs.join('')).not.toContain(dovecot.password);
  });

  it('tests unsaved values without saving them; an omitted password means the stored one', async () => {
    const folder = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: admin, body: { imap: { folder: 'Archive' } } });
    expect(folder.status).toBe(200);
    expect(folder.body.imap).toMatchObject({ ok: false, code: 'IMAP_FOLDER_MISSING' });
    const wrong = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: admin, body: { imap: { password: 'a-wrong-guess' }, smtp: { port: 1 } } });
    expect(wrong.body.imap).toMatchObject({ ok: false, code: 'IMAP_AUTH_FAILED' });
    expect(wrong.body.smtp).toMatchObject({ ok: false, code: 'SMTP_UNREACHABLE' });
    expect(wrong.text).not.toContain('a-wrong-guess');
    const stored = await call(base, 'GET', `/inboxes/${inboxId}`, { token: admin });
    expect(stored.body.imap).toMatchObject({ folder: 'INBOX', hasPassword: true });
    expect(stored.body.smtp.port).toBe(smtp.port);
  });

  it('names invalid unsaved values', async () => {
    const res = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: admin, body: { imap: { port: 'imap' }, ftp: {} } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['imap.port', 'ftp']));
  });

  it('lets a manager of the inbox test what is stored, but not other values', async () => {
    const res = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: manager });
    expect(res.status).toBe(200);
    expect(res.body.imap.ok).toBe(true);
    const changed = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: manager, body: { imap: { host: 'imap.elsewhere.test' } } });
    expect(changed.status).toBe(403);
  });

  it('hides the inbox from other managers and refuses agents', async () => {
    expect((await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: otherManager })).status).toBe(404);
    const byAgent = await call(base, 'POST', `/inboxes/${inboxId}/test-connection`, { token: agent });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('FORBIDDEN');
    expect((await call(base, 'POST', `/inboxes/${new Types.ObjectId().toHexString()}/test-connection`, { token: admin })).status).toBe(404);
    expect((await call(base, 'POST', `/inboxes/${inboxId}/test-connection`)).status).toBe(401);
  });
});

describe('POST /inboxes runs the connection test', () => {
  const failing = async (address: string, port: number, headers?: Record<string, string>) =>
    call(base, 'POST', '/inboxes', {
      token: admin,
      headers,
      body: {
        name: address,
        address,
        imap: { host: '127.0.0.1', port, secure: false, user: address, password: 'imap-secret-create' },
        smtp: { host: '127.0.0.1', port, secure: false },
      },
    });

  it('saves an inbox that cannot connect disabled, saying why in words, and polls nothing', async () => {
    const closed = await freePort();
    const res = await failing('closed@example.test', closed);
    expect(res.status).toBe(201);
    expect(res.body.disabled).toMatchObject({ reason: 'connection-test', detail: 'IMAP (reading mail): connection refused. SMTP (sending mail): connection refused.' });
    expect(res.body.connectionTest.imap).toMatchObject({ ok: false, code: 'IMAP_UNREACHABLE', message: 'connection refused' });
    expect(res.body.connectionTest.smtp).toMatchObject({ ok: false, code: 'SMTP_UNREACHABLE', message: 'connection refused' });
    expect(res.text).not.toContain('imap-secret-create');
    // What is stored says the same: the poller skips a disabled inbox.
    const stored = await call(base, 'GET', `/inboxes/${res.body.id}`, { token: admin });
    expect(stored.body.disabled).toMatchObject({ reason: 'connection-test', detail: res.body.disabled.detail });
  });

  it('words the failure in the caller\'s language', async () => {
    const res = await failing('ferme@example.test', await freePort(), { 'accept-language': 'fr' });
    expect(res.status).toBe(201);
    expect(res.body.disabled.detail).toBe('IMAP (réception du courrier)\u00a0: connexion refusée. SMTP (envoi du courrier)\u00a0: connexion refusée.');
    // Codes and the test's own words stay the same in every language.
    expect(res.body.connectionTest.imap.code).toBe('IMAP_UNREACHABLE');
  });

  it('refuses invalid input before testing anything, and non-admins', async () => {
    const invalid = await call(base, 'POST', '/inboxes', { token: admin, body: { name: 'No accounts', address: 'none@example.test' } });
    expect(invalid.status).toBe(400);
    expect((await call(base, 'POST', '/inboxes', { token: manager, body: {} })).status).toBe(403);
  });
});
