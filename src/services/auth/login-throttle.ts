import { AppError } from '../../domain/errors.js';
import type { Models } from '../../store/models/index.js';
import type { LoginAttemptModel } from '../../store/models/login-attempt.js';
import { LOGIN_WINDOW_SECONDS } from '../../store/models/login-attempt.js';

/** Failed attempts allowed per account and address, and per address alone, within the window. */
export interface LoginLimits {
  perAccount: number;
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 100 };

export interface LoginThrottleDeps {
  models: Pick<Models, 'LoginAttempt'>;
  now: () => Date;
  limits?: LoginLimits;
}

/** The refusal of a throttled login, the same for the sign-in page and the token route. */
export const LOGIN_THROTTLED = `Too many failed sign-in attempts. Please wait ${LOGIN_WINDOW_SECONDS / 60} minutes and try again.`;

const keys = (email: string, ip: string) => ({ account: `${email.trim().toLowerCase()}|${ip}`, address: `ip|${ip}` });

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Takes one slot under `limit` on a counter, in single atomic writes: parallel callers can never
 * take more slots than the limit. The window starts at the first attempt and the counter starts
 * over once it has passed.
 */
async function takeSlot(model: LoginAttemptModel, key: string, limit: number, now: Date): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + LOGIN_WINDOW_SECONDS * 1000);
  // A second round only matters when another request created the counter between our steps.
  for (let round = 0; round < 2; round++) {
    const taken = await model.updateOne({ _id: key, expiresAt: { $gt: now }, count: { $lt: limit } }, { $inc: { count: 1 } });
    if (taken.matchedCount) return true;
    const restarted = await model.updateOne({ _id: key, expiresAt: { $lte: now } }, { $set: { count: 1, expiresAt } });
    if (restarted.matchedCount) return true;
    try {
      await model.create({ _id: key, count: 1, expiresAt });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return false;
}

const giveBack = (model: LoginAttemptModel, key: string) => model.updateOne({ _id: key, count: { $gt: 0 } }, { $inc: { count: -1 } });

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
  const refused = new AppError('RATE_LIMITED', LOGIN_THROTTLED, { details: { retryAfterSeconds: LOGIN_WINDOW_SECONDS } });
  if (!(await takeSlot(deps.models.LoginAttempt, k.account, limits.perAccount, now))) throw refused;
  if (!(await takeSlot(deps.models.LoginAttempt, k.address, limits.perAddress, now))) {
    await giveBack(deps.models.LoginAttempt, k.account);
    throw refused;
  }
}

/** A successful login forgets the account's failures from that address and returns its address slot. */
export async function releaseLoginAttempt(deps: LoginThrottleDeps, email: string, ip: string): Promise<void> {
  const k = keys(email, ip);
  await deps.models.LoginAttempt.deleteOne({ _id: k.account });
  await giveBack(deps.models.LoginAttempt, k.address);
}
