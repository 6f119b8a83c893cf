import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Passwords from '../../../src/store/passwords.js';
import { call, createUser } from '../../helpers/api.js';
import { clockNearRealTime, minutesFrom } from '../../helpers/clock.js';
import { Client } from './pages-harness.js';
import { startPagesAndApi } from './pages-api-harness.js';

// Every argon2 verification the app makes, so a test can count the password checks an attacker got.
const checks = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/store/passwords.js', async (importOriginal) => {
  const original = await importOriginal<typeof Passwords>();
  return {
    ...original,
    verifyPassword: async (hash: string, password: string) => {
      checks.count++;
      return original.verifyPassword(hash, password);
    },
  };
});

let h: Awaited<ReturnType<typeof startPagesAndApi>>;
const PASSWORD = 'the right password 123';
const LIMIT = 10;
let n = 0;

beforeAll(async () => {
  // A high per-address limit, so the tests sharing 127.0.0.1 meet only the per-account one.
  h = await startPagesAndApi('throttle_bypass', { perAccount: LIMIT, perAddress: 1000 });
});
afterAll(async () => h.close());
beforeEach(() => void (checks.count = 0));

async function freshAccount(): Promise<string> {
  const email = `victim${++n}@example.test`;
  await createUser(h.models, { email, password: PASSWORD });
  return email;
}

/** One web login with a fresh client (its own login-form CSRF cookie), as a parallel attacker would. */
async function pageLogin(email: string, password: string) {
  return new Client(h.base).login(email, password);
}

const tokenLogin = (email: string, password: string) => call(h.api, 'POST', '/auth/token', { body: { email, password } });

describe('the API token route had no login throttle', () => {
  it('gives no token to an account locked out of the web login, even for the right password', async () => {
    const email = await freshAccount();
    for (let i = 0; i < LIMIT; i++) expect((await pageLogin(email, `wrong ${i}`)).status).toBe(401);
    const res = await tokenLogin(email, PASSWORD);
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.body.token).toBeUndefined();
  });

  it('locks the web login after wrong guesses at the token route', async () => {
    const email = await freshAccount();
    for (let i = 0; i < LIMIT; i++) expect((await tokenLogin(email, `wrong ${i}`)).status).toBe(401);
    expect((await tokenLogin(email, PASSWORD)).status).toBe(429);
    const page = await pageLogin(email, PASSWORD);
    expect(page.status).toBe(429);
    expect(page.text).toContain('Too many failed sign-in attempts');
  });

  it('lets the account in again once the window has passed', async () => {
    const email = await freshAccount();
    for (let i = 0; i < LIMIT; i++) await tokenLogin(email, `wrong ${i}`);
    expect((await tokenLogin(email, PASSWORD)).status).toBe(429);
    try {
      h.setNow(minutesFrom(clockNearRealTime(), 16));
      expect((await tokenLogin(email, PASSWORD)).status).toBe(201);
    } finally {
      h.setNow(null);
    }
  });
});

describe('parallel wrong logins beat the limit', () => {
  it('makes at most the limit of password checks for 40 parallel web logins', async () => {
    const email = await freshAccount();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pageLogin(email, `wrong ${i}`)));
    expect(checks.count).toBeLessThanOrEqual(LIMIT);
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect((await pageLogin(email, PASSWORD)).status).toBe(429);
  });

  it('makes at most the limit of password checks for 40 parallel token requests', async () => {
    const email = await freshAccount();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => tokenLogin(email, `wrong ${i}`)));
    expect(checks.count).toBeLessThanOrEqual(LIMIT);
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect((await tokenLogin(email, PASSWORD)).status).toBe(429);
  });

  it('shares one budget between the web login and the token route', async () => {
    const email = await freshAccount();
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? pageLogin(email, `wrong ${i}`) : tokenLogin(email, `wrong ${i}`))));
    expect(checks.count).toBeLessThanOrEqual(LIMIT);
    expect((await tokenLogin(email, PASSWORD)).status).toBe(429);
    expect((await pageLogin(email, PASSWORD)).status).toBe(429);
  });

  it('still lets the right password in under the limit, and a success clears the account\'s failures', async () => {
    const email = await freshAccount();
    for (let i = 0; i < LIMIT - 1; i++) await pageLogin(email, `wrong ${i}`);
    expect((await tokenLogin(email, PASSWORD)).status).toBe(201);
    for (let i = 0; i < LIMIT - 1; i++) expect((await tokenLogin(email, `wrong again ${i}`)).status).toBe(401);
    expect((await pageLogin(email, PASSWORD)).status).toBe(303);
  });
});

describe('parallel guesses across many accounts from one address', () => {
  it('make at most the per-address limit of password checks, and a success gives its slot back', async () => {
    const app = await startPagesAndApi('throttle_address', { perAccount: LIMIT, perAddress: 5 });
    try {
      const tokenAt = (email: string, password: string) => call(app.api, 'POST', '/auth/token', { body: { email, password } });
      await createUser(app.models, { email: 'colleague@example.test', password: PASSWORD });
      for (let i = 0; i < 4; i++) expect((await tokenAt('colleague@example.test', PASSWORD)).status).toBe(201);
      expect(checks.count).toBe(4);
      checks.count = 0;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => tokenAt(`guess${i}@example.test`, 'wrong')));
      expect(checks.count).toBeLessThanOrEqual(5);
      expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(15);
    } finally {
      await app.close();
    }
  });
});
