import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../../src/services/access.js';
import { createPersonalApiToken } from '../../../src/services/auth/create-personal-api-token.js';
import { updateUser } from '../../../src/services/users/update-user.js';
import { testLogger } from '../../helpers/db.js';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
let adminId: string;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();

beforeAll(async () => {
  h = await startApi('api_users');
  await h.models.Inbox.create([
    { _id: inboxA, name: 'Alpha', address: 'alpha@example.com', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} },
    { _id: inboxB, name: 'Beta', address: 'beta@example.com', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} },
  ]);
  adminId = (await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' }))._id.toHexString();
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123' });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
});
afterAll(() => h.close());

describe('users API', () => {
  let carolId: string;

  it('lets an admin create a user; the answer and the list never carry the password hash', async () => {
    const res = await call(h.base, 'POST', '/users', {
      token: admin,
      body: { email: ' Carol@Example.COM ', name: 'Carol', password: 'carol password 123', role: 'agent', inboxIds: [inboxA.toHexString()] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      email: 'carol@example.com',
      name: 'Carol',
      role: 'agent',
      inboxIds: [inboxA.toHexString()],
      disabled: false,
      away: false,
      awaySince: null,
      kbEditor: false,
      lastLoginAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      // This harness sets up no mail.
      invitationEmailed: false,
    });
    carolId = res.body.id;
    const list = await call(h.base, 'GET', '/users', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: { email: string }) => u.email)).toEqual(['admin@example.com', 'agent@example.com', 'carol@example.com']);
    expect(list.text).not.toMatch(/passwordHash|argon2/);
    expect((await call(h.base, 'GET', `/users/${carolId}`, { token: admin })).body.email).toBe('carol@example.com');
    // The new user can sign in with the password the admin set, and sees only inbox A.
    const carol = await login(h.base, 'carol@example.com', 'carol password 123');
    expect((await call(h.base, 'GET', '/me', { token: carol })).body.inboxIds).toEqual([inboxA.toHexString()]);
  });

  it('refuses non-admins with 403', async () => {
    for (const [method, path, body] of [
      ['GET', '/users', undefined],
      ['POST', '/users', { email: 'x@example.com', password: 'x password 123', role: 'admin' }],
      ['GET', `/users/${adminId}`, undefined],
      ['PATCH', `/users/${adminId}`, { disabled: true }],
      ['POST', `/users/${adminId}/password-link`, undefined],
    ] as const) {
      const res = await call(h.base, method, path, { token: agent, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(await h.models.User.countDocuments({ email: 'x@example.com' })).toBe(0);
  });

  it('names every invalid field with 400', async () => {
    const res = await call(h.base, 'POST', '/users', { token: admin, body: { email: 'not an email', password: 'short', role: 'boss', extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['email', 'extra', 'password', 'role']);
    expect(res.body.error.message).toContain('password: must be at least 12 characters');
    const unknownInbox = await call(h.base, 'POST', '/users', {
      token: admin,
      body: { email: 'dan@example.com', password: 'dan password 123', role: 'agent', inboxIds: [new Types.ObjectId().toHexString()] },
    });
    expect(unknownInbox.status).toBe(400);
    expect(unknownInbox.body.error.details.issues).toEqual([{ path: 'inboxIds', message: 'names an inbox that does not exist' }]);
    const badPatch = await call(h.base, 'PATCH', `/users/${carolId}`, { token: admin, body: { role: 'owner' } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.details.issues).toEqual([expect.objectContaining({ path: 'role' })]);
  });

  it('refuses a duplicate email with 409, whatever its case', async () => {
    const res = await call(h.base, 'POST', '/users', { token: admin, body: { email: 'CAROL@example.com', password: 'another password', role: 'manager' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(await h.models.User.countDocuments({ email: 'carol@example.com' })).toBe(1);
  });

  it('patches role, name and membership; unknown users are 404', async () => {
    const res = await call(h.base, 'PATCH', `/users/${carolId}`, { token: admin, body: { role: 'manager', name: 'Carol C.', inboxIds: [inboxB.toHexString()] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'manager', name: 'Carol C.', inboxIds: [inboxB.toHexString()], disabled: false });
    const carol = await login(h.base, 'carol@example.com', 'carol password 123');
    expect((await call(h.base, 'GET', '/me', { token: carol })).body).toMatchObject({ role: 'manager', inboxIds: [inboxB.toHexString()] });
    expect((await call(h.base, 'PATCH', `/users/${new Types.ObjectId().toHexString()}`, { token: admin, body: { name: 'x' } })).status).toBe(404);
    expect((await call(h.base, 'GET', '/users/nope', { token: admin })).status).toBe(404);
  });

  it('never demotes or disables the last active admin, and an admin never demotes themself', async () => {
    const last = await call(h.base, 'PATCH', `/users/${adminId}`, { token: admin, body: { role: 'agent' } });
    expect(last.status).toBe(409);
    expect(last.body.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'last-admin' } });
    expect((await call(h.base, 'PATCH', `/users/${adminId}`, { token: admin, body: { disabled: true } })).status).toBe(409);
    // The operator (CLI) is bound by the same rule.
    await expect(updateUser({ ...h.stores, logger: testLogger }, OPERATOR, adminId, { disabled: true })).rejects.toMatchObject({ code: 'CONFLICT' });

    // With a second admin, demoting oneself is still refused, but the other admin may do it.
    const second = await call(h.base, 'POST', '/users', { token: admin, body: { email: 'root2@example.com', password: 'root2 password 123', role: 'admin' } });
    const self = await call(h.base, 'PATCH', `/users/${adminId}`, { token: admin, body: { role: 'manager' } });
    expect(self.status).toBe(403);
    expect(self.body.error.details).toEqual({ reason: 'self' });
    const root2 = await login(h.base, 'root2@example.com', 'root2 password 123');
    const demoted = await call(h.base, 'PATCH', `/users/${second.body.id}`, { token: admin, body: { role: 'agent' } });
    expect(demoted.status).toBe(200);
    expect((await call(h.base, 'GET', '/users', { token: root2 })).status).toBe(403);
    expect((await h.models.User.findById(adminId).lean())?.role).toBe('admin');
  });

  it('two admins demoting each other at the same moment still leave an active admin', async () => {
    const deps = { ...h.stores, now: () => new Date(), logger: testLogger };
    const a = await createUser(h.models, { email: 'race-a@example.com', password: 'race password 123', role: 'admin' });
    const b = await createUser(h.models, { email: 'race-b@example.com', password: 'race password 123', role: 'admin' });
    // Only these two stay admins, so each demotion alone would be allowed.
    await h.models.User.updateMany({ _id: { $nin: [a._id, b._id] }, role: 'admin' }, { $set: { role: 'manager' } });
    const actor = (id: Types.ObjectId) => ({ userId: id, role: 'admin' as const, inboxIds: [] });
    await Promise.allSettled([updateUser(deps, actor(a._id), b._id.toHexString(), { role: 'agent' }), updateUser(deps, actor(b._id), a._id.toHexString(), { role: 'agent' })]);
    expect(await h.models.User.countDocuments({ role: 'admin', disabled: false })).toBeGreaterThanOrEqual(1);
    await h.models.User.updateOne({ _id: new Types.ObjectId(adminId) }, { $set: { role: 'admin' } });
  });

  it("disabling a user makes their API tokens stop working at once, and re-enabling does not revive them", async () => {
    const carol = await login(h.base, 'carol@example.com', 'carol password 123');
    expect((await call(h.base, 'GET', '/me', { token: carol })).status).toBe(200);
    const res = await call(h.base, 'PATCH', `/users/${carolId}`, { token: admin, body: { disabled: true } });
    expect(res.status).toBe(200);
    expect(res.body.disabled).toBe(true);
    expect((await call(h.base, 'GET', '/me', { token: carol })).status).toBe(401);
    expect((await call(h.base, 'POST', '/auth/token', { body: { email: 'carol@example.com', password: 'carol password 123' } })).status).toBe(401);
    await call(h.base, 'PATCH', `/users/${carolId}`, { token: admin, body: { disabled: false } });
    expect((await call(h.base, 'GET', '/me', { token: carol })).status).toBe(401);
    expect(await h.models.ApiToken.countDocuments({ userId: new Types.ObjectId(carolId) })).toBe(0);
  });

  it('creates a user without a password, who gets in only through the invite link', async () => {
    const res = await call(h.base, 'POST', '/users', { token: admin, body: { email: 'erin@example.com', role: 'agent' } });
    expect(res.status).toBe(201);
    const link = await call(h.base, 'POST', `/users/${res.body.id}/password-link`, { token: admin });
    expect(link.status).toBe(201);
    expect(link.body).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), path: `/password/${link.body.token}`, purpose: 'invite', expiresAt: expect.any(String), invitationEmailed: false });
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(72 * 3600_000 - 60_000);
    const stored = await h.models.PasswordToken.find().lean();
    expect(JSON.stringify(stored)).not.toContain(link.body.token);
  });
});

describe('own API tokens', () => {
  it('refuses to create a token with a token (403), lists browser-made ones without secrets, and revokes only the caller\'s own', async () => {
    const minted = await call(h.base, 'POST', '/me/tokens', { token: agent, body: { label: 'CI export', expiresInDays: 7 } });
    expect(minted.status).toBe(403);
    expect(minted.body.error.code).toBe('FORBIDDEN');
    // Personal tokens are made on the account page; the use case is called as that page does.
    const agentUser = await h.models.User.findOne({ email: 'agent@example.com' }).lean();
    const actor = { userId: agentUser!._id, role: agentUser!.role, inboxIds: agentUser!.inboxIds };
    const created = await createPersonalApiToken({ ...h.stores, now: () => new Date(), logger: testLogger }, actor, 'web-session', { label: 'CI export', expiresInDays: 7 });
    expect(created.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect((await call(h.base, 'GET', '/me', { token: created.token })).body.email).toBe('agent@example.com');

    const list = await call(h.base, 'GET', '/me/tokens', { token: agent });
    expect(list.body.items.map((t: { label: string | null }) => t.label)).toContain('CI export');
    expect(list.text).not.toContain(created.token);
    expect(list.text).not.toContain('tokenHash');

    expect((await call(h.base, 'DELETE', `/me/tokens/${created.id}`, { token: admin })).status).toBe(404);
    expect((await call(h.base, 'DELETE', `/me/tokens/${created.id}`, { token: agent })).status).toBe(204);
    expect((await call(h.base, 'GET', '/me', { token: created.token })).status).toBe(401);
    expect((await call(h.base, 'GET', '/me', { token: agent })).status).toBe(200);
  });
});
