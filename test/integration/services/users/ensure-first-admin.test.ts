import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../../../src/services/users/ensure-first-admin.js';
import { TEST_PASSWORDS } from '../../../helpers/api.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const configured = { admin: { email: 'boss@first.test', password: 'configured password' }, env: 'production' };

beforeAll(async () => {
  db = await openTestDb('first_admin');
});
// Every rule here is about a database without users.
beforeEach(async () => {
  await db.models.User.deleteMany({});
});
afterAll(() => db.drop());

/** A logger whose lines the test can read back, parsed. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}
const deps = (logger = testLogger) => ({ users: db.stores.users, passwords: TEST_PASSWORDS, logger });
const passwordOf = async (email: string) => (await db.stores.users.findByEmailWithPasswordHash(email))!.passwordHash;

describe('ensureFirstAdmin', () => {
  it('creates the first admin from the configured email and password when no user exists', async () => {
    expect(await ensureFirstAdmin(deps(), configured)).toEqual({ created: true, email: 'boss@first.test' });
    const users = await db.stores.users.listByEmail();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: 'boss@first.test', role: 'admin', name: 'Administrator', disabled: false });
    expect(await TEST_PASSWORDS.verify(await passwordOf('boss@first.test'), 'configured password')).toBe(true);
  });

  it('does nothing once any user exists, even one who is not an admin', async () => {
    await db.stores.users.create({ email: 'agent@first.test', role: 'agent', passwordHash: 'x' });
    expect(await ensureFirstAdmin(deps(), configured)).toEqual({ created: false });
    expect((await db.stores.users.listByEmail()).map((u) => u.email)).toEqual(['agent@first.test']);
  });

  it('creates one admin when run again, or by several processes starting at once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureFirstAdmin(deps(), configured)));
    expect(results.filter((r) => r.created)).toEqual([{ created: true, email: 'boss@first.test' }]);
    expect(await ensureFirstAdmin(deps(), configured)).toEqual({ created: false });
    expect(await db.models.User.countDocuments()).toBe(1);
  });

  it('outside production, without configuration, creates admin@localhost with a generated password printed once in the log', async () => {
    const { logger, lines } = capturingLogger();
    expect(await ensureFirstAdmin(deps(logger), { admin: null, env: 'development' })).toEqual({ created: true, email: 'admin@localhost' });
    const printed = lines.filter((l) => 'initialPassword' in l);
    expect(printed).toHaveLength(1);
    const password = String(printed[0]!.initialPassword);
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(await TEST_PASSWORDS.verify(await passwordOf('admin@localhost'), password)).toBe(true);
  });

  it('never prints a configured password', async () => {
    const { logger, lines } = capturingLogger();
    await ensureFirstAdmin(deps(logger), { ...configured, env: 'development' });
    expect(JSON.stringify(lines)).not.toContain('configured password');
  });

  it('in production, without configuration, creates nobody and warns how to create the first admin', async () => {
    const { logger, lines } = capturingLogger();
    expect(await ensureFirstAdmin(deps(logger), { admin: null, env: 'production' })).toEqual({ created: false });
    expect(await db.models.User.countDocuments()).toBe(0);
    expect(lines.some((l) => l.level === 40 && String(l.msg).includes('ADMIN_EMAIL'))).toBe(true);
  });
});
