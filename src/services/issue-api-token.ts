import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Models } from '../store/models/index.js';
import { hashPassword, verifyPassword } from '../store/passwords.js';
import { hashApiToken, newApiToken } from './api-token-codec.js';
import { parseInput } from './validate.js';

export interface IssueApiTokenDeps {
  models: Pick<Models, 'User' | 'ApiToken'>;
  now: () => Date;
  logger: Logger;
  /** Lifetime of a new token; 90 days unless configured. */
  tokenTtlDays?: number;
}

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(320),
  // Bounded so a login cannot make argon2 hash megabytes.
  password: z.string().min(1).max(1024),
  label: z.string().trim().max(100).optional(),
});

export const INVALID_CREDENTIALS = 'Invalid email or password';

let dummyHash: Promise<string> | undefined;

/** A real argon2 hash of nothing in particular, so unknown emails cost the same time as known ones. */
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/**
 * Exchanges email and password for a new API token. Every refusal (unknown email, wrong password,
 * disabled user) is the same 401, after the same argon2 work, so accounts cannot be enumerated.
 * Only the token's SHA-256 is stored; the token itself is returned once.
 */
export async function issueApiToken(deps: IssueApiTokenDeps, input: unknown): Promise<{ token: string; expiresAt: Date }> {
  const { email, password, label } = parseInput(credentialsSchema, input, 'Credentials');
  const user = await deps.models.User.findOne({ email }).select('+passwordHash').lean();
  const ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password);
  if (!user || !ok || user.disabled) {
    deps.logger.info({ reason: !user ? 'unknown-user' : !ok ? 'wrong-password' : 'disabled' }, 'API token refused');
    throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS);
  }
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + (deps.tokenTtlDays ?? 90) * 86_400_000);
  const token = newApiToken();
  await deps.models.ApiToken.create({ userId: user._id, tokenHash: hashApiToken(token), label: label ?? null, createdAt: now, expiresAt });
  await deps.models.User.updateOne({ _id: user._id }, { $set: { lastLoginAt: now } });
  deps.logger.info({ userId: user._id.toHexString() }, 'API token issued');
  return { token, expiresAt };
}
