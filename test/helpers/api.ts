import { Writable } from 'node:stream';
import pino from 'pino';
import type { Types } from 'mongoose';
import { createBlobStore, type BlobStore } from '../../src/store/blob-store.js';
import type { Models } from '../../src/store/models/index.js';
import type { Stores } from '../../src/store/stores.js';
import type { UserRole } from '../../src/store/models/user.js';
import type { PasswordHasher } from '../../src/services/ports.js';
import { hashPassword, verifyPassword } from '../../src/store/passwords.js';
import { createSecretBox, type SecretBox } from '../../src/store/secret-box.js';
import type { AutomationDeps } from '../../src/web/api/automation-routes.js';
import { createApp } from '../../src/web/create-app.js';
import { openTestDb } from './db.js';
import { serve } from './http.js';
import { compose, noJobs } from './use-case-deps.js';

export const TEST_SECRET_KEY = 'test-secret-key-'.padEnd(40, 'x');

/** The app's password hashing (argon2id), as the composition root passes it to the web layer. */
export const TEST_PASSWORDS: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

/** A running app with the JSON API on a fresh database, a settable clock and captured logs. */
export interface ApiHarness {
  base: string;
  models: Models;
  stores: Stores;
  secrets: SecretBox;
  blobs: BlobStore;
  connection: Awaited<ReturnType<typeof openTestDb>>['connection'];
  /** Everything the app logged, as one string (to check that secrets never appear). */
  logs(): string;
  /** Moves the app's clock; `null` goes back to real time. */
  setNow(date: Date | null): void;
  close(): Promise<void>;
}

/**
 * Starts the app's JSON API on a fresh database. With `refreshSla`, the routes that need the SLA and
 * outbox use cases (merge, SLA policy, team level) are on too, re-planning through it; nothing is mailed.
 */
export async function startApi(prefix: string, opts: { refreshSla?: (ticketId: Types.ObjectId) => Promise<void> } = {}): Promise<ApiHarness> {
  const db = await openTestDb(prefix);
  const captured: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      captured.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const blobs = createBlobStore(db.connection.db!);
  let fixedNow: Date | null = null;
  const now = () => fixedNow ?? new Date();
  const automation = opts.refreshSla
    ? ({ ...db.stores, now, refreshSla: opts.refreshSla, scheduler: noJobs, compose, sign: (() => '') as never, render: (async () => ({})) as never, ticketUrlBase: null } satisfies AutomationDeps)
    : undefined;
  const app = createApp({
    logger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, ...(automation ? { automation } : {}) },
  });
  const server = await serve(app);
  return {
    base: `${server.base}/api/v1`,
    models: db.models,
    stores: db.stores,
    secrets,
    blobs,
    connection: db.connection,
    logs: () => captured.join(''),
    setNow: (date) => void (fixedNow = date),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** Creates a user directly in the database. */
export async function createUser(
  models: Models,
  user: { email: string; password: string; role?: UserRole; inboxIds?: Types.ObjectId[]; disabled?: boolean; name?: string },
) {
  const { password, ...rest } = user;
  return models.User.create({ role: 'agent', ...rest, passwordHash: await hashPassword(password) });
}

/** A JSON response: status, headers, raw text and parsed body. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Calls the API with an optional bearer token and JSON body. */
export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Logs in through the API and returns the bearer token. */
export async function login(base: string, email: string, password: string): Promise<string> {
  const res = await call(base, 'POST', '/auth/token', { body: { email, password } });
  if (res.status !== 201) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.token as string;
}
