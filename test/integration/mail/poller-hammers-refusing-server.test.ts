import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxPoller, type MailboxConfig, type PollerSettings } from '../../../src/mail/mailbox-poller.js';
import { startCountingTcpServer, type CountingTcpServer } from '../../helpers/counting-tcp-server.js';
import { openTestDb } from '../../helpers/db.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { freePort } from '../../helpers/process.js';

// Regression: a failed ImapFlow client's 'close' event woke the backoff wait at once, so a server that
// refused us got hundreds of connection attempts a second while the log promised `retryInMs: 300000`.

const WINDOW_MS = 10_000;
const SETTINGS: PollerSettings = {
  pollIntervalMs: 60_000,
  maxIdleMs: 60_000,
  fetchBatch: 10,
  connectTimeoutMs: 500,
  backoff: { baseMs: 1000, maxMs: 4000 },
  configErrorRetryMs: 3000,
  maxIngestAttempts: 3,
};
const FAILED = 'mailbox poller failed; will retry';
/** The log stamps Date.now() in whole milliseconds; the poller waits on the monotonic clock. */
const CLOCK_SLACK_MS = 5;

interface Failure {
  at: number;
  code: string;
  retryInMs: number;
}

let db: Awaited<ReturnType<typeof openTestDb>>;
let dovecot: DovecotServer;
const servers: CountingTcpServer[] = [];
const pollers: MailboxPoller[] = [];

beforeAll(async () => {
  [db, dovecot] = await Promise.all([openTestDb('poller_backoff'), startDovecot(['support@example.test'])]);
});
afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await Promise.all(servers.map((s) => s.stop()));
  await dovecot?.stop();
  await db?.drop();
});

/** Starts a real poller whose every retry log line lands in `failures`. */
function startPoller(target: Partial<MailboxConfig> & { port: number }, settings: PollerSettings = SETTINGS) {
  const failures: Failure[] = [];
  const logger = pino({ level: 'warn' }, {
    write(line: string) {
      const record = JSON.parse(line) as { msg: string; time: number; code: string; retryInMs: number };
      if (record.msg === FAILED) failures.push({ at: record.time, code: record.code, retryInMs: record.retryInMs });
    },
  });
  const inboxId = new Types.ObjectId();
  const poller = new MailboxPoller(
    {
      ...db.stores,
      ingest: () => Promise.reject(new Error('no mail is expected in these tests')),
      quarantine: () => Promise.reject(new Error('no mail is expected in these tests')),
      logger,
      now: () => new Date(),
      owner: 'backoff-regression',
      settings,
    },
    { inboxId, host: '127.0.0.1', secure: false, user: 'support@example.test', password: 'x', folder: 'INBOX', markSeen: false, moveTo: null, importSince: null, ...target },
  );
  pollers.push(poller);
  poller.start();
  return { poller, failures, inboxId };
}

async function server(onConnection: (socket: Socket) => void): Promise<CountingTcpServer> {
  const s = await startCountingTcpServer(onConnection);
  servers.push(s);
  return s;
}

/**
 * Passes connections through to the test Dovecot, so they can be counted (and cut). Dovecot slows every
 * login from an address that failed one, so the wrong-password case relays from an address of its own.
 */
function relayToDovecot(socket: Socket, localAddress = '127.0.0.1'): void {
  const upstream = connect({ port: dovecot.port, host: '127.0.0.1', localAddress });
  upstream.on('error', () => socket.destroy());
  upstream.on('close', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
  socket.pipe(upstream).pipe(socket);
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(50);
}

/**
 * The most attempts the schedule allows in `windowMs`: the first at once, then each after the shortest
 * delay jitter (−20%) can give; a wrong password or a missing folder waits at least configErrorRetryMs.
 */
function mostAttemptsWithin(windowMs: number, configError: boolean, s: PollerSettings = SETTINGS): number {
  let at = 0;
  for (let failure = 1; ; failure++) {
    const shortest = 0.8 * Math.min(s.backoff.maxMs, s.backoff.baseMs * 2 ** (failure - 1));
    at += configError ? Math.max(s.configErrorRetryMs, shortest) : shortest;
    if (at > windowMs) return failure;
  }
}

describe('regression: a server that refuses us is not hammered', () => {
  it('honours the logged backoff for every failure mode', async () => {
    const dropping = await server((socket) => socket.destroy());
    const plainText = await server((socket) => socket.write('* OK IMAP4rev1 plain text only\r\n'));
    const silent = await server(() => undefined);
    const relayForPassword = await server((socket) => relayToDovecot(socket, '127.0.0.2'));
    const relayForFolder = await server((socket) => relayToDovecot(socket));
    const closedPort = await freePort();

    const started = Date.now();
    const modes = [
      { name: 'connection refused', configError: false, run: startPoller({ port: closedPort }), acceptedAt: null },
      { name: 'accepted then dropped', configError: false, run: startPoller({ port: dropping.port }), acceptedAt: dropping.acceptedAt },
      { name: 'TLS against a plain port', configError: false, run: startPoller({ port: plainText.port, secure: true }), acceptedAt: plainText.acceptedAt },
      { name: 'greeting timeout', configError: false, run: startPoller({ port: silent.port }), acceptedAt: silent.acceptedAt },
      { name: 'wrong password', configError: true, run: startPoller({ port: relayForPassword.port, password: 'not-the-password' }), acceptedAt: relayForPassword.acceptedAt },
      { name: 'missing folder', configError: true, run: startPoller({ port: relayForFolder.port, password: dovecot.password, folder: 'Missing' }), acceptedAt: relayForFolder.acceptedAt },
    ].map((m) => ({
      ...m,
      bound: mostAttemptsWithin(WINDOW_MS, m.configError),
      // A refused connection leaves no trace on any server; each attempt ends in exactly one retry log line.
      attempts: () => (m.acceptedAt ?? m.run.failures.map((f) => f.at)).filter((at) => at - started <= WINDOW_MS),
    }));
    // A tight loop is stopped as soon as it shows, so it does not flood the shared test database for the whole window.
    await until(() => modes.some((m) => m.attempts().length > m.bound), WINDOW_MS);
    const elapsedMs = Date.now() - started;
    await Promise.all(modes.map((m) => m.run.poller.stop()));

    for (const m of modes) {
      const attempts = m.attempts();
      const rate = `${attempts.length} attempts in ${elapsedMs} ms (${((attempts.length * 1000) / elapsedMs).toFixed(1)}/s)`;
      expect(attempts.length, `${m.name}: ${rate}, the schedule allows ${m.bound}`).toBeLessThanOrEqual(m.bound);
      expect(attempts.length, `${m.name}: it must keep retrying`).toBeGreaterThanOrEqual(2);
      expect(m.run.failures.length, `${m.name}: one retry log line per failed attempt`).toBeGreaterThanOrEqual(attempts.length - 1);
      const codes = new Set(m.run.failures.map((f) => f.code));
      expect(codes.has('IMAP_AUTH_FAILED') || codes.has('IMAP_FOLDER_MISSING'), `${m.name}: ${[...codes].join(', ')}`).toBe(m.configError);
      // The next attempt starts once the delay the log announced has passed, not before and not much later.
      for (let i = 0; i + 1 < attempts.length; i++) {
        const failure = m.run.failures[i]!;
        const gap = attempts[i + 1]! - failure.at;
        expect(gap, `${m.name}: gap after failure ${i + 1}, logged retryInMs ${failure.retryInMs}`).toBeGreaterThanOrEqual(failure.retryInMs - CLOCK_SLACK_MS);
        expect(gap, `${m.name}: gap after failure ${i + 1}, logged retryInMs ${failure.retryInMs}`).toBeLessThan(failure.retryInMs + 1000);
      }
    }
  });

  it('ends a stop during a long backoff at once, and makes no further attempt', async () => {
    const dropping = await server((socket) => socket.destroy());
    const { poller, failures, inboxId } = startPoller({ port: dropping.port }, { ...SETTINGS, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await until(() => failures.length > 0, 5000);
    expect(failures[0]!.retryInMs).toBeGreaterThanOrEqual(48_000);
    await sleep(200); // well inside the backoff
    const stopping = performance.now();
    await poller.stop();
    expect(performance.now() - stopping).toBeLessThan(500);
    expect((await db.models.InboxStatus.findById(inboxId).lean())?.state).toBe('stopped');
    await sleep(300);
    expect(dropping.acceptedAt).toHaveLength(1);
  });

  it('still notices at once when the server drops a working session', async () => {
    const relay = await server((socket) => relayToDovecot(socket));
    const { failures, inboxId } = startPoller({ port: relay.port, password: dovecot.password });
    await expect.poll(async () => (await db.models.InboxStatus.findById(inboxId).lean())?.state, { timeout: 10_000 }).toBe('idle');
    const dropped = Date.now();
    relay.dropAll();
    // IDLE would otherwise sit until maxIdleMs (a minute); the live session's 'close' must end the wait.
    await until(() => failures.length > 0, 5000);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.at - dropped).toBeLessThan(1000);
    // ...and then it waits out its backoff before the next connection.
    await until(() => relay.acceptedAt.length > 1, 5000);
    expect(relay.acceptedAt[1]! - failures[0]!.at).toBeGreaterThanOrEqual(failures[0]!.retryInMs - CLOCK_SLACK_MS);
    await expect.poll(async () => (await db.models.InboxStatus.findById(inboxId).lean())?.state, { timeout: 10_000 }).toBe('idle');
  });
});
