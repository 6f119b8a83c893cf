import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import { hashApiToken, newApiToken } from './api-token-codec.js';
import { checkLogin, type CheckLoginDeps } from './check-login.js';
import type { LoginLimits } from './login-throttle.js';
import { parseInput } from '../validate.js';

export interface IssueApiTokenDeps {
  users: CheckLoginDeps['users'];
  loginAttempts: CheckLoginDeps['loginAttempts'];
  apiTokens: Pick<ApiTokenStore, 'create'>;
  passwords: CheckLoginDeps['passwords'];
  now: () => Date;
  logger: Logger;
  /** Lifetime of a new token; 90 days unless configured. */
  tokenTtlDays?: number;
  /** The login throttle's limits, shared with the sign-in page; its defaults unless given. */
  loginLimits?: LoginLimits;
}

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(320),
  // Bounded so a login cannot make argon2 hash megabytes.
  password: z.string().min(1).max(1024),
  label: z.string().trim().max(100).optional(),
});

export const INVALID_CREDENTIALS = 'Invalid email or password';

/**
 * Exchanges email and password for a new API token, under the same login throttle as the sign-in
 * page (`ip` is the caller's address): a locked-out account gets RATE_LIMITED even with the right
 * password. Every other refusal (unknown email, wrong password, disabled user) is the same 401,
 * after the same argon2 work, so accounts cannot be enumerated. Only the token's SHA-256 is stored;
 * the token itself is returned once.
 */
export async function issueApiToken(deps: IssueApiTokenDeps, input: unknown, ip: string): Promise<{ token: string; expiresAt: Date }> {
  const { email, password, label } = parseInput(credentialsSchema, input, 'Credentials');
  const checked = await checkLogin(deps, { email, password, ip });
  if (!checked.userId) {
    deps.logger.info({ reason: checked.reason }, 'API token refused');
    throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS, { key: 'auth.invalidCredentials' });
  }
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + (deps.tokenTtlDays ?? 90) * 86_400_000);
  const token = newApiToken();
  await deps.apiTokens.create({ userId: checked.userId, tokenHash: hashApiToken(token), label: label ?? null, createdAt: now, expiresAt });
  deps.logger.info({ userId: checked.userId.toHexString() }, 'API token issued');
  return { token, expiresAt };
}
