import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Models } from '../store/models/index.js';
import { hashPassword, verifyPassword } from '../store/passwords.js';

let dummyHash: Promise<string> | undefined;

// Unknown emails run argon2 on this hash, so they take as long as wrong passwords.
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/**
 * Checks an email and password for a browser login: the user's id, or null for an unknown email, a
 * wrong password or a disabled user alike, after the same argon2 work, so accounts cannot be probed.
 */
export async function checkLogin(
  deps: { models: Pick<Models, 'User'>; now: () => Date },
  email: string,
  password: string,
): Promise<Types.ObjectId | null> {
  const normalized = email.trim().toLowerCase();
  // Bounded so a login cannot make argon2 hash megabytes or MongoDB match a huge string.
  if (!normalized || normalized.length > 320 || !password || password.length > 1024) return null;
  const user = await deps.models.User.findOne({ email: normalized }).select('+passwordHash').lean();
  const ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password);
  if (!user || !ok || user.disabled) return null;
  await deps.models.User.updateOne({ _id: user._id }, { $set: { lastLoginAt: deps.now() } });
  return user._id;
}
