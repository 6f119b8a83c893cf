import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type Collection } from 'mongodb';
import { Types } from 'mongoose';
import pino from 'pino';
import { startDevDb, type DevDbServer } from '../../src/devdb/server.js';
import { connectMongo } from '../../src/store/database.js';
import { createModels, type Models } from '../../src/store/models/index.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { freePort, spawnEntry, type Spawned } from '../helpers/process.js';
import { seededRandom } from '../helpers/random.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { withDbName } from '../helpers/uri.js';
import { checkSoakOutcome, headersOf, bracketed, unsettledWork, type SoakSetup, type SoakVerdict } from './crash-soak-checks.js';
import { feedMails, type MailFeed } from './crash-soak-mail.js';

/** Where the app keeps its data during the soak. */
export type SoakDbMode = 'embedded' | 'external';

/** Parameters of one crash soak run. */
export interface CrashSoakOptions {
  /** Seeds every random choice of the run (mail shapes, gaps, kill moments). */
  seed: number;
  mails: number;
  /** The least number of SIGKILLs; the soak goes on killing until every mail is delivered. */
  kills: number;
  /**
   * `embedded`: no MONGODB_URI, the app's own store under DATA_DIR (killed with it). `external`: a
   * MongoDB-compatible server outside the app that the kills do not touch. `auto`: embedded when the
   * built-in server keeps its data across a restart, else external.
   */
  db: SoakDbMode;
  /** For `external`: this server instead of one started by the soak. */
  mongoUri?: string;
  /** The share of kills aimed at start-up: a moment drawn from the time the first start took to serve. */
  startupKillShare: number;
  /** Other kills come this many ms after the process started serving, uniformly at random in [min, max]. */
  servingLifeMs: [number, number];
  /** How long to wait for the app to finish its work once the kills are over. */
  settleTimeoutMs: number;
  /** Keep the run's directory (data, app logs) even when every check passes. */
  keep?: boolean;
  /** Progress lines; silent when absent. */
  log?: (line: string) => void;
}

/** The outcome of a soak: verdict, figures, and the printable summary. */
export interface CrashSoakReport {
  ok: boolean;
  failures: string[];
  notes: string[];
  summary: string;
  dbMode: 'embedded' | 'external';
  kills: number;
  runDir: string;
}

const HOST = '127.0.0.1';
const MAILBOX = 'support@soak.example.test';
const ADMIN = { email: 'soak-admin@soak.example.test', password: 'soak-admin-password-1' };
const AGENT = { email: 'soak-agent@soak.example.test', password: 'soak-agent-password-1' };
// Agenda also cancels a run that takes longer than this, so it must outlast a slow auto-reply on a busy machine.
const LOCK_LIFETIME_MS = 5000;
const EMBEDDED_DB_NAME = 'threadline';
const quiet = pino({ level: 'silent' });

interface OpenDb {
  models: Models;
  jobs: Collection;
  close(): Promise<void>;
}

/** How the soak gives the app its database, and reads that database once the app has stopped. */
interface SoakDb {
  mode: 'embedded' | 'external';
  describe: string;
  appEnv: Record<string, string>;
  open(): Promise<OpenDb>;
  dispose(): Promise<void>;
}

async function openModels(uri: string, dbName: string, onClose: () => Promise<void>): Promise<OpenDb> {
  const connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000, dbName }, quiet);
  return {
    models: createModels(connection),
    jobs: connection.db!.collection('jobs'),
    async close() {
      await connection.close();
      await onClose();
    },
  };
}

function startStore(dataDir: string): Promise<DevDbServer> {
  return startDevDb({ host: HOST, port: 0, dataDir });
}

async function soakDb(opts: CrashSoakOptions, dataDir: string): Promise<SoakDb> {
  const mode = opts.db;
  if (mode === 'embedded') {
    const storeDir = path.join(dataDir, 'db');
    return {
      mode,
      describe: `embedded: the app's built-in store in ${storeDir}, killed with the app`,
      appEnv: { EMBEDDED_DB_ENGINE: 'lmdb' },
      async open() {
        const server = await startStore(storeDir);
        return openModels(server.uri, EMBEDDED_DB_NAME, () => server.close());
      },
      dispose: async () => {},
    };
  }
  const own = opts.mongoUri ? null : await startDevDb({ host: HOST, port: 0 });
  const dbName = `tl_soak_${opts.seed}`;
  const uri = withDbName(opts.mongoUri ?? own!.uri, dbName);
  return {
    mode,
    describe: own
      ? 'external: a MongoDB-compatible server in the soak process, which the kills do not touch (in memory)'
      : 'external: the MongoDB server given, which the kills do not touch',
    appEnv: { MONGODB_URI: uri },
    open: () => openModels(uri, dbName, async () => {}),
    async dispose() {
      if (opts.mongoUri) {
        const client = await MongoClient.connect(uri);
        await client.db(dbName).dropDatabase().finally(() => client.close());
      }
      await own?.close();
    },
  };
}

/** One started app process. */
interface AppRun {
  n: number;
  spawned: Spawned;
  startedAt: number;
  /** ms from start to the first 200 of /healthz; null while not (yet) serving. */
  servingMs: number | null;
  /** Set when the run found the data of the setup gone. */
  dataLost: string | null;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A short summary of an app's output for a failure message: its last lines at warn level or above, else its last lines. */
function outputTail(output: string, lines = 6): string {
  const all = output.split('\n').filter(Boolean);
  const kept = all.filter((l) => !/"level":(10|20|30),/.test(l));
  return (kept.length > 0 ? kept : all).slice(-lines).join('\n');
}

/**
 * The crash soak: real Dovecot, a recording SMTP server and Threadline as `npm start` runs it (every
 * role in one process). After setting up an inbox and an agent through the API, mail arrives at
 * random moments while the process is SIGKILLed at random moments and restarted, at least
 * `opts.kills` times; then it runs until idle, stops cleanly, and the final state is checked (see
 * checkSoakOutcome).
 *
 * The strongest auto-reply guarantee the code gives, and what is checked: exactly one auto-reply per
 * new ticket, i.e. one outbox item keyed by the ticket's first mail with one Message-ID and stored
 * bytes. Its delivery is at least once: a kill after the SMTP server accepted it and before the outbox
 * marked it sent repeats the delivery with the same bytes, so the customer's side sees one distinct
 * Message-ID per ticket, possibly more than one identical copy (counted as repeats).
 */
export async function runCrashSoak(opts: CrashSoakOptions): Promise<CrashSoakReport> {
  const log = opts.log ?? (() => {});
  const began = Date.now();
  const rng = seededRandom(opts.seed);
  const runDir = mkdtempSync(path.join(tmpdir(), 'tl-soak-'));
  const dataDir = path.join(runDir, 'data');
  const appLog = path.join(runDir, 'app.log');
  const failures: string[] = [];
  const notes: string[] = [];
  const runs: AppRun[] = [];
  let dovecot: DovecotServer | undefined;
  let smtp: TestSmtp | undefined;
  let db: SoakDb | undefined;
  let verdict: SoakVerdict | null = null;
  let settleMs = 0;
  let killedStarting = 0;
  let feed: MailFeed | null = null;
  let lastSmtpAt = 0;
  let kills = 0;

  // Should this process die before the clean-up below, its app and Dovecot must not outlive it.
  const orphans = () => {
    for (const r of runs) if (isAlive(r)) r.spawned.child.kill('SIGKILL');
    if (dovecot) spawnSync('doveadm', ['-c', path.join(dovecot.dir, 'dovecot.conf'), 'stop']);
  };
  process.once('exit', orphans);
  try {
    db = await soakDb(opts, dataDir);
    log(`seed ${opts.seed}; database ${db.describe}; run directory ${runDir}`);
    dovecot = await startDovecot([MAILBOX]);
    smtp = await startSmtp();
    smtp.onMessage(() => void (lastSmtpAt = Date.now()));
    const port = await freePort();
    const base = `http://${HOST}:${port}`;
    const env: Record<string, string> = {
      PORT: String(port),
      HOST,
      DATA_DIR: dataDir,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
      POLLER_LEASE_MS: '1500',
      POLLER_RESCAN_MS: '200',
      POLLER_FETCH_BATCH: '5',
      JOBS_PROCESS_EVERY_MS: '100',
      JOBS_LOCK_LIFETIME_MS: String(LOCK_LIFETIME_MS),
      AUTO_REPLY_HOURLY_CAP: '100000',
      ...db.appEnv,
    };
    let adminToken = '';
    let adminId = '';

    const api = async (method: string, route: string, body?: unknown, token = adminToken) => {
      const res = await fetch(`${base}/api/v1${route}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
    };

    const start = (): AppRun => {
      const run: AppRun = { n: runs.length, spawned: spawnEntry('src/server.ts', env, ['all']), startedAt: Date.now(), servingMs: null, dataLost: null };
      runs.push(run);
      void run.spawned.exited.then((exit) => {
        const how = exit.signal ? `killed by ${exit.signal}` : `exited with ${exit.code}`;
        appendFileSync(appLog, `=== run ${run.n} (pid ${run.spawned.child.pid}): ${how} after ${Date.now() - run.startedAt} ms ===\n${run.spawned.output()}\n`);
      });
      // Polls /healthz until it answers 200, then checks that the setup survived (the admin's token still works).
      void (async () => {
        while (run.spawned.child.exitCode === null && run.spawned.child.signalCode === null) {
          const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
          if (ok) {
            run.servingMs = Date.now() - run.startedAt;
            if (adminToken) {
              const me = await api('GET', '/me').catch(() => null);
              if (me && me.status === 401) run.dataLost = `run ${run.n}: the admin's API token from the setup is unknown (401): the data did not survive the restart`;
              else if (me && me.status === 200 && me.body.id !== adminId) run.dataLost = `run ${run.n}: the token now belongs to user ${String(me.body.id)}, not ${adminId}`;
            }
            return;
          }
          await sleep(25);
        }
      })();
      return run;
    };
    const waitServing = async (run: AppRun, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (run.servingMs === null && isAlive(run) && Date.now() < deadline) await sleep(25);
      if (run.servingMs === null) throw new Error(`run ${run.n} did not serve /healthz within ${timeoutMs} ms (${isAlive(run) ? 'still starting' : 'it exited'}):\n${outputTail(run.spawned.output())}`);
    };
    const stop = async (run: AppRun) => {
      run.spawned.child.kill('SIGTERM');
      const exit = await Promise.race([run.spawned.exited, sleep(25_000).then(() => null)]);
      if (!exit) {
        run.spawned.child.kill('SIGKILL');
        failures.push(`run ${run.n} did not stop within 25 s of SIGTERM`);
      } else if (exit.code !== 0) {
        failures.push(`run ${run.n} exited with ${exit.code ?? exit.signal} on SIGTERM:\n${outputTail(run.spawned.output())}`);
      }
    };

    // Setup through the API, in the first process.
    const first = start();
    await waitServing(first, 60_000);
    const login = await api('POST', '/auth/token', { email: ADMIN.email, password: ADMIN.password }, '');
    if (login.status !== 201) throw new Error(`admin login answered ${login.status}`);
    adminToken = String(login.body.token);
    adminId = String((await api('GET', '/me')).body.id);
    const inboxRes = await api('POST', '/inboxes', {
      name: 'Soak', address: MAILBOX,
      imap: { host: HOST, port: dovecot.port, secure: false, user: MAILBOX, password: dovecot.password },
      smtp: { host: HOST, port: smtp.port, secure: false },
    });
    if (inboxRes.status !== 201) throw new Error(`creating the inbox answered ${inboxRes.status}: ${JSON.stringify(inboxRes.body)}`);
    const inboxId = String(inboxRes.body.id);
    const agentRes = await api('POST', '/users', { email: AGENT.email, name: 'Soak Agent', password: AGENT.password, role: 'agent', inboxIds: [inboxId] });
    if (agentRes.status !== 201) throw new Error(`creating the agent answered ${agentRes.status}: ${JSON.stringify(agentRes.body)}`);
    const setup: SoakSetup = {
      adminId,
      agent: { id: String(agentRes.body.id), email: AGENT.email },
      inbox: { id: inboxId, address: MAILBOX, imapPort: dovecot.port, imapUser: MAILBOX, smtpPort: smtp.port },
      imapPassword: dovecot.password,
    };

    // Mail arrives while the process is killed at random moments and restarted.
    const autoReplies = new Map<string, string>();
    smtp.onMessage((mail) => {
      const headers = headersOf(mail.raw);
      const root = bracketed(headers.get('in-reply-to'));
      const id = bracketed(headers.get('message-id'));
      if (root && id && !autoReplies.has(root)) autoReplies.set(root, id);
    });
    const startupMs = first.servingMs!;
    const meanServing = (opts.servingLifeMs[0] + opts.servingLifeMs[1]) / 2;
    const meanCycle = opts.startupKillShare * (startupMs / 2) + (1 - opts.startupKillShare) * (startupMs + meanServing);
    feed = feedMails({ rng, count: opts.mails, meanGapMs: (opts.kills * meanCycle) / opts.mails, seed: opts.seed, dovecot, mailbox: MAILBOX, autoReplyTo: (root) => autoReplies.get(root) });
    let fed = false;
    let feedError: unknown = null;
    void feed.done.then(() => void (fed = true), (err: unknown) => void ((feedError = err), (fed = true)));
    let run: AppRun = first;
    let consecutiveExits = 0;
    while (kills < opts.kills || !fed) {
      const atStartup = run !== first && rng() < opts.startupKillShare;
      const u = rng();
      if (atStartup) {
        await Promise.race([sleep(u * startupMs), run.spawned.exited]);
      } else {
        const deadline = Date.now() + 120_000;
        while (run.servingMs === null && isAlive(run) && Date.now() < deadline) await sleep(25);
        if (run.servingMs === null && isAlive(run)) failures.push(`run ${run.n} did not serve /healthz within 120 s:\n${outputTail(run.spawned.output())}`);
        const life = opts.servingLifeMs[0] + u * (opts.servingLifeMs[1] - opts.servingLifeMs[0]);
        await Promise.race([sleep(run.servingMs === null ? 0 : life), run.spawned.exited]);
      }
      if (!isAlive(run)) {
        const exit = await run.spawned.exited;
        failures.push(`run ${run.n} ended by itself (${exit.code ?? exit.signal}) before its kill:\n${outputTail(run.spawned.output())}`);
        if (++consecutiveExits >= 3) throw new Error('the app keeps exiting by itself; giving up');
      } else {
        consecutiveExits = 0;
        if (run.servingMs === null) killedStarting++;
        run.spawned.child.kill('SIGKILL');
        await run.spawned.exited;
        kills++;
        log(`kill ${kills}: run ${run.n} after ${Date.now() - run.startedAt} ms (${run.servingMs === null ? 'starting' : `serving since ${run.servingMs} ms`}); ${feed.mails.length}/${opts.mails} mails delivered, ${smtp.received.length} SMTP deliveries`);
      }
      const lost = runs.find((r) => r.dataLost);
      if (lost) throw new Error(lost.dataLost!);
      run = start();
    }
    if (feedError) throw feedError;

    // No more kills: let the app finish, stop it cleanly, look; go on until nothing is in flight.
    const settleStart = Date.now();
    const lastAppendAt = Math.max(...feed.mails.map((m) => m.at));
    const mailbox = await mailboxState(dovecot);
    let open: OpenDb | null = null;
    for (let round = 0; round < 4 && !open; round++) {
      if (round > 0) run = start();
      await waitServing(run, 60_000);
      await appLooksIdle({ api, inboxId, run, lastAppendAt, threads: feed.threads.length, smtp, lastSmtpAt: () => lastSmtpAt, timeoutMs: round === 0 ? opts.settleTimeoutMs : 10_000 });
      const lost = runs.find((r) => r.dataLost);
      if (lost) throw new Error(lost.dataLost!);
      if (round === 0) await checkThroughApi(api, setup, failures);
      await stop(run);
      const candidate = await db.open();
      const work = await unsettledWork(candidate.models, candidate.jobs, new Types.ObjectId(inboxId), mailbox.highestUid);
      // Stuck work stays stuck; only work some run will pick up is worth another round.
      if (work.inFlight.length === 0 || round === 3) {
        open = candidate;
        if (work.inFlight.length > 0) failures.push(`still in flight after ${round + 1} clean stops: ${work.inFlight.join('; ')}`);
        failures.push(...work.stuck);
      } else {
        log(`not done yet at clean stop ${round + 1}: ${[...work.inFlight, ...work.stuck].join('; ')}`);
        await candidate.close();
      }
    }
    settleMs = Date.now() - settleStart;

    try {
      verdict = await checkSoakOutcome({
        models: open!.models,
        jobs: open!.jobs,
        secretKey: readFileSync(path.join(dataDir, 'secret-key'), 'utf8').trim(),
        setup,
        threads: feed.threads,
        mails: feed.mails,
        received: smtp.received,
        mailbox,
      });
    } finally {
      await open!.close();
    }
    failures.push(...verdict.failures);
  } catch (err) {
    failures.push(`soak aborted: ${(err as Error).message}`);
  } finally {
    process.removeListener('exit', orphans);
    const leftover = runs.at(-1);
    if (leftover && isAlive(leftover)) {
      leftover.spawned.child.kill('SIGKILL');
      await leftover.spawned.exited;
    }
    await smtp?.close().catch(() => undefined);
    await dovecot?.stop().catch(() => undefined);
    await db?.dispose().catch(() => undefined);
  }

  const errorLines = runs.flatMap((r) => r.spawned.output().split('\n').filter((l) => /"level":(50|60),/.test(l)));
  if (errorLines.length > 0) {
    const messages = [...new Set(errorLines.map((l) => /"msg":"([^"]*)"/.exec(l)?.[1] ?? l.slice(0, 120)))];
    notes.push(`${errorLines.length} error line(s) in the app logs: ${messages.slice(0, 5).join(' | ')}`);
  }
  const ok = failures.length === 0;
  const restarts = runs.slice(1).map((r) => r.servingMs).filter((ms): ms is number => ms !== null);
  const f = verdict?.figures;
  const mails = feed?.mails ?? [];
  const lines = [
    `crash soak ${ok ? 'PASSED' : 'FAILED'}: seed ${opts.seed} (replay: --seed ${opts.seed} --mails ${opts.mails} --kills ${opts.kills} --startup-kills ${opts.startupKillShare} --serving-life-ms ${opts.servingLifeMs.join('-')})`,
    `  database         ${db?.describe ?? opts.db}`,
    `  mails            ${mails.length} delivered: ${mails.filter((m) => m.opens).length} new threads, ${mails.filter((m) => !m.opens).length} replies (${f?.repliesQuotingAutoReply ?? 0} answering the auto-reply)`,
    `  kills            ${kills} SIGKILLs: ${killedStarting} during start-up, ${kills - killedStarting} at ${opts.servingLifeMs.join('-')} ms after serving`,
    `  restarts         ${runs.length - 1}; time to serving median ${median(restarts).toFixed(0)} ms, max ${restarts.length ? Math.max(...restarts) : NaN} ms (first start ${runs[0]?.servingMs ?? '–'} ms)`,
    `  stored           ${f ? `${f.stored} received messages in ${f.tickets} tickets` : '–'}`,
    `  auto-replies     ${f ? `${f.autoReplies} in the outbox; SMTP got ${f.smtpDeliveries} deliveries of ${f.distinctOutboundIds} distinct Message-IDs (${f.repeatedCopies} identical repeat(s) after a kill)` : '–'}`,
    `  time             ${((Date.now() - began) / 1000).toFixed(1)} s in all, ${(settleMs / 1000).toFixed(1)} s to settle after the last kill`,
    ...notes.map((n) => `  note: ${n}`),
    ...failures.map((x) => `  FAIL: ${x}`),
    `  run directory    ${ok && !opts.keep ? '(removed)' : runDir}`,
  ];
  if (ok && !opts.keep) rmSync(runDir, { recursive: true, force: true });
  return { ok, failures, notes, summary: lines.join('\n'), dbMode: db?.mode ?? 'external', kills, runDir };
}

function isAlive(run: AppRun): boolean {
  return run.spawned.child.exitCode === null && run.spawned.child.signalCode === null;
}

/** UIDVALIDITY and the highest UID of the soak's mailbox, read from Dovecot. */
async function mailboxState(dovecot: DovecotServer): Promise<{ uidValidity: string; highestUid: number }> {
  const client = await dovecot.client(MAILBOX);
  try {
    const box = await client.mailboxOpen('INBOX', { readOnly: true });
    return { uidValidity: String(box.uidValidity), highestUid: Number(box.uidNext) - 1 };
  } finally {
    await client.logout();
  }
}

type Api = (method: string, route: string, body?: unknown, token?: string) => Promise<{ status: number; body: Record<string, unknown> & { items?: Array<Record<string, unknown>> } }>;

/**
 * Waits until the app looks done from outside, to save needless rounds (the look into the database
 * after the clean stop decides): its poller idles, caught up, after a sync in this process that ended
 * after the last mail arrived; a lock lifetime has passed since start-up (jobs the killed process held
 * run again after it); and the SMTP server has as many distinct auto-replies as there are threads and
 * has been quiet for a second, or has been quiet for three lock lifetimes (an auto-reply is missing).
 * Gives up after `timeoutMs`.
 */
async function appLooksIdle(o: {
  api: Api; inboxId: string; run: AppRun; lastAppendAt: number; threads: number; smtp: TestSmtp; lastSmtpAt: () => number; timeoutMs: number;
}): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let previousSync: string | null = null;
  while (Date.now() < deadline) {
    const res = await o.api('GET', `/inboxes/${o.inboxId}`).catch(() => null);
    const status = (res?.body.status ?? {}) as { state?: string; behind?: number; lastSyncAt?: string | null };
    const syncedAt = status.lastSyncAt ? Date.parse(status.lastSyncAt) : 0;
    const distinct = new Set(o.smtp.received.map((m) => bracketed(headersOf(m.raw).get('message-id')))).size;
    const quietMs = Date.now() - Math.max(o.lastSmtpAt(), o.run.startedAt);
    const caughtUp = status.state === 'idle' && status.behind === 0 && syncedAt > o.lastAppendAt && syncedAt > o.run.startedAt;
    const locksExpired = Date.now() - o.run.startedAt > (o.run.servingMs ?? 0) + LOCK_LIFETIME_MS + 1000;
    const idle = caughtUp && locksExpired && ((distinct >= o.threads && quietMs > 1000) || quietMs > 3 * LOCK_LIFETIME_MS);
    if (idle && previousSync === status.lastSyncAt) return;
    previousSync = idle ? (status.lastSyncAt ?? null) : null;
    await sleep(500);
  }
}

/** Users, inbox and passwords as the API shows them at the end, before the clean stop. */
async function checkThroughApi(api: Api, setup: SoakSetup, failures: string[]): Promise<void> {
  const agentLogin = await api('POST', '/auth/token', { email: setup.agent.email, password: AGENT.password }, '');
  if (agentLogin.status !== 201) failures.push(`the agent can no longer log in with the password set up (${agentLogin.status})`);
  const users = (await api('GET', '/users')).body.items ?? [];
  const ids = users.map((u) => String(u.id)).sort();
  if (JSON.stringify(ids) !== JSON.stringify([setup.adminId, setup.agent.id].sort())) failures.push(`the API lists users ${ids.join(', ')} instead of the admin and the agent`);
  const inbox = await api('GET', `/inboxes/${setup.inbox.id}`);
  const imap = inbox.body.imap as { port?: number; hasPassword?: boolean } | undefined;
  if (inbox.status !== 200 || inbox.body.address !== setup.inbox.address || imap?.port !== setup.inbox.imapPort || imap.hasPassword !== true) {
    failures.push(`the API shows the inbox as ${inbox.status} ${JSON.stringify({ address: inbox.body.address, imap })}`);
  }
}
