import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATOR, type Actor } from '../../../../src/services/access.js';
import { updateUser } from '../../../../src/services/users/update-user.js';
import type { UserRole } from '../../../../src/domain/user-roles.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let inboxA: Types.ObjectId;
let inboxB: Types.ObjectId;
const deps = () => ({ ...db.stores, logger: testLogger });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('update_user');
  const inbox = (address: string) => db.models.Inbox.create({ name: address, address, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  inboxA = (await inbox('a@update.test'))._id;
  inboxB = (await inbox('b@update.test'))._id;
});
// The admin rules count every active admin in the database, so each test starts without users.
beforeEach(async () => {
  await db.models.User.deleteMany({});
});
afterAll(() => db.drop());

/** A user stored directly (the hash is never checked here). */
async function user(role: UserRole, extra: { disabled?: boolean; inboxIds?: Types.ObjectId[]; name?: string } = {}) {
  n += 1;
  const doc = await db.stores.users.create({ email: `${role}${n}@update.test`, role, passwordHash: 'x', inboxIds: extra.inboxIds ?? [], name: extra.name ?? null });
  if (extra.disabled) await db.stores.users.updateAccount(doc._id, { disabled: true });
  return doc._id;
}
const actorOf = (userId: Types.ObjectId, role: UserRole = 'admin'): Actor => ({ userId, role, inboxIds: [] });
const stored = async (id: Types.ObjectId) => (await db.stores.users.findById(id))!;

describe('updateUser', () => {
  it('changes only the fields given: name, role, inbox membership', async () => {
    const admin = await user('admin');
    const agent = await user('agent', { inboxIds: [inboxA], name: 'Ada' });
    const id = agent.toHexString();
    expect(await updateUser(deps(), actorOf(admin), id, { inboxIds: [inboxB.toHexString()] })).toMatchObject({ name: 'Ada', role: 'agent', inboxIds: [inboxB.toHexString()] });
    expect(await updateUser(deps(), actorOf(admin), id, { role: 'manager', inboxIds: [inboxA.toHexString(), inboxB.toHexString()] })).toMatchObject({
      name: 'Ada',
      role: 'manager',
      inboxIds: [inboxA.toHexString(), inboxB.toHexString()],
    });
    expect(await updateUser(deps(), actorOf(admin), id, { name: '  ' })).toMatchObject({ name: null, role: 'manager' });
    expect(await updateUser(deps(), actorOf(admin), id, { inboxIds: [] })).toMatchObject({ inboxIds: [] });
    expect(await updateUser(deps(), actorOf(admin), id, {})).toMatchObject({ name: null, role: 'manager', inboxIds: [], disabled: false });
  });

  it('refuses inbox ids that name no inbox, naming inboxIds, and changes nothing', async () => {
    const admin = await user('admin');
    const agent = await user('agent', { inboxIds: [inboxA] });
    const patch = { role: 'manager', inboxIds: [inboxB.toHexString(), new Types.ObjectId().toHexString()] };
    expect(await invalidFields(updateUser(deps(), actorOf(admin), agent.toHexString(), patch))).toEqual(['inboxIds']);
    expect(await stored(agent)).toMatchObject({ role: 'agent', inboxIds: [inboxA] });
  });

  it('names unknown fields and invalid values; the email cannot be changed here', async () => {
    const admin = await user('admin');
    const agent = await user('agent');
    expect(await invalidFields(updateUser(deps(), actorOf(admin), agent.toHexString(), { role: 'owner', disabled: 'yes', email: 'new@update.test' }))).toEqual([
      'disabled',
      'email',
      'role',
    ]);
  });

  it('answers NOT_FOUND for an unknown or malformed user id', async () => {
    const admin = await user('admin');
    expect((await appErrorFrom(updateUser(deps(), actorOf(admin), new Types.ObjectId().toHexString(), { name: 'X' }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(updateUser(deps(), actorOf(admin), 'nope', { name: 'X' }))).code).toBe('NOT_FOUND');
  });

  it('is for admins only: managers and agents are FORBIDDEN', async () => {
    const agent = await user('agent');
    for (const role of ['manager', 'agent'] as const) {
      const actor: Actor = { userId: new Types.ObjectId(), role, inboxIds: [inboxA] };
      expect((await appErrorFrom(updateUser(deps(), actor, agent.toHexString(), { role: 'admin' }))).code).toBe('FORBIDDEN');
    }
    expect((await stored(agent)).role).toBe('agent');
  });
});

describe('the last active admin', () => {
  it('cannot be demoted or disabled, not even by the operator: CONFLICT, and nothing changes', async () => {
    const admin = await user('admin');
    await user('manager');
    for (const actor of [actorOf(admin), OPERATOR]) {
      for (const patch of [{ role: 'manager' }, { role: 'agent' }, { disabled: true }, { role: 'agent', disabled: true, name: 'Gone' }]) {
        const err = await appErrorFrom(updateUser(deps(), actor, admin.toHexString(), patch));
        expect(err).toMatchObject({ code: 'CONFLICT', details: { reason: 'last-admin' } });
      }
    }
    expect(await stored(admin)).toMatchObject({ role: 'admin', disabled: false, name: null });
  });

  it('is the one left when the other admins are disabled: disabled admins do not count', async () => {
    const active = await user('admin');
    const dormant = await user('admin', { disabled: true });
    const err = await appErrorFrom(updateUser(deps(), OPERATOR, active.toHexString(), { disabled: true }));
    expect(err).toMatchObject({ code: 'CONFLICT', details: { reason: 'last-admin' } });
    // Re-enabling the other one is never refused, and then the first may go.
    await updateUser(deps(), OPERATOR, dormant.toHexString(), { disabled: false });
    expect(await updateUser(deps(), OPERATOR, active.toHexString(), { disabled: true })).toMatchObject({ role: 'admin', disabled: true });
  });

  it('may still be renamed or given inboxes', async () => {
    const admin = await user('admin');
    expect(await updateUser(deps(), actorOf(admin), admin.toHexString(), { name: 'Root', inboxIds: [inboxA.toHexString()], role: 'admin', disabled: false })).toMatchObject({
      name: 'Root',
      role: 'admin',
      inboxIds: [inboxA.toHexString()],
    });
  });

  it('survives two admins demoting each other at the same moment', async () => {
    const first = await user('admin');
    const second = await user('admin');
    const results = await Promise.allSettled([
      updateUser(deps(), actorOf(first), second.toHexString(), { role: 'agent' }),
      updateUser(deps(), actorOf(second), first.toHexString(), { role: 'agent' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT', details: { reason: 'last-admin' } });
    expect(await db.stores.users.countActiveAdmins()).toBeGreaterThanOrEqual(1);
  });
});

describe('an admin acting on their own account', () => {
  it('cannot demote or disable themself (FORBIDDEN), while another admin can do it to them', async () => {
    const self = await user('admin');
    const other = await user('admin');
    for (const patch of [{ role: 'manager' }, { disabled: true }]) {
      const err = await appErrorFrom(updateUser(deps(), actorOf(self), self.toHexString(), patch));
      expect(err).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'self' } });
    }
    expect(await stored(self)).toMatchObject({ role: 'admin', disabled: false });
    expect(await updateUser(deps(), actorOf(other), self.toHexString(), { role: 'manager' })).toMatchObject({ role: 'manager' });
  });
});

describe('disabling a user', () => {
  it('signs them out everywhere (browser sessions, API tokens, unused password links), and re-enabling brings none of it back', async () => {
    const admin = await user('admin');
    const agent = await user('agent');
    const bystander = await user('agent');
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    for (const [i, owner] of [agent, bystander].entries()) {
      await db.stores.webSessions.create({ _id: `session-${i}`, userId: owner, csrfToken: 'c', createdAt: now, lastSeenAt: now, absoluteExpiresAt: later, expiresAt: later, userAgent: null });
      await db.stores.apiTokens.create({ userId: owner, tokenHash: `token-${i}-${owner.toHexString()}`, label: null, createdAt: now, expiresAt: later });
      await db.stores.passwordTokens.create({ userId: owner, tokenHash: `link-${i}-${owner.toHexString()}`, purpose: 'invite', createdBy: admin, createdAt: now, expiresAt: later });
    }
    const counts = async (userId: Types.ObjectId) => [
      await db.models.WebSession.countDocuments({ userId }),
      await db.models.ApiToken.countDocuments({ userId }),
      await db.models.PasswordToken.countDocuments({ userId }),
    ];

    expect(await updateUser(deps(), actorOf(admin), agent.toHexString(), { disabled: true })).toMatchObject({ disabled: true });
    expect(await counts(agent)).toEqual([0, 0, 0]);
    expect(await counts(bystander)).toEqual([1, 1, 1]);
    expect(await updateUser(deps(), actorOf(admin), agent.toHexString(), { disabled: false })).toMatchObject({ disabled: false });
    expect(await counts(agent)).toEqual([0, 0, 0]);
  });
});
