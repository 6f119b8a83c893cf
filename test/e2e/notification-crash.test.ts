import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevDb } from '../../src/devdb/server.js';
import { connectMongo } from '../../src/store/database.js';
import { createModels, type Models } from '../../src/store/models/index.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { rawMail } from '../helpers/mail.js';
import { freePort, spawnEntry, type Spawned } from '../helpers/process.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

// `npm start` (every role in one process, the built-in database) killed with SIGKILL inside the
// notification mail job, then restarted: each batch still reaches the agent as exactly one mail.

const HOST = '127.0.0.1';
const MAILBOX = 'support@notify-crash.example.test';
const ADMIN = { email: 'admin@notify-crash.example.test', password: 'admin password for the crash test' };
const PASSWORD = 'agent password for the crash test';
const LOCK_LIFETIME_MS = 3000;

let dovecot: DovecotServer;
let smtp: TestSmtp;
let dataDir: string;
let base: string;
let env: Record<string, string>;
let adminToken = '';
let inboxId = '';
const tickets: string[] = [];
const running: Spawned[] = [];

beforeAll(async () => {
  dovecot = await startDovecot([MAILBOX]);
  smtp = await startSmtp();
  dataDir = mkdtempSync(path.join(tmpdir(), 'tl-notify-crash-'));
  const port = await freePort();
  base = `http://${HOST}:${port}`;
  env = {
    PORT: String(port),
    HOST,
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    POLLER_RESCAN_MS: '200',
    JOBS_PROCESS_EVERY_MS: '100',
    JOBS_LOCK_LIFETIME_MS: String(LOCK_LIFETIME_MS),
    // The batch's mail goes out 1.5 s after the assignment, not 10 s (time for the API to answer first).
    NOTIFY_COLLECT_MS: '1500',
  };
}, 60_000);
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await smtp?.close();
  await dovecot?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function start(crashAt?: string): Spawned {
  const app = spawnEntry('src/server.ts', { ...env, ...(crashAt ? { THREADLINE_TEST_CRASH_AT: crashAt } : {}) }, ['all']);
  running.push(app);
  return app;
}

const alive = (app: Spawned) => app.child.exitCode === null && app.child.signalCode === null;

/** Waits until the app answers /healthz; fails at once, with its output, if it exits first. */
async function serving(app: Spawned): Promise<void> {
  await expect
    .poll(async () => {
      if (!alive(app)) throw new Error(`the app exited before serving:\n${app.output()}`);
      return (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.status;
    }, { timeout: 60_000, interval: 200 })
    .toBe(200);
}

async function stop(app: Spawned): Promise<void> {
  app.child.kill('SIGTERM');
  const exit = await app.exited;
  expect(exit.code, app.output()).toBe(0);
}

async function api(method: string, route: string, body?: unknown, token = adminToken) {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
}

async function login(email: string, password: string): Promise<string> {
  const res = await api('POST', '/auth/token', { email, password }, '');
  expect(res.status).toBe(201);
  return String(res.body.token);
}

/** The admin, the inbox (real IMAP and SMTP) and two customer tickets, once, through the API and Dovecot. */
async function setUpOnce(): Promise<void> {
  if (inboxId) return;
  adminToken = await login(ADMIN.email, ADMIN.password);
  const inbox = await api('POST', '/inboxes', {
    name: 'Support', address: MAILBOX,
    imap: { host: HOST, port: dovecot.port, secure: false, user: MAILBOX, password: dovecot.password },
    smtp: { host: HOST, port: smtp.port, secure: false },
  });
  expect(inbox.status, JSON.stringify(inbox.body)).toBe(201);
  inboxId = String(inbox.body.id);
  for (const n of [1, 2]) await dovecot.append(MAILBOX, rawMail({ from: `customer${n}@customer.test`, to: MAILBOX, messageId: `order-${n}@customer.test`, subject: `Order ${n} never arrived` }));
  await expect.poll(async () => (await api('GET', '/tickets')).body.items?.length, { timeout: 30_000, interval: 250 }).toBe(2);
  const items = (await api('GET', '/tickets')).body.items!;
  tickets.push(...items.map((t) => String(t.id)));
}

const mailsTo = (email: string) => smtp.received.filter((m) => m.rcptTo.includes(email));

/** The app's store, opened after a clean stop (the built-in database is the app's own while it runs). */
async function openStore(): Promise<{ models: Models; close(): Promise<void> }> {
  const server = await startDevDb({ host: HOST, port: 0, dataDir: path.join(dataDir, 'db') });
  const connection = await connectMongo(server.uri, { serverSelectionTimeoutMs: 5000, dbName: 'threadline' }, pino({ level: 'silent' }));
  return {
    models: createModels(connection),
    async close() {
      await connection.close();
      await server.close();
    },
  };
}

/**
 * Restarts the app (no crash point) until the agent's mail has arrived and, at a clean stop, the
 * batch reads as sent. A job the killed process held runs again once its lock expired, so each round
 * stays up a lock lifetime (and a margin) past serving; a loaded machine may need a second round.
 */
async function restartUntilSent(email: string, whileServing: () => Promise<void>): Promise<{ models: Models; close(): Promise<void> }> {
  for (let round = 1; ; round++) {
    const app = start();
    await serving(app);
    const servedAt = Date.now();
    await expect.poll(() => mailsTo(email).length, { timeout: 45_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    await whileServing();
    await expect.poll(() => Date.now() - servedAt, { timeout: 2 * LOCK_LIFETIME_MS + 10_000, interval: 200 }).toBeGreaterThan(LOCK_LIFETIME_MS + 1500);
    await stop(app);
    const store = await openStore();
    const user = await store.models.User.findOne({ email }).lean();
    const waiting = await store.models.Notification.countDocuments({ userId: user!._id, mail: { $ne: 'sent' } });
    if (waiting === 0 || round === 3) return store;
    await store.close();
  }
}

/**
 * One agent, one ticket: the admin assigns it through the API, the app dies at `crashAt` inside the
 * mail job, comes back, and the agent gets one mail for the one batch, which is marked sent.
 */
async function scenario(crashAt: string, agent: { email: string; name: string }, ticketIndex: number): Promise<void> {
  // An app left running by a scenario that failed half-way would hold the port and the store.
  for (const p of running.filter(alive)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  const doomed = start(crashAt);
  await serving(doomed);
  await setUpOnce();
  const created = await api('POST', '/users', { email: agent.email, name: agent.name, password: PASSWORD, role: 'agent', inboxIds: [inboxId] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const agentId = String(created.body.id);
  const ticketId = tickets[ticketIndex]!;
  const assigned = await api('PATCH', `/tickets/${ticketId}`, { assigneeId: agentId });
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);

  // The mail job runs once the collect delay is over, and kills the process at the step.
  const died = await Promise.race([doomed.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000))]);
  expect(died?.signal, `the app did not die at ${crashAt}:\n${doomed.output()}`).toBe('SIGKILL');
  // It died at that very step: the batch claimed, its mail queued or not yet.
  const dead = await openStore();
  try {
    const claimed = await dead.models.Notification.find({ userId: agentId }).lean();
    expect(claimed.map((n) => n.mail)).toEqual(['batched']);
    const queued = await dead.models.Outbox.countDocuments({ dedupeKey: `notification:${claimed[0]!.mailBatch}` });
    expect(queued).toBe(crashAt === 'notification-queued' ? 1 : 0);
  } finally {
    await dead.close();
  }

  // The in-app notification is there once, as the agent sees it.
  const inApp = async () => {
    const token = await login(agent.email, PASSWORD);
    const listed = (await api('GET', '/notifications', undefined, token)).body.items ?? [];
    expect(listed.map((n) => [n.kind, (n.ticket as { id: string }).id])).toEqual([['assigned', ticketId]]);
  };
  const store = await restartUntilSent(agent.email, inApp);
  try {
    const { models } = store;
    const notes = await models.Notification.find({ userId: agentId }).lean();
    expect(notes.map((n) => [n.kind, n.ticketId.toHexString(), n.mail])).toEqual([['assigned', ticketId, 'sent']]);
    const batchId = notes[0]!.mailBatch!;
    expect(batchId).toBeTruthy();
    const outbox = await models.Outbox.find({ dedupeKey: `notification:${batchId}` }).lean();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.state).toBe('sent');
    expect(await models.Outbox.countDocuments({ 'envelope.to': agent.email })).toBe(1);

    // Exactly one mail reached the agent: the batch's, by its Message-ID.
    const received = mailsTo(agent.email);
    expect(received).toHaveLength(1);
    expect(/^Message-ID:\s*<([^>]+)>/im.exec(received[0]!.raw.toString())?.[1]).toBe(outbox[0]!.messageId);
  } finally {
    await store.close();
  }
}

describe('npm start killed with SIGKILL inside the notification mail job, then restarted', () => {
  it('after claiming a batch, before queueing its mail: the agent gets its one mail', () => scenario('notification-claimed', { email: 'ann@notify-crash.example.test', name: 'Ann' }, 0), 180_000);
  it('after queueing the mail, before marking the batch sent: the agent gets its one mail, and the batch is marked sent', () => scenario('notification-queued', { email: 'bob@notify-crash.example.test', name: 'Bob' }, 1), 180_000);
});
