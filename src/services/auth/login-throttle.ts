import { AppError } from '../../domain/errors.js';
import { LOGIN_WINDOW_SECONDS } from '../../domain/user-rules.js';
import type { LoginAttemptStore } from '../../store/login-attempt-store.js';

/** Failed attempts allowed per account and address, and per address alone, within the window. */
export interface LoginLimits {
  perAccount: number;
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 100 };

export interface LoginThrottleDeps {
  loginAttempts: Pick<LoginAttemptStore, 'takeSlot' | 'giveBack' | 'forget'>;
  now: () => Date;
  limits?: LoginLimits;
}

/** The refusal of a throttled login, the same for the sign-in page and the token route. */
export const LOGIN_THROTTLED = `Too many failed sign-in attempts. Please wait ${LOGIN_WINDOW_SECONDS / 60} minutes and try again.`;

const keys = (email: string, ip: string) => ({ account: `${email.trim().toLowerCase()}|${ip}`, address: `ip|${ip}` });

/**
 * Takes one slot under `limit` on a counter (atomically, see the store). The window starts at the
 * first attempt and the counter starts over once it has passed.
 */
function takeSlot(deps: LoginThrottleDeps, key: string, limit: number, now: Date): Promise<boolean> {
  return deps.loginAttempts.takeSlot(key, limit, now, new Date(now.getTime() + LOGIN_WINDOW_SECONDS * 1000));
}

/**
 * Reserves one login attempt for this email from this address BEFORE the password is checked, so
 * N parallel guesses get at most the limit of password checks. A reservation counts as a failure
 * unless {@link releaseLoginAttempt} follows a success. Throws RATE_LIMITED when either limit is
 * spent. The per-address limit is higher so colleagues behind one NAT are not locked out by one
 * another's typos, but it still stops one client from walking through many accounts.
 */
export async function reserveLoginAttempt(deps: LoginThrottleDeps, email: string, ip: string): Promise<void> {
  const limits = deps.limits ?? DEFAULT_LOGIN_LIMITS;
  const now = deps.now();
  const k = keys(email, ip);
  const refused = new AppError('RATE_LIMITED', LOGIN_THROTTLED, {
    details: { retryAfterSeconds: LOGIN_WINDOW_SECONDS },
    key: 'auth.throttled',
    params: { minutes: LOGIN_WINDOW_SECONDS / 60 },
  });
  if (!(await takeSlot(deps, k.account, limits.perAccount, now))) throw refused;
  if (!(await takeSlot(deps, k.address, limits.perAddress, now))) {
    await deps.loginAttempts.giveBack(k.account);
    throw refused;
  }
}

/** A successful login forgets the account's failures from that address and returns its address slot. */
export async function releaseLoginAttempt(deps: LoginThrottleDeps, email: string, ip: string): Promise<void> {
  const k = keys(email, ip);
  await deps.loginAttempts.forget(k.account);
  await deps.loginAttempts.giveBack(k.address);
}
