import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { UserStore } from '../../store/user-store.js';
import type { PasswordHasher } from '../ports.js';

export interface EnsureFirstAdminDeps {
  users: Pick<UserStore, 'estimatedCount' | 'create'>;
  passwords: Pick<PasswordHasher, 'hash'>;
  logger: Logger;
}

/**
 * Creates the first admin when no user exists: from ADMIN_EMAIL/ADMIN_PASSWORD, or outside production
 * with a generated password printed once, so a fresh `npm start` can be logged into. Idempotent across
 * processes: the unique email index lets only one creation win.
 */
export async function ensureFirstAdmin(
  deps: EnsureFirstAdminDeps,
  opts: { admin: { email: string; password: string } | null; env: string },
): Promise<{ created: boolean; email?: string }> {
  if ((await deps.users.estimatedCount()) > 0) return { created: false };
  let admin = opts.admin;
  let generated = false;
  if (!admin) {
    if (opts.env === 'production') {
      deps.logger.warn('no users exist: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin');
      return { created: false };
    }
    admin = { email: 'admin@localhost', password: randomBytes(12).toString('base64url') };
    generated = true;
  }
  try {
    await deps.users.create({ email: admin.email, name: 'Administrator', role: 'admin', passwordHash: await deps.passwords.hash(admin.password) });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return { created: false };
    throw err;
  }
  if (generated) {
    // Printed once, on purpose: the only way into a zero-configuration development install.
    deps.logger.warn({ email: admin.email, initialPassword: admin.password }, 'created the first admin with a generated password; change it after logging in');
  } else {
    deps.logger.info({ email: admin.email }, 'created the first admin from ADMIN_EMAIL');
  }
  return { created: true, email: admin.email };
}
