/**
 * Ingest benchmark: N real messages in a loopback Dovecot become tickets through the production wiring
 * (createRuntime + poller + JSON API). Prints end-to-end messages/second beside mailparser parsing the
 * same messages alone in the same run, then the delay from APPEND to the ticket being visible in the
 * API while the poller IDLEs (p50/p95). The whole run is made twice, on the built-in server's durable
 * engine (the default of `npm start`) and on its in-memory engine, and the rates are compared. Run:
 * `npm run bench -- ingest` (needs root and dovecot-imapd). BENCH_N (default 600) and
 * BENCH_LATENCY_ROUNDS (default 40) change the sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { simpleParser } from 'mailparser';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { loadConfig } from '../src/config/load-config.js';
import { createRuntime, startRoles } from '../src/composition.js';
import { spawnEntry } from '../test/helpers/process.js';
import { startDovecot } from '../test/helpers/dovecot.js';
import { readMbox } from '../test/helpers/mbox.js';
import { percentile, printTable } from './stats.js';

const N = Number(process.env.BENCH_N ?? 600);
const ROUNDS = Number(process.env.BENCH_LATENCY_ROUNDS ?? 40);
const USERS = { durable: 'durable@example.test', memory: 'memory@example.test' } as const;
type Engine = keyof typeof USERS;

/** Copies of the fedora-devel month with every message id renamed per copy, so threads stay threads. */
function corpus(n: number): Buffer[] {
  const month = readMbox(path.resolve(import.meta.dirname, '../test/fixtures/fedora-devel-2010-01/fedora-devel-2010-January.mbox'));
  const out: Buffer[] = [];
  for (let copy = 0; out.length < n; copy++) {
    for (const raw of month) {
      if (out.length >= n) break;
      const text = raw.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).replace(/<([^<>\s@]+@[^<>\s]+)>/g, `<c${copy}.$1>`);
      out.push(Buffer.from(head + text.slice(split), 'latin1'));
    }
  }
  return out;
}

interface RunResult {
  rate: number;
  commandsPerMail: number;
  tickets: number;
  delays: number[];
  serverDelays: number[];
}

/* One full run on one engine: a fresh database process, a mailbox of its own holding the corpus. */
async function run(engine: Engine, dovecot: Awaited<ReturnType<typeof startDovecot>>, messages: Buffer[]): Promise<RunResult> {
  const USER = USERS[engine];
  // The database runs in its own process, as MongoDB does in production.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-db-'));
  const devdb = process.env.MONGODB_URI ? null : spawnEntry('src/devdb/cli.ts', {}, ['--port', '0', ...(engine === 'durable' ? ['--data-dir', dataDir] : [])]);
  while (devdb && !/^mongodb:\/\//m.test(devdb.output())) await new Promise((r) => setTimeout(r, 20));
  const dbUri = process.env.MONGODB_URI ?? devdb!.output().split('\n')[0]!.trim();
  const client = await dovecot.client(USER);
  for (const raw of messages) await client.append('INBOX', raw);
  const config = loadConfig({
    // Command monitoring lets the bench count Threadline's database round trips per mail.
    MONGODB_URI: `${dbUri.replace(/^(mongodb:\/\/[^/?]+).*$/, '$1')}/bench_ingest_${process.pid}?monitorCommands=true`,
    PORT: '0',
    SECRET_KEY: 'bench-secret-key-of-at-least-32-chars!!',
    ADMIN_EMAIL: 'bench@example.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tl-bench-')),
    POLLER_RESCAN_MS: '100',
    POLLER_FETCH_BATCH: '50',
    LOG_LEVEL: 'error',
  });
  const runtime = await createRuntime(config, pino({ level: 'error' }));
  const roles = await startRoles(runtime, ['poller', 'web']);
  const base = `http://127.0.0.1:${(roles.servers[0]!.address() as AddressInfo).port}/api/v1`;
  const { token } = (await (await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench-admin-password' }) })).json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // The bench watches progress over a connection of its own, so the command count is Threadline's alone.
  const watch = await new MongoClient(config.mongodbUri!).connect();
  const done = () => watch.db().collection('messages').countDocuments({ ingestState: 'complete' });
  let commands = 0;
  runtime.connection.getClient().on('commandStarted', () => void commands++);

  const t0 = performance.now();
  const created = (await (await fetch(`${base}/inboxes`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'Bench', address: USER, imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: USER, password: dovecot.password }, smtp: { host: '127.0.0.1', port: 25, secure: false } }),
  })).json()) as { id: string };
  while ((await done()) < N) await new Promise((r) => setTimeout(r, 20));
  const ingestSeconds = (performance.now() - t0) / 1000;
  const commandsPerMail = commands / N;
  await watch.close();
  const tickets = await runtime.models.Ticket.countDocuments({ mergedIntoId: null });

  // Latency while idling: APPEND one message, then watch the ticket list until it shows.
  while ((await runtime.models.InboxStatus.findById(created.id).lean())?.state !== 'idle') await new Promise((r) => setTimeout(r, 20));
  // Baseline: a plain IMAP client IDLEs on the same folder; its EXISTS delay is the server's own share.
  const watcher = await dovecot.client(USER);
  await watcher.mailboxOpen('INBOX');
  let existsAt = 0;
  watcher.on('exists', () => (existsAt = performance.now()));
  const delays: number[] = [];
  const serverDelays: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    void watcher.idle().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    existsAt = 0;
    const subject = `Latency probe ${i} ${Date.now()}`;
    const raw = Buffer.from(`From: probe@customer.test\r\nTo: ${USER}\r\nSubject: ${subject}\r\nMessage-ID: <probe${i}.${Date.now()}@customer.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nHello\r\n`);
    const start = performance.now();
    await client.append('INBOX', raw);
    for (;;) {
      const list = (await (await fetch(`${base}/tickets?limit=1`, { headers: auth })).json()) as { items: Array<{ subject: string }> };
      if (list.items[0]?.subject === subject) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    delays.push(performance.now() - start);
    while (existsAt === 0) await new Promise((r) => setTimeout(r, 5));
    serverDelays.push(existsAt - start);
    await watcher.noop();
  }
  await watcher.logout();

  await client.logout();
  await roles.stop();
  devdb?.child.kill('SIGTERM');
  await devdb?.exited;
  rmSync(dataDir, { recursive: true, force: true });
  return { rate: N / ingestSeconds, commandsPerMail, tickets, delays, serverDelays };
}


async function main() {
  const messages = corpus(N);
  const bytes = messages.reduce((s, m) => s + m.length, 0);

  // Baseline: mailparser alone over the same bytes, in this process, right now.
  for (const raw of messages.slice(0, 50)) await simpleParser(raw); // warm-up
  const p0 = performance.now();
  for (const raw of messages) await simpleParser(raw, { skipImageLinks: true });
  const parseSeconds = (performance.now() - p0) / 1000;

  const dovecot = await startDovecot([USERS.durable, USERS.memory]);
  const memory = await run('memory', dovecot, messages);
  const durable = await run('durable', dovecot, messages);
  await dovecot.stop();

  const parseRate = N / parseSeconds;
  const { delays, serverDelays } = durable;
  console.log(`\nIngest: ${N} real mailing-list messages (${(bytes / 1e6).toFixed(1)} MB) from a loopback Dovecot into ${durable.tickets} tickets`);
  printTable(
    ['measure', 'value'],
    [
      ['mailparser alone (baseline)', `${parseRate.toFixed(0)} msg/s`],
      ['end to end: IMAP → parse → dedupe → thread → store, durable engine', `${durable.rate.toFixed(0)} msg/s`],
      ['end to end, in-memory engine (same mail, same run)', `${memory.rate.toFixed(0)} msg/s`],
      ['durable / in-memory', `${(durable.rate / memory.rate).toFixed(3)}`],
      ['end to end (durable) / parsing alone', `${(durable.rate / parseRate).toFixed(3)}`],
      ['database commands per mail (poller, ingest, follow-up jobs scheduled)', durable.commandsPerMail.toFixed(2)],
      [`APPEND → visible in API while IDLE, p50 (${ROUNDS} rounds, durable)`, `${percentile(delays, 50).toFixed(0)} ms`],
      ['APPEND → visible in API while IDLE, p95', `${percentile(delays, 95).toFixed(0)} ms`],
      ['baseline: APPEND → EXISTS at a plain IDLE client, p50', `${percentile(serverDelays, 50).toFixed(0)} ms`],
      ['baseline: APPEND → EXISTS at a plain IDLE client, p95', `${percentile(serverDelays, 95).toFixed(0)} ms`],
      ["Threadline's own share (p50 of visible minus EXISTS)", `${percentile(delays.map((d, i) => d - serverDelays[i]!), 50).toFixed(0)} ms`],
      ['in-memory engine: APPEND → visible p50 / p95', `${percentile(memory.delays, 50).toFixed(0)} / ${percentile(memory.delays, 95).toFixed(0)} ms`],
    ],
  );
  process.exit(0);
}

await main();
