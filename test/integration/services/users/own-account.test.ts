import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, type Actor } from '../../../../src/services/access.js';
import { changeOwnPassword } from '../../../../src/services/users/change-own-password.js';
import { updateOwnName } from '../../../../src/services/users/update-own-name.js';
import { TEST_PASSWORDS } from '../../../helpers/api.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const deps = () => ({ ...db.stores, passwords: TEST_PASSWORDS, logger: testLogger });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('own_account');
});
afterAll(() => db.drop());

/** A signed-in agent with two browser sessions ('<id>-here', '<id>-there') and two API tokens. */
async function signedIn(): Promise<{ actor: Actor; id: Types.ObjectId; here: string }> {
  n += 1;
  const user = await db.stores.users.create({ email: `me${n}@own.test`, role: 'agent', passwordHash: await TEST_PASSWORDS.hash('current password 1') });
  const now = new Date();
  const later = new Date(now.getTime() + 3_600_000);
  for (const where of ['here', 'there']) {
    await db.stores.webSessions.create({ _id: `${user._id.toHexString()}-${where}`, userId: user._id, csrfToken: 'c', createdAt: now, lastSeenAt: now, absoluteExpiresAt: later, expiresAt: later, userAgent: null });
    await db.stores.apiTokens.create({ userId: user._id, tokenHash: `${user._id.toHexString()}-${where}`, label: where, createdAt: now, expiresAt: later });
  }
  return { actor: { userId: user._id, role: 'agent', inboxIds: [] }, id: user._id, here: `${user._id.toHexString()}-here` };
}
const passwordIs = async (id: Types.ObjectId, password: string) => TEST_PASSWORDS.verify((await db.stores.users.findByIdWithPasswordHash(id))!.passwordHash, password);
const sessionsOf = async (userId: Types.ObjectId) => (await db.models.WebSession.find({ userId }).lean()).map((s) => s._id).sort();

describe('changeOwnPassword', () => {
  it('sets the new password once the current one is given', async () => {
    const { actor, id, here } = await signedIn();
    await changeOwnPassword(deps(), actor, here, { currentPassword: 'current password 1', newPassword: 'a fresh password 2' });
    expect(await passwordIs(id, 'a fresh password 2')).toBe(true);
    expect(await passwordIs(id, 'current password 1')).toBe(false);
  });

  it('refuses a wrong current password, naming currentPassword, and changes nothing', async () => {
    const { actor, id, here } = await signedIn();
    expect(await invalidFields(changeOwnPassword(deps(), actor, here, { currentPassword: 'a guess at it', newPassword: 'a fresh password 2' }))).toEqual(['currentPassword']);
    expect(await passwordIs(id, 'current password 1')).toBe(true);
    expect(await sessionsOf(id)).toHaveLength(2);
    expect(await db.models.ApiToken.countDocuments({ userId: id })).toBe(2);
  });

  it('names each missing or invalid field: a too-short new password, a missing current one, a non-boolean revokeApiTokens', async () => {
    const { actor, here } = await signedIn();
    expect(await invalidFields(changeOwnPassword(deps(), actor, here, { currentPassword: 'current password 1', newPassword: 'short' }))).toEqual(['newPassword']);
    expect(await invalidFields(changeOwnPassword(deps(), actor, here, { currentPassword: 'current password 1' }))).toEqual(['newPassword']);
    expect(await invalidFields(changeOwnPassword(deps(), actor, here, { newPassword: 'a fresh password 2', revokeApiTokens: 'no' }))).toEqual(['currentPassword', 'revokeApiTokens']);
  });

  it('ends every other browser session of the user but keeps the one making the change', async () => {
    const { actor, id, here } = await signedIn();
    const bystander = await signedIn();
    await changeOwnPassword(deps(), actor, here, { currentPassword: 'current password 1', newPassword: 'a fresh password 2' });
    expect(await sessionsOf(id)).toEqual([here]);
    expect(await sessionsOf(bystander.id)).toHaveLength(2);
  });

  it('ends every session when no session made the change (an API client)', async () => {
    const { actor, id } = await signedIn();
    await changeOwnPassword(deps(), actor, null, { currentPassword: 'current password 1', newPassword: 'a fresh password 2' });
    expect(await sessionsOf(id)).toEqual([]);
  });

  it('makes a password link issued before the change stop working (regression: an old reset link outlived a password change)', async () => {
    const { actor, id, here } = await signedIn();
    const expiresAt = new Date(Date.now() + 3_600_000);
    await db.stores.passwordTokens.create({ userId: id, tokenHash: `link-of-${id.toHexString()}`, purpose: 'reset', createdBy: null, createdAt: new Date(), expiresAt });
    await changeOwnPassword(deps(), actor, here, { currentPassword: 'current password 1', newPassword: 'a fresh password 2' });
    expect(await db.models.PasswordToken.countDocuments({ userId: id })).toBe(0);
  });

  it('revokes every API token of the user unless told not to, and says how many', async () => {
    const first = await signedIn();
    expect(await changeOwnPassword(deps(), first.actor, first.here, { currentPassword: 'current password 1', newPassword: 'a fresh password 2' })).toEqual({ revokedTokens: 2 });
    expect(await db.models.ApiToken.countDocuments({ userId: first.id })).toBe(0);

    const second = await signedIn();
    const kept = await changeOwnPassword(deps(), second.actor, second.here, { currentPassword: 'current password 1', newPassword: 'a fresh password 2', revokeApiTokens: false });
    expect(kept).toEqual({ revokedTokens: 0 });
    expect(await db.models.ApiToken.countDocuments({ userId: second.id })).toBe(2);
  });

  it('is FORBIDDEN to the operator, who has no password, and NOT_FOUND for a user who is gone', async () => {
    expect((await appErrorFrom(changeOwnPassword(deps(), OPERATOR, null, { currentPassword: 'x', newPassword: 'a fresh password 2' }))).code).toBe('FORBIDDEN');
    const ghost: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
    expect((await appErrorFrom(changeOwnPassword(deps(), ghost, null, { currentPassword: 'current password 1', newPassword: 'a fresh password 2' }))).code).toBe('NOT_FOUND');
  });
});

describe('updateOwnName', () => {
  it('sets the caller’s display name, trimmed; an empty one clears it', async () => {
    const { actor, id } = await signedIn();
    expect(await updateOwnName(db.stores, actor, { name: '  Grace Hopper ' })).toEqual({ name: 'Grace Hopper' });
    expect((await db.stores.users.findById(id))!.name).toBe('Grace Hopper');
    expect(await updateOwnName(db.stores, actor, { name: '   ' })).toEqual({ name: null });
    expect((await db.stores.users.findById(id))!.name).toBeNull();
  });

  it('changes nothing but the name, and only the caller’s', async () => {
    const { actor, id } = await signedIn();
    const other = await signedIn();
    const before = (await db.stores.users.findById(id))!;
    await updateOwnName(db.stores, actor, { name: 'Only Me' });
    expect(await db.stores.users.findById(id)).toMatchObject({ email: before.email, role: before.role, disabled: false });
    expect((await db.stores.users.findById(other.id))!.name).toBeNull();
  });

  it('names a too-long name and any other field, such as a role', async () => {
    const { actor, id } = await signedIn();
    expect(await invalidFields(updateOwnName(db.stores, actor, { name: 'x'.repeat(201) }))).toEqual(['name']);
    expect(await invalidFields(updateOwnName(db.stores, actor, { name: 'Me', role: 'admin' }))).toEqual(['role']);
    expect(await invalidFields(updateOwnName(db.stores, actor, {}))).toEqual(['name']);
    expect((await db.stores.users.findById(id))!).toMatchObject({ name: null, role: 'agent' });
  });

  it('is FORBIDDEN to the operator, who has no name', async () => {
    expect((await appErrorFrom(updateOwnName(db.stores, OPERATOR, { name: 'Root' }))).code).toBe('FORBIDDEN');
  });
});
