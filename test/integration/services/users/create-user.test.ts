import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createUser } from '../../../../src/services/users/create-user.js';
import { TEST_PASSWORDS } from '../../../helpers/api.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const deps = () => ({ ...db.stores, passwords: TEST_PASSWORDS, logger: testLogger });
let inboxId: Types.ObjectId;

beforeAll(async () => {
  db = await openTestDb('create_user');
  const inbox = await db.models.Inbox.create({ name: 'Support', address: 'support@users.test', imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  inboxId = inbox._id;
});
afterAll(() => db.drop());

describe('createUser', () => {
  it('adds a user with the given role and inboxes, email trimmed and lower-cased, and never returns the password hash', async () => {
    const view = await createUser(deps(), admin, { email: '  Nora@Users.TEST ', name: ' Nora ', password: 'a long enough secret', role: 'agent', inboxIds: [inboxId.toHexString()] });
    expect(view).toMatchObject({ email: 'nora@users.test', name: 'Nora', role: 'agent', inboxIds: [inboxId.toHexString()], disabled: false, lastLoginAt: null });
    expect(view).not.toHaveProperty('passwordHash');
    const stored = await db.stores.users.findByIdWithPasswordHash(new Types.ObjectId(view.id));
    expect(await TEST_PASSWORDS.verify(stored!.passwordHash, 'a long enough secret')).toBe(true);
  });

  it('accepts every role: admin, manager and agent', async () => {
    for (const role of ['admin', 'manager', 'agent'] as const) {
      expect((await createUser(deps(), admin, { email: `${role}@roles.test`, role })).role).toBe(role);
    }
  });

  it('gives a user created without a password a hash no password matches, so only an invite link lets them in', async () => {
    const view = await createUser(deps(), admin, { email: 'invited@users.test', role: 'agent' });
    const stored = await db.stores.users.findByIdWithPasswordHash(new Types.ObjectId(view.id));
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await TEST_PASSWORDS.verify(stored!.passwordHash, '')).toBe(false);
  });

  it('collapses repeated inbox ids, in any case, into one membership', async () => {
    const hex = inboxId.toHexString();
    const view = await createUser(deps(), admin, { email: 'twice@users.test', role: 'agent', inboxIds: [hex, hex.toUpperCase()] });
    expect(view.inboxIds).toEqual([hex]);
  });

  it('names every invalid field', async () => {
    expect(await invalidFields(createUser(deps(), admin, { email: 'not an email', password: 'short', role: 'owner', inboxIds: ['nope'], colour: 'red' }))).toEqual([
      'colour',
      'email',
      'inboxIds.0',
      'password',
      'role',
    ]);
    expect(await invalidFields(createUser(deps(), admin, {}))).toEqual(['email', 'role']);
    expect(await invalidFields(createUser(deps(), admin, { email: 'long@users.test', role: 'agent', password: 'x'.repeat(1025) }))).toEqual(['password']);
  });

  it('says what is wrong with a field in words', async () => {
    const err = await appErrorFrom(createUser(deps(), admin, { email: 'x', role: 'agent', password: 'short' }));
    expect(err.message).toMatch(/email: must be an email address/);
    expect(err.message).toMatch(/password: must be at least 12 characters/);
  });

  it('refuses inbox ids that name no inbox, naming inboxIds, and creates nobody', async () => {
    const ghost = new Types.ObjectId().toHexString();
    expect(await invalidFields(createUser(deps(), admin, { email: 'ghost@users.test', role: 'agent', inboxIds: [inboxId.toHexString(), ghost] }))).toEqual(['inboxIds']);
    expect(await db.models.User.countDocuments({ email: 'ghost@users.test' })).toBe(0);
  });

  it('refuses a second user with the same email, whatever its case, as CONFLICT', async () => {
    await createUser(deps(), admin, { email: 'taken@users.test', role: 'agent' });
    const err = await appErrorFrom(createUser(deps(), admin, { email: 'TAKEN@users.test', role: 'manager' }));
    expect(err.code).toBe('CONFLICT');
    expect(await db.models.User.countDocuments({ email: 'taken@users.test' })).toBe(1);
  });

  it('creates one user when the same email is submitted twice at once', async () => {
    const results = await Promise.allSettled([1, 2, 3].map(() => createUser(deps(), admin, { email: 'race@users.test', role: 'agent' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect(await db.models.User.countDocuments({ email: 'race@users.test' })).toBe(1);
  });

  it('is for admins only: managers and agents are FORBIDDEN, before their input is even looked at', async () => {
    for (const role of ['manager', 'agent'] as const) {
      const actor: Actor = { userId: new Types.ObjectId(), role, inboxIds: [inboxId] };
      expect((await appErrorFrom(createUser(deps(), actor, { email: 'sneaky@users.test', role: 'admin' }))).code).toBe('FORBIDDEN');
      expect((await appErrorFrom(createUser(deps(), actor, { bogus: true }))).code).toBe('FORBIDDEN');
    }
    expect(await db.models.User.countDocuments({ email: 'sneaky@users.test' })).toBe(0);
  });
});
