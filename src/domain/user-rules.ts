/** The rules for people's accounts that do not depend on storage: password lengths, link lifetime, admin guards. */

/** NIST SP 800-63B §5.1.1.2 puts length before composition rules; 12 is the floor here. */
export const PASSWORD_MIN_LENGTH = 12;
/** Bounded so a form cannot make argon2 hash megabytes. */
export const PASSWORD_MAX_LENGTH = 1024;
/** How long an invite or password-reset link stays usable. */
export const PASSWORD_LINK_TTL_MS = 72 * 3600_000;
/** How long a failed login attempt counts against the login throttle. */
export const LOGIN_WINDOW_SECONDS = 15 * 60;

/** A user as far as the admin guards care. */
export interface AccountState {
  role: 'admin' | 'manager' | 'agent';
  disabled: boolean;
}

/** Why a change to an account is refused: the last active admin, or an admin acting on themself. */
export type AccountChangeRefusal = 'last-admin' | 'self';

/** Whether the account counts as an active admin (one who can still sign in and manage users). */
export function isActiveAdmin(state: AccountState): boolean {
  return state.role === 'admin' && !state.disabled;
}

/**
 * Checks a change of role or disabled flag. Refused: anything that leaves no active admin (there
 * would be no way back in but the database), and an admin demoting or disabling themself (they would
 * lock themself out mid-session; another admin can do it). The last-admin rule is checked first.
 */
export function accountChangeRefusal(input: {
  before: AccountState;
  after: AccountState;
  /** Active admins right now, the target included if they are one. */
  activeAdmins: number;
  /** Whether the actor is changing their own account. */
  self: boolean;
}): AccountChangeRefusal | null {
  const losesAdmin = isActiveAdmin(input.before) && !isActiveAdmin(input.after);
  if (!losesAdmin) return null;
  if (input.activeAdmins <= 1) return 'last-admin';
  if (input.self) return 'self';
  return null;
}

/** When a password link issued at `now` stops working. */
export function passwordLinkExpiry(now: Date): Date {
  return new Date(now.getTime() + PASSWORD_LINK_TTL_MS);
}
