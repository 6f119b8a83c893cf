import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { hashPasswordToken, issuePasswordLink } from '../../../../src/services/users/issue-password-link.js';
import { checkPasswordLink, setPasswordWithLink } from '../../../../src/services/users/set-password-with-link.js';
import { TEST_PASSWORDS } from '../../../helpers/api.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { clockNearRealTime, minutesFrom } from '../../../helpers/clock.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
// Links are issued at the real time (the database's TTL index reads their expiry), and used at any time after.
const issuedAt = clockNearRealTime();
const at = (now: Date) => ({ ...db.stores, passwords: TEST_PASSWORDS, logger: testLogger, now: () => now });
const issue = (userId: Types.ObjectId, actor = admin) => issuePasswordLink(at(issuedAt), actor, userId.toHexString());
const use = (token: string, password: string, now = minutesFrom(issuedAt, 5)) => setPasswordWithLink(at(now), token, { password });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('password_links');
});
afterAll(() => db.drop());

async function user(opts: { loggedIn?: boolean; disabled?: boolean } = {}) {
  n += 1;
  const doc = await db.stores.users.create({ email: `user${n}@links.test`, name: `User ${n}`, role: 'agent', passwordHash: await TEST_PASSWORDS.hash('the old password') });
  if (opts.loggedIn) await db.stores.users.recordLogin(doc._id, issuedAt);
  if (opts.disabled) await db.stores.users.updateAccount(doc._id, { disabled: true });
  return doc._id;
}
const passwordIs = async (id: Types.ObjectId, password: string) => TEST_PASSWORDS.verify((await db.stores.users.findByIdWithPasswordHash(id))!.passwordHash, password);

describe('issuePasswordLink', () => {
  it('issues an invite for someone who never signed in and a reset otherwise, working for 72 hours', async () => {
    const invite = await issue(await user());
    expect(invite).toMatchObject({ purpose: 'invite', path: `/password/${invite.token}`, expiresAt: minutesFrom(issuedAt, 72 * 60) });
    expect(invite.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await issue(await user({ loggedIn: true }))).purpose).toBe('reset');
  });

  it('stores only a hash of the token', async () => {
    const id = await user();
    const { token } = await issue(id);
    const stored = await db.models.PasswordToken.find({ userId: id }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ tokenHash: hashPasswordToken(token), createdBy: admin.userId });
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('replaces the user’s older links', async () => {
    const id = await user();
    const first = await issue(id);
    const second = await issue(id);
    expect(await checkPasswordLink(at(issuedAt), first.token)).toBeNull();
    expect(await checkPasswordLink(at(issuedAt), second.token)).toMatchObject({ purpose: 'invite' });
    expect((await appErrorFrom(use(first.token, 'a brand new password'))).code).toBe('NOT_FOUND');
  });

  it('refuses a disabled user (CONFLICT), an unknown or malformed id (NOT_FOUND), and anyone but an admin (FORBIDDEN)', async () => {
    expect((await appErrorFrom(issue(await user({ disabled: true })))).code).toBe('CONFLICT');
    expect((await appErrorFrom(issue(new Types.ObjectId()))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(issuePasswordLink(at(issuedAt), admin, 'bogus'))).code).toBe('NOT_FOUND');
    const id = await user();
    for (const role of ['manager', 'agent'] as const) {
      expect((await appErrorFrom(issue(id, { userId: new Types.ObjectId(), role, inboxIds: [] }))).code).toBe('FORBIDDEN');
    }
    expect(await db.models.PasswordToken.countDocuments({ userId: id })).toBe(0);
  });
});

describe('checkPasswordLink', () => {
  it('names whom a usable link is for, and answers null for a wrong, expired or disabled user’s link', async () => {
    const id = await user();
    const { token } = await issue(id);
    expect(await checkPasswordLink(at(issuedAt), token)).toEqual({ email: `user${n}@links.test`, name: `User ${n}`, purpose: 'invite' });
    expect(await checkPasswordLink(at(issuedAt), 'x'.repeat(43))).toBeNull();
    expect(await checkPasswordLink(at(issuedAt), 'too-short')).toBeNull();
    expect(await checkPasswordLink(at(minutesFrom(issuedAt, 72 * 60)), token)).toBeNull();
    // Looking does not use the link up.
    expect(await checkPasswordLink(at(issuedAt), token)).not.toBeNull();
    await db.stores.users.updateAccount(id, { disabled: true });
    expect(await checkPasswordLink(at(issuedAt), token)).toBeNull();
  });
});

describe('setPasswordWithLink', () => {
  it('sets the password, and the link works only once', async () => {
    const id = await user();
    const { token } = await issue(id);
    expect(await use(token, 'my first real password')).toEqual({ email: `user${n}@links.test` });
    expect(await passwordIs(id, 'my first real password')).toBe(true);
    expect(await passwordIs(id, 'the old password')).toBe(false);
    expect((await appErrorFrom(use(token, 'someone else’s password'))).code).toBe('NOT_FOUND');
    expect(await passwordIs(id, 'my first real password')).toBe(true);
  });

  it('works until 72 hours after issue, and not from then on', async () => {
    const early = await issue(await user());
    expect(await use(early.token, 'just in time password', minutesFrom(issuedAt, 72 * 60 - 1))).toBeTruthy();
    const late = await issue(await user());
    expect((await appErrorFrom(use(late.token, 'too late for this one', minutesFrom(issuedAt, 72 * 60)))).code).toBe('NOT_FOUND');
  });

  it('refuses a token that was never issued, whatever its shape, and sets nothing', async () => {
    const id = await user();
    await issue(id);
    for (const token of ['A'.repeat(43), 'short', '', `${'A'.repeat(42)}!`]) {
      expect((await appErrorFrom(use(token, 'a guessing password'))).code).toBe('NOT_FOUND');
    }
    expect(await passwordIs(id, 'the old password')).toBe(true);
  });

  it('checks the new password before spending the link, so a too-short one can be retried', async () => {
    const id = await user();
    const { token } = await issue(id);
    expect(await invalidFields(use(token, 'short'))).toEqual(['password']);
    expect(await invalidFields(setPasswordWithLink(at(issuedAt), token, {}))).toEqual(['password']);
    expect(await use(token, 'long enough this time')).toBeTruthy();
    expect(await passwordIs(id, 'long enough this time')).toBe(true);
  });

  it('lets exactly one of two simultaneous uses of a link through', async () => {
    const id = await user();
    const { token } = await issue(id);
    const results = await Promise.allSettled([use(token, 'first racer password'), use(token, 'second racer password')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'NOT_FOUND' } });
    const one = await passwordIs(id, 'first racer password');
    const two = await passwordIs(id, 'second racer password');
    expect(one !== two).toBe(true);
  });

  it('refuses the link of a user disabled after it was issued', async () => {
    const id = await user();
    const { token } = await issue(id);
    await db.stores.users.updateAccount(id, { disabled: true });
    expect((await appErrorFrom(use(token, 'a disabled person password'))).code).toBe('NOT_FOUND');
    expect(await passwordIs(id, 'the old password')).toBe(true);
  });

  it('signs the user out everywhere: every browser session ends and every API token is revoked', async () => {
    const id = await user();
    const other = await user();
    const later = minutesFrom(issuedAt, 60);
    for (const owner of [id, other]) {
      await db.stores.webSessions.create({ _id: `s-${owner.toHexString()}`, userId: owner, csrfToken: 'c', createdAt: issuedAt, lastSeenAt: issuedAt, absoluteExpiresAt: later, expiresAt: later, userAgent: null });
      await db.stores.apiTokens.create({ userId: owner, tokenHash: `t-${owner.toHexString()}`, label: 'cli', createdAt: issuedAt, expiresAt: later });
    }
    const { token } = await issue(id);
    await use(token, 'after the leak password');
    expect(await db.models.WebSession.countDocuments({ userId: id })).toBe(0);
    expect(await db.models.ApiToken.countDocuments({ userId: id })).toBe(0);
    expect(await db.models.WebSession.countDocuments({ userId: other })).toBe(1);
    expect(await db.models.ApiToken.countDocuments({ userId: other })).toBe(1);
  });
});
