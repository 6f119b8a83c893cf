import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealInboxPassword } from '../../../src/services/inboxes/inbox-secrets.js';
import { createUser } from '../../helpers/api.js';
import { startRecordingImap, type RecordingMailServer } from '../../helpers/recording-mail-server.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let imap: RecordingMailServer;
const IMAP_PASSWORD = 'stored-page-imap-Secret';
const SMTP_PASSWORD = 'stored-page-smtp-Secret';
const SAVED_IMAP_HOST = 'imap.saved-for-pages.invalid';
const SAVED_SMTP_HOST = 'smtp.saved-for-pages.invalid';
const IMAP_USER = 'pages-imap-login';
const SMTP_USER = 'pages-smtp-login';
const inboxId = new Types.ObjectId();

/** The stored settings as the admin's form posts them, with the given fields changed. */
const form = (overrides: Record<string, string>) => ({
  name: 'Desk',
  address: 'desk@example.test',
  imap_host: SAVED_IMAP_HOST,
  imap_port: String(imap.port),
  imap_user: IMAP_USER,
  imap_password: '',
  imap_folder: 'INBOX',
  smtp_host: SAVED_SMTP_HOST,
  smtp_port: '2525',
  smtp_user: SMTP_USER,
  smtp_password: '',
  ...overrides,
});

beforeAll(async () => {
  [h, imap] = await Promise.all([startPages(null), startRecordingImap()]);
  await h.models.Inbox.create({
    _id: inboxId,
    name: 'Desk',
    address: 'desk@example.test',
    imap: { host: SAVED_IMAP_HOST, port: imap.port, secure: false, user: IMAP_USER, folder: 'INBOX', passwordSealed: sealInboxPassword(h.secrets, inboxId, 'imap', IMAP_PASSWORD) },
    smtp: { host: SAVED_SMTP_HOST, port: 2525, secure: false, user: SMTP_USER, passwordSealed: sealInboxPassword(h.secrets, inboxId, 'smtp', SMTP_PASSWORD) },
    options: {},
  });
  await h.models.InboxStatus.create({
    _id: inboxId,
    state: 'backoff',
    lastError: { code: 'IMAP_AUTH_FAILED', message: `IMAP login to ${SAVED_IMAP_HOST}:993 failed: as ${IMAP_USER}`, at: new Date() },
  });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin' });
  await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [inboxId] });
  await createUser(h.models, { email: 'gus@example.test', password: 'gus password 123', inboxIds: [inboxId] });
});
afterAll(async () => {
  await Promise.all([h.close(), imap.close()]);
});

describe('inbox settings page: stored passwords stay with their saved host', () => {
  it('asks for the IMAP password again when an admin tests a changed host, and sends nothing (regression)', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const path = `/settings/inboxes/${inboxId.toHexString()}`;
    const csrf = Client.csrf((await c.get(path)).text);
    const res = await c.post(path, { _csrf: csrf, ...form({ imap_host: '127.0.0.1', action: 'test' }) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('IMAP password: required when the host, port, TLS mode or user changes');
    expect(res.text).toContain('value="127.0.0.1"');
    expect(imap.heard()).not.toContain(IMAP_PASSWORD);

    const saved = await c.post(path, { _csrf: csrf, ...form({ imap_host: '127.0.0.1', smtp_port: '2526', action: 'save' }) });
    expect(saved.status).toBe(400);
    expect(saved.text).toContain('SMTP password: required when the host, port, TLS mode or user changes');
    const stored = await h.models.Inbox.findById(inboxId).lean();
    expect(stored!.imap.host).toBe(SAVED_IMAP_HOST);
    expect(stored!.smtp.port).toBe(2525);
    expect(imap.connections()).toBe(0);
  });

  it('hides hosts and user names from a manager, on the form and in the poller error', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    for (const path of [`/settings/inboxes/${inboxId.toHexString()}`, '/settings/inboxes', '/']) {
      const page = await c.get(path);
      expect(page.status, path).toBe(200);
      for (const hidden of ['saved-for-pages', IMAP_USER, SMTP_USER]) expect(page.text, path).not.toContain(hidden);
    }
  });

  it('hides them from an agent on the inbox overview', async () => {
    const c = await Client.signedIn(h.base, 'gus@example.test', 'gus password 123');
    const page = await c.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Desk');
    expect(page.text).toContain('the server rejected the user name or password');
    for (const hidden of ['saved-for-pages', IMAP_USER]) expect(page.text).not.toContain(hidden);
  });
});
