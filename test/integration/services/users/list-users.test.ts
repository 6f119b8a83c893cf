import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { getUser } from '../../../../src/services/users/get-user.js';
import { listUsers } from '../../../../src/services/users/list-users.js';
import { createUser as seedUser } from '../../../helpers/api.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

beforeAll(async () => {
  db = await openTestDb('list_users');
});
afterAll(() => db.drop());

describe('getUser and listUsers', () => {
  it('list every user by email, without password hashes', async () => {
    await seedUser(db.models, { email: 'zed@list.test', password: 'irrelevant-password' });
    await seedUser(db.models, { email: 'abe@list.test', password: 'irrelevant-password' });
    const users = await listUsers(db.stores, admin);
    expect(users.map((u) => u.email)).toEqual(['abe@list.test', 'zed@list.test']);
    expect(users.every((u) => !('passwordHash' in u))).toBe(true);
  });

  it('get one user by id; an unknown or malformed id is NOT_FOUND', async () => {
    const user = await seedUser(db.models, { email: 'one@get.test', password: 'irrelevant-password', role: 'manager' });
    expect(await getUser(db.stores, admin, user._id.toHexString())).toMatchObject({ id: user._id.toHexString(), email: 'one@get.test', role: 'manager' });
    expect((await appErrorFrom(getUser(db.stores, admin, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(getUser(db.stores, admin, 'not-an-id'))).code).toBe('NOT_FOUND');
  });

  it('are for admins only: managers and agents are FORBIDDEN, even for their own account', async () => {
    const self = await seedUser(db.models, { email: 'self@get.test', password: 'irrelevant-password', role: 'manager' });
    for (const role of ['manager', 'agent'] as const) {
      const actor: Actor = { userId: self._id, role, inboxIds: [] };
      expect((await appErrorFrom(listUsers(db.stores, actor))).code).toBe('FORBIDDEN');
      expect((await appErrorFrom(getUser(db.stores, actor, self._id.toHexString()))).code).toBe('FORBIDDEN');
      expect((await appErrorFrom(getUser(db.stores, actor, 'not-an-id'))).code).toBe('FORBIDDEN');
    }
  });
});
