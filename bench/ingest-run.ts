/**
 * One run of the ingest benchmark, in a process of its own (bench/ingest.ts starts it): Threadline from
 * the source tree `appRoot` (this working tree, or an older commit checked out in a temporary git
 * worktree) ingests `n` messages from its own mailbox on the bench's Dovecot, with the database in a
 * process of its own, then answers latency probes. Prints one `BENCH_RESULT {…}` line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ImapFlow } from 'imapflow';
import { startSmtp } from '../test/helpers/smtp.js';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { spawnEntry } from '../test/helpers/process.js';
import { readMbox } from '../test/helpers/mbox.js';

/** What the parent hands a run. */
export interface RunSpec {
  /** The source tree whose Threadline runs (its src/ is imported). */
  appRoot: string;
  engine: 'durable' | 'memory';
  n: number;
  rounds: number;
  imap: { port: number; user: string; password: string };
}

export interface RunResult {
  rate: number;
  commandsPerMail: number;
  /** Without the poller's periodic upkeep (lease renewals, inbox rescans, heartbeats), which grows with the run's length. */
  ingestCommandsPerMail: number;
  tickets: number;
  delays: number[];
  serverDelays: number[];
}

/** Copies of the fedora-devel month with every message id renamed per copy, so threads stay threads. */
export function corpus(n: number): Buffer[] {
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

/** The parts of Threadline a run drives, as every release so far exports them. */
interface App {
  loadConfig(env: Record<string, string>): { mongodbUri?: string | null };
  createRuntime(config: unknown, logger: pino.Logger): Promise<{
    models: { Ticket: { countDocuments(f: object): Promise<number> }; InboxStatus: { findById(id: string): { lean(): Promise<{ state?: string } | null> } } };
    connection: { getClient(): { on(event: 'commandStarted', fn: (e: { commandName: string; command: Record<string, unknown> }) => void): void } };
  }>;
  startRoles(rt: unknown, roles: string[]): Promise<{ servers: Server[]; stop(): Promise<void> }>;
}

async function loadApp(root: string): Promise<App> {
  const load = (file: string) => import(pathToFileURL(path.join(root, file)).href);
  const [config, composition] = await Promise.all([load('src/config/load-config.ts'), load('src/composition.ts')]);
  return { loadConfig: config.loadConfig, createRuntime: composition.createRuntime, startRoles: composition.startRoles };
}

/** The poller's periodic commands: lease renewals, heartbeats, and rescans of the inbox list (a find with no filter). */
function isUpkeep(e: { commandName: string; command: Record<string, unknown> }): boolean {
  const target = e.command[e.commandName];
  const collection = typeof target === 'string' ? target : e.command.collection;
  if (collection === 'mailbox_leases' || collection === 'worker_heartbeats') return true;
  return e.commandName === 'find' && collection === 'inboxes' && Object.keys((e.command.filter as object | undefined) ?? {}).length === 0;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(spec: RunSpec): Promise<RunResult> {
  const { n, imap } = spec;
  const app = await loadApp(spec.appRoot);
  const imapClient = async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false });
    c.on('error', (err: Error) => console.error(`bench IMAP client: ${err.message}`));
    await c.connect();
    return c;
  };
  // The database runs in its own process, as MongoDB does in production; the same server for every tree.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-db-'));
  const devdb = process.env.MONGODB_URI ? null : spawnEntry('src/devdb/cli.ts', {}, ['--port', '0', ...(spec.engine === 'durable' ? ['--data-dir', dataDir] : [])]);
  while (devdb && !/^mongodb:\/\//m.test(devdb.output())) await pause(20);
  const dbUri = process.env.MONGODB_URI ?? devdb!.output().split('\n')[0]!.trim();
  const client = await imapClient();
  for (const raw of corpus(n)) await client.append('INBOX', raw);
  const config = app.loadConfig({
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
  const runtime = await app.createRuntime(config, pino({ level: 'error' }));
  const roles = await app.startRoles(runtime, ['poller', 'web']);
  const base = `http://127.0.0.1:${(roles.servers[0]!.address() as AddressInfo).port}/api/v1`;
  const { token } = (await (await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench-admin-password' }) })).json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // The bench watches progress over a connection of its own, so the command count is Threadline's alone.
  const watch = await new MongoClient(config.mongodbUri!).connect();
  const done = () => watch.db().collection('messages').countDocuments({ ingestState: 'complete' });
  let commands = 0;
  let upkeep = 0;
  const byKind = new Map<string, number>();
  runtime.connection.getClient().on('commandStarted', (e) => {
    commands++;
    if (isUpkeep(e)) upkeep++;
    const kind = `${e.commandName} ${String(typeof e.command[e.commandName] === 'string' ? e.command[e.commandName] : e.command.collection)}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  });

  // A real SMTP server: creating an inbox tests both connections, and one that fails is saved disabled.
  const smtp = await startSmtp();
  const t0 = performance.now();
  const created = (await (await fetch(`${base}/inboxes`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'Bench', address: imap.user, imap: { host: '127.0.0.1', port: imap.port, secure: false, user: imap.user, password: imap.password }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } }),
  })).json()) as { id: string; disabled?: { detail?: string } | null };
  if (created.disabled) throw new Error(`the bench inbox was saved disabled: ${JSON.stringify(created.disabled)}`);
  while ((await done()) < n) await pause(20);
  const ingestSeconds = (performance.now() - t0) / 1000;
  const commandsPerMail = commands / n;
  const ingestCommandsPerMail = (commands - upkeep) / n;
  // BENCH_COMMANDS=1 lists the commands of the ingest by kind, to see where two trees differ.
  if (process.env.BENCH_COMMANDS) console.error([...byKind].sort().map(([kind, count]) => `    ${kind}: ${count}`).join('\n'));
  await watch.close();
  const tickets = await runtime.models.Ticket.countDocuments({ mergedIntoId: null });

  // Latency while idling: APPEND one message, then watch the ticket list until it shows.
  while ((await runtime.models.InboxStatus.findById(created.id).lean())?.state !== 'idle') await pause(20);
  // Baseline: a plain IMAP client IDLEs on the same folder; its EXISTS delay is the server's own share.
  const watcher = await imapClient();
  await watcher.mailboxOpen('INBOX');
  let existsAt = 0;
  watcher.on('exists', () => (existsAt = performance.now()));
  const delays: number[] = [];
  const serverDelays: number[] = [];
  for (let i = 0; i < spec.rounds; i++) {
    void watcher.idle().catch(() => undefined);
    await pause(50);
    existsAt = 0;
    const subject = `Latency probe ${i} ${Date.now()}`;
    const raw = Buffer.from(`From: probe@customer.test\r\nTo: ${imap.user}\r\nSubject: ${subject}\r\nMessage-ID: <probe${i}.${Date.now()}@customer.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nHello\r\n`);
    const start = performance.now();
    await client.append('INBOX', raw);
    for (;;) {
      const list = (await (await fetch(`${base}/tickets?limit=1`, { headers: auth })).json()) as { items: Array<{ subject: string }> };
      if (list.items[0]?.subject === subject) break;
      await pause(5);
    }
    delays.push(performance.now() - start);
    while (existsAt === 0) await pause(5);
    serverDelays.push(existsAt - start);
    await watcher.noop();
  }
  await watcher.logout();

  await client.logout();
  await roles.stop();
  await smtp.close();
  devdb?.child.kill('SIGTERM');
  await devdb?.exited;
  rmSync(dataDir, { recursive: true, force: true });
  return { rate: n / ingestSeconds, commandsPerMail, ingestCommandsPerMail, tickets, delays, serverDelays };
}

if (process.env.BENCH_RUN) {
  const result = await run(JSON.parse(process.env.BENCH_RUN) as RunSpec);
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}
