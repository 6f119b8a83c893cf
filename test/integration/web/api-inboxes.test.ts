import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
const IMAP_PASSWORD = 'imap-Pa55word-that-must-never-leak';
const SMTP_PASSWORD = 'smtp-Pa55word-that-must-never-leak';

function inboxBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Support',
    address: 'Support@Example.COM',
    imap: { host: 'imap.example.com', port: 993, secure: true, user: 'support', password: IMAP_PASSWORD },
    smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'support', password: SMTP_PASSWORD },
    ...overrides,
  };
}

beforeAll(async () => {
  h = await startApi('api_inboxes');
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', role: 'agent' });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
});
afterAll(() => h.close());

describe('inboxes API', () => {
  let supportId: string;

  it('creates an inbox with sealed passwords that are never returned', async () => {
    const res = await call(h.base, 'POST', '/inboxes', { token: admin, body: inboxBody({ options: { markSeen: true, importSince: '2026-01-01' } }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Support',
      address: 'support@example.com',
      displayName: null,
      imap: { host: 'imap.example.com', port: 993, secure: true, user: 'support', folder: 'INBOX', hasPassword: true },
      smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'support', hasPassword: true },
      options: { markSeen: true, moveTo: null, importSince: '2026-01-01T00:00:00.000Z' },
      autoReply: { enabled: true, subject: null, template: null },
      status: { state: 'unknown' },
    });
    expect(res.body.createdAt).toEqual(expect.any(String));
    expect(res.text).not.toContain(IMAP_PASSWORD);
    expect(res.text).not.toContain(SMTP_PASSWORD);
    expect(res.text).not.toContain('passwordSealed');
    supportId = res.body.id;

    const stored = await h.connection.db!.collection('inboxes').findOne({ _id: new Types.ObjectId(supportId) });
    expect(JSON.stringify(stored)).not.toContain(IMAP_PASSWORD);
    expect(JSON.stringify(stored)).not.toContain(SMTP_PASSWORD);
    expect(h.secrets.open(stored!.imap.passwordSealed, `inbox:${supportId}:imap`)).toBe(IMAP_PASSWORD);
    expect(h.secrets.open(stored!.smtp.passwordSealed, `inbox:${supportId}:smtp`)).toBe(SMTP_PASSWORD);
    // Bound to its record and protocol: the IMAP ciphertext does not open as the SMTP one.
    expect(() => h.secrets.open(stored!.imap.passwordSealed, `inbox:${supportId}:smtp`)).toThrow();
    expect(h.logs()).not.toContain(IMAP_PASSWORD);
    expect(h.logs()).not.toContain(SMTP_PASSWORD);
  });

  it('refuses a second inbox with the same address, in any case', async () => {
    const res = await call(h.base, 'POST', '/inboxes', { token: admin, body: inboxBody({ address: 'SUPPORT@example.com', name: 'Dup' }) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.message).toContain('support@example.com');
  });

  it('names every invalid field', async () => {
    const body = inboxBody({ address: 'not an address', imap: { port: 99999, secure: 'yes', user: 'u', password: 'p' }, surprise: 1 });
    const res = await call(h.base, 'POST', '/inboxes', { token: admin, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['address', 'imap.host', 'imap.port', 'imap.secure', 'surprise']));
    expect(res.body.error.details.issues).toContainEqual({ path: 'imap.host', message: 'is required' });
    for (const field of ['address', 'imap.host', 'imap.port', 'imap.secure', 'surprise']) expect(res.body.error.message).toContain(field);
    expect(await h.models.Inbox.countDocuments()).toBe(1);

    const empty = await call(h.base, 'POST', '/inboxes', { token: admin });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Inbox is missing: send a JSON object' });
  });

  it('is admin-only for writes: 403 for an agent', async () => {
    const res = await call(h.base, 'POST', '/inboxes', { token: agent, body: inboxBody({ address: 'agent-made@example.com' }) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    const patch = await call(h.base, 'PATCH', `/inboxes/${supportId}`, { token: agent, body: { name: 'Hijacked' } });
    expect(patch.status).toBe(403);
    expect(await h.models.Inbox.countDocuments({ address: 'agent-made@example.com' })).toBe(0);
  });

  it('lists what the caller may see, with the poller status', async () => {
    const sales = await call(h.base, 'POST', '/inboxes', { token: admin, body: inboxBody({ name: 'Sales', address: 'sales@example.com' }) });
    expect(sales.status).toBe(201);
    await h.models.InboxStatus.create({
      _id: new Types.ObjectId(supportId),
      state: 'idle',
      lastSyncAt: new Date('2026-02-01T10:00:00Z'),
      behind: 3,
      lastError: { code: 'IMAP_AUTH', message: 'bad login', at: new Date('2026-02-01T09:00:00Z') },
    });
    const all = await call(h.base, 'GET', '/inboxes', { token: admin });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { name: string }) => i.name)).toEqual(['Sales', 'Support']);
    expect(all.body.items[1].status).toEqual({
      state: 'idle',
      lastSyncAt: '2026-02-01T10:00:00.000Z',
      behind: 3,
      backlog: null,
      lastError: { code: 'IMAP_AUTH', message: 'bad login', at: '2026-02-01T09:00:00.000Z' },
      nextAttemptAt: null,
    });
    expect(all.body.items[0].status).toEqual({ state: 'unknown' });
    expect(all.text).not.toContain(IMAP_PASSWORD);

    expect((await call(h.base, 'GET', '/inboxes', { token: agent })).body.items).toEqual([]);
    await h.models.User.updateOne({ email: 'agent@example.com' }, { $set: { inboxIds: [new Types.ObjectId(sales.body.id)] } });
    const mine = await call(h.base, 'GET', '/inboxes', { token: agent });
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([sales.body.id]);
    expect((await call(h.base, 'GET', `/inboxes/${sales.body.id}`, { token: agent })).status).toBe(200);
  });

  it('answers 404 for an inbox that is not the caller’s, does not exist, or has a malformed id', async () => {
    const hidden = await call(h.base, 'GET', `/inboxes/${supportId}`, { token: agent });
    const missing = await call(h.base, 'GET', `/inboxes/${new Types.ObjectId().toHexString()}`, { token: agent });
    const malformed = await call(h.base, 'GET', '/inboxes/not-an-id', { token: admin });
    for (const res of [hidden, missing, malformed]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Inbox not found' } });
    }
    expect((await call(h.base, 'PATCH', `/inboxes/${new Types.ObjectId().toHexString()}`, { token: admin, body: { name: 'x' } })).status).toBe(404);
    expect((await call(h.base, 'PATCH', '/inboxes/zzz', { token: admin, body: { name: 'x' } })).status).toBe(404);
  });

  it('updates only the fields given and keeps a password unless a new one is given', async () => {
    const before = await h.models.Inbox.findById(supportId).lean();
    const res = await call(h.base, 'PATCH', `/inboxes/${supportId}`, {
      token: admin,
      body: { name: 'Customer Support', imap: { folder: 'Support' }, autoReply: { enabled: false }, options: { moveTo: 'Done' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Customer Support',
      address: 'support@example.com',
      imap: { host: 'imap.example.com', port: 993, secure: true, user: 'support', folder: 'Support', hasPassword: true },
      autoReply: { enabled: false },
      options: { markSeen: true, moveTo: 'Done' },
      status: { state: 'idle' },
    });
    const after = await h.models.Inbox.findById(supportId).lean();
    expect(after!.imap.passwordSealed).toBe(before!.imap.passwordSealed);
    expect(after!.smtp.passwordSealed).toBe(before!.smtp.passwordSealed);

    const newPassword = 'a-brand-new-imap-secret';
    const changed = await call(h.base, 'PATCH', `/inboxes/${supportId}`, { token: admin, body: { imap: { password: newPassword }, smtp: { password: null } } });
    expect(changed.status).toBe(200);
    expect(changed.text).not.toContain(newPassword);
    expect(changed.body.smtp.hasPassword).toBe(false);
    const resealed = await h.models.Inbox.findById(supportId).lean();
    expect(h.secrets.open(resealed!.imap.passwordSealed!, `inbox:${supportId}:imap`)).toBe(newPassword);
    expect(resealed!.smtp.passwordSealed).toBeNull();
    expect(h.logs()).not.toContain(newPassword);
  });

  it('validates updates and refuses taking another inbox’s address', async () => {
    const bad = await call(h.base, 'PATCH', `/inboxes/${supportId}`, { token: admin, body: { smtp: { port: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues).toEqual([expect.objectContaining({ path: 'smtp.port' })]);
    const taken = await call(h.base, 'PATCH', `/inboxes/${supportId}`, { token: admin, body: { address: 'Sales@example.com' } });
    expect(taken.status).toBe(409);
  });
});
