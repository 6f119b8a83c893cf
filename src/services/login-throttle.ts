import type { Models } from '../store/models/index.js';
import { LOGIN_FAILURE_WINDOW_SECONDS } from '../store/models/login-failure.js';

/** Failures allowed per account and address, and per address alone, within the window. */
export interface LoginLimits {
  perAccount: number;
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 100 };

export interface LoginThrottleDeps {
  models: Pick<Models, 'LoginFailure'>;
  now: () => Date;
  limits?: LoginLimits;
}

const keys = (email: string, ip: string) => ({ account: `${email.trim().toLowerCase()}|${ip}`, address: `ip|${ip}` });

/**
 * Whether this email from this address may try to log in now. The per-address limit is higher so
 * colleagues behind one NAT are not locked out by one another's typos, but it still stops one client
 * from walking through many accounts.
 */
export async function loginAllowed(deps: LoginThrottleDeps, email: string, ip: string): Promise<boolean> {
  const limits = deps.limits ?? DEFAULT_LOGIN_LIMITS;
  const since = new Date(deps.now().getTime() - LOGIN_FAILURE_WINDOW_SECONDS * 1000);
  const k = keys(email, ip);
  const [account, address] = await Promise.all([
    deps.models.LoginFailure.countDocuments({ key: k.account, at: { $gt: since } }),
    deps.models.LoginFailure.countDocuments({ key: k.address, at: { $gt: since } }),
  ]);
  return account < limits.perAccount && address < limits.perAddress;
}

/** Counts one failed attempt against the account and the address. */
export async function recordLoginFailure(deps: LoginThrottleDeps, email: string, ip: string): Promise<void> {
  const at = deps.now();
  const k = keys(email, ip);
  await deps.models.LoginFailure.insertMany([{ key: k.account, at }, { key: k.address, at }]);
}

/** A successful login forgets the account's failures from that address. */
export async function clearLoginFailures(deps: LoginThrottleDeps, email: string, ip: string): Promise<void> {
  await deps.models.LoginFailure.deleteMany({ key: keys(email, ip).account });
}
