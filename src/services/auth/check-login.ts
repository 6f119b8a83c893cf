import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { UserStore } from '../../store/user-store.js';
import type { PasswordHasher } from '../ports.js';
import { releaseLoginAttempt, reserveLoginAttempt, type LoginLimits, type LoginThrottleDeps } from './login-throttle.js';

export interface CheckLoginDeps {
  users: Pick<UserStore, 'findByEmailWithPasswordHash' | 'recordLogin'>;
  loginAttempts: LoginThrottleDeps['loginAttempts'];
  passwords: PasswordHasher;
  now: () => Date;
  /** Per-account and per-address limits; the defaults of the login throttle unless given. */
  loginLimits?: LoginLimits;
}

/** Someone's email and password, and the address they came from (for the throttle). */
export interface LoginAttempt {
  email: string;
  password: string;
  ip: string;
}

/** The user let in, or why not (for the log only: every refusal looks the same to the caller). */
export type LoginCheck = { userId: Types.ObjectId } | { userId: null; reason: 'invalid-input' | 'unknown-user' | 'wrong-password' | 'disabled' };

let dummyHash: Promise<string> | undefined;

// Unknown emails run argon2 on this hash, so they take as long as wrong passwords.
function getDummyHash(passwords: PasswordHasher): Promise<string> {
  dummyHash ??= passwords.hash(randomBytes(16).toString('hex'));
  return dummyHash;
}

/**
 * Checks an email and password, for the sign-in page and the API token route alike, so both spend
 * one throttle budget. The attempt is reserved before argon2 runs (throws RATE_LIMITED when the
 * account or the address has no attempts left). Unknown emails, wrong passwords and disabled users
 * are refused after the same argon2 work, so accounts cannot be probed.
 */
export async function checkLogin(deps: CheckLoginDeps, attempt: LoginAttempt): Promise<LoginCheck> {
  const email = attempt.email.trim().toLowerCase();
  const { password, ip } = attempt;
  // Bounded so a login cannot make argon2 hash megabytes or MongoDB match a huge string.
  if (!email || email.length > 320 || !password || password.length > 1024) return { userId: null, reason: 'invalid-input' };
  const throttle = { loginAttempts: deps.loginAttempts, now: deps.now, ...(deps.loginLimits ? { limits: deps.loginLimits } : {}) };
  await reserveLoginAttempt(throttle, email, ip);
  const user = await deps.users.findByEmailWithPasswordHash(email);
  const ok = await deps.passwords.verify(user?.passwordHash ?? (await getDummyHash(deps.passwords)), password);
  if (!user || !ok || user.disabled) return { userId: null, reason: !user ? 'unknown-user' : !ok ? 'wrong-password' : 'disabled' };
  await releaseLoginAttempt(throttle, email, ip);
  await deps.users.recordLogin(user._id, deps.now());
  return { userId: user._id };
}
