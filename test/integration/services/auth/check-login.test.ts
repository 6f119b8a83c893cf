import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogin, type CheckLoginDeps, type LoginAttempt } from '../../../../src/services/auth/check-login.js';
import { LOGIN_THROTTLED, type LoginLimits } from '../../../../src/services/auth/login-throttle.js';
import type { PasswordHasher } from '../../../../src/services/ports.js';
import { TEST_PASSWORDS, createUser } from '../../../helpers/api.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { clockNearRealTime, minutesFrom } from '../../../helpers/clock.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
// Counters expire through a TTL index, so the clock stays near the real one.
const start = clockNearRealTime();
let n = 0;

beforeAll(async () => {
  db = await openTestDb('check_login');
});
afterAll(() => db.drop());

/** The password hasher, counting how many passwords it checked. */
function countingPasswords(): PasswordHasher & { checks: number } {
  const counted = {
    checks: 0,
    hash: TEST_PASSWORDS.hash,
    async verify(hash: string, password: string) {
      counted.checks += 1;
      return TEST_PASSWORDS.verify(hash, password);
    },
  };
  return counted;
}
const deps = (opts: { now?: Date; limits?: LoginLimits; passwords?: PasswordHasher } = {}): CheckLoginDeps => ({
  ...db.stores,
  passwords: opts.passwords ?? TEST_PASSWORDS,
  now: () => opts.now ?? start,
  ...(opts.limits ? { loginLimits: opts.limits } : {}),
});
/** A user of their own and an address of their own, so each test has fresh throttle counters. */
async function account(opts: { disabled?: boolean } = {}) {
  n += 1;
  const email = `user${n}@login.test`;
  const user = await createUser(db.models, { email, password: 'the right password', disabled: opts.disabled ?? false });
  const attempt = (password: string, ip = `10.0.0.${n}`): LoginAttempt => ({ email, password, ip });
  return { user, email, attempt };
}

describe('checkLogin', () => {
  it('lets in the right email and password, the email in any case and with spaces around it, and notes when', async () => {
    const { user, email, attempt } = await account();
    const now = minutesFrom(start, 3);
    expect(await checkLogin(deps({ now }), { ...attempt('the right password'), email: `  ${email.toUpperCase()} ` })).toEqual({ userId: user._id });
    expect((await db.stores.users.findById(user._id))!.lastLoginAt).toEqual(now);
  });

  it('refuses a wrong password, an unknown email and a disabled user (even with the right password) alike, the reason for the log only', async () => {
    const { attempt } = await account();
    const disabled = await account({ disabled: true });
    expect(await checkLogin(deps(), attempt('the wrong password'))).toEqual({ userId: null, reason: 'wrong-password' });
    expect(await checkLogin(deps(), { ...attempt('the right password'), email: 'nobody@login.test' })).toEqual({ userId: null, reason: 'unknown-user' });
    expect(await checkLogin(deps(), disabled.attempt('the right password'))).toEqual({ userId: null, reason: 'disabled' });
    expect((await db.stores.users.findById(disabled.user._id))!.lastLoginAt).toBeNull();
  });

  it('runs argon2 for an unknown email too, so accounts cannot be told apart by timing', async () => {
    const passwords = countingPasswords();
    await checkLogin(deps({ passwords }), { email: 'ghost@login.test', password: 'anything at all', ip: '10.9.9.9' });
    expect(passwords.checks).toBe(1);
  });

  it('refuses empty or oversized input without checking a password or spending an attempt', async () => {
    const { email } = await account();
    const passwords = countingPasswords();
    const ip = '10.8.8.8';
    for (const attempt of [
      { email: '   ', password: 'the right password', ip },
      { email, password: '', ip },
      { email, password: 'x'.repeat(1025), ip },
      { email: `${'x'.repeat(320)}@login.test`, password: 'the right password', ip },
    ]) {
      expect(await checkLogin(deps({ passwords }), attempt)).toEqual({ userId: null, reason: 'invalid-input' });
    }
    expect(passwords.checks).toBe(0);
    expect(await db.models.LoginAttempt.countDocuments({ _id: { $in: [`ip|${ip}`, `${email}|${ip}`] } })).toBe(0);
  });
});

describe('the login throttle', () => {
  const limits = { perAccount: 3, perAddress: 100 };

  it('locks an account out from one address after the limit of failures, even for the right password', async () => {
    const { user, attempt } = await account();
    for (let i = 0; i < 3; i++) expect(await checkLogin(deps({ limits }), attempt('the wrong password'))).toMatchObject({ reason: 'wrong-password' });
    const err = await appErrorFrom(checkLogin(deps({ limits }), attempt('the right password')));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', message: LOGIN_THROTTLED, details: { retryAfterSeconds: 900 } });
    // From another address the account is not locked.
    expect(await checkLogin(deps({ limits }), attempt('the right password', '10.200.0.1'))).toEqual({ userId: user._id });
  });

  it('starts over once the 15-minute window has passed', async () => {
    const { user, attempt } = await account();
    for (let i = 0; i < 3; i++) await checkLogin(deps({ limits }), attempt('the wrong password'));
    expect((await appErrorFrom(checkLogin(deps({ limits, now: minutesFrom(start, 14) }), attempt('the right password')))).code).toBe('RATE_LIMITED');
    expect(await checkLogin(deps({ limits, now: minutesFrom(start, 15) }), attempt('the right password'))).toEqual({ userId: user._id });
  });

  it('forgets an account’s failures from an address once it signs in from there', async () => {
    const { user, attempt } = await account();
    for (let i = 0; i < 2; i++) await checkLogin(deps({ limits }), attempt('the wrong password'));
    expect(await checkLogin(deps({ limits }), attempt('the right password'))).toEqual({ userId: user._id });
    for (let i = 0; i < 3; i++) expect(await checkLogin(deps({ limits }), attempt('the wrong password'))).toMatchObject({ reason: 'wrong-password' });
    expect((await appErrorFrom(checkLogin(deps({ limits }), attempt('the wrong password')))).code).toBe('RATE_LIMITED');
  });

  it('gives parallel guesses no more password checks than the limit', async () => {
    const { attempt } = await account();
    const passwords = countingPasswords();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => checkLogin(deps({ limits, passwords }), attempt('a parallel guess'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'RATE_LIMITED')).toBe(true);
    expect(passwords.checks).toBe(3);
  });

  it('stops one address walking through many accounts at the per-address limit, without spending the next account’s attempts', async () => {
    const ip = '10.77.0.1';
    const tight = { perAccount: 1, perAddress: 3 };
    for (let i = 0; i < 3; i++) expect(await checkLogin(deps({ limits: tight }), { email: `walk${i}@login.test`, password: 'a guess', ip })).toMatchObject({ reason: 'unknown-user' });
    const { user, attempt } = await account();
    expect((await appErrorFrom(checkLogin(deps({ limits: tight }), attempt('the right password', ip)))).code).toBe('RATE_LIMITED');
    // The refused account's one attempt was given back: with room at the address, it gets in at once.
    expect(await checkLogin(deps({ limits: { perAccount: 1, perAddress: 10 } }), attempt('the right password', ip))).toEqual({ userId: user._id });
  });

  it('applies ten failures per account and address unless configured otherwise', async () => {
    const { attempt } = await account();
    for (let i = 0; i < 10; i++) expect(await checkLogin(deps(), attempt('the wrong password'))).toMatchObject({ reason: 'wrong-password' });
    expect((await appErrorFrom(checkLogin(deps(), attempt('the right password')))).code).toBe('RATE_LIMITED');
  });
});
