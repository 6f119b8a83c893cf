/**
 * Ingest benchmark: N real messages in a loopback Dovecot become tickets through the production wiring
 * (createRuntime + poller + JSON API). Prints end-to-end messages/second beside mailparser parsing the
 * same messages alone in the same run, database commands per mail, then the delay from APPEND to the
 * ticket being visible in the API while the poller IDLEs (p50/p95). Each run is made on the built-in
 * server's durable engine (the default of `npm start`) and on its in-memory engine, each in a process
 * of its own (bench/ingest-run.ts).
 *
 * Run: `npm run bench -- ingest` (needs root and dovecot-imapd). BENCH_N (default 600; a list such as
 * `600,3000` runs each size) and BENCH_LATENCY_ROUNDS (default 40) change the sizes; BENCH_REPEAT
 * (default 1) repeats every run and reports the median rate and command count (latencies pooled).
 *
 * Before/after: `npm run bench -- ingest --baseline` (or `--baseline=<commit>`, default HEAD, or
 * BENCH_BASELINE=<commit>) checks that commit out into a temporary git worktree under the system's
 * temporary directory, runs it beside this working tree in the same run (same corpus, same Dovecot,
 * same database server, runs interleaved), prints the ratio, and removes the worktree.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { simpleParser } from 'mailparser';
import { startDovecot, type DovecotServer } from '../test/helpers/dovecot.js';
import { corpus, type RunResult, type RunSpec } from './ingest-run.js';
import { percentile, printTable } from './stats.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SIZES = (process.env.BENCH_N ?? '600').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_LATENCY_ROUNDS ?? 40);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
const ENGINES = ['memory', 'durable'] as const;
const baselineFlag = process.argv.slice(2).find((a) => a === '--baseline' || a.startsWith('--baseline='));
const BASELINE = baselineFlag ? (baselineFlag.split('=')[1] ?? 'HEAD') : (process.env.BENCH_BASELINE ?? null);

interface Tree {
  label: string;
  root: string;
}

/** Checks `ref` out into a temporary worktree that shares this tree's node_modules. */
function baselineTree(ref: string): Tree & { remove(): void } {
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', `${ref}^{commit}`]).toString().trim();
  const dir = mkdtempSync(path.join(tmpdir(), `threadline-bench-${commit}-`));
  execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', '--quiet', dir, commit]);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    label: `before (${commit})`,
    root: dir,
    remove() {
      execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One run in a process of its own, so neither tree inherits the other's heap, JIT or pools. */
function runIn(spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest-run.ts'], { cwd: ROOT, env: { ...process.env, BENCH_RUN: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as RunResult);
      else reject(new Error(`ingest run (${spec.engine}, ${spec.n} mails, ${spec.appRoot}) exited with ${code}:\n${out}`));
    });
  });
}

/** The median rate and command count of repeated runs; their latency samples pooled. */
function combined(runs: RunResult[]): RunResult {
  const median = (values: number[]) => percentile(values, 50);
  return {
    rate: median(runs.map((r) => r.rate)),
    commandsPerMail: median(runs.map((r) => r.commandsPerMail)),
    ingestCommandsPerMail: median(runs.map((r) => r.ingestCommandsPerMail)),
    tickets: runs[0]!.tickets,
    delays: runs.flatMap((r) => r.delays),
    serverDelays: runs.flatMap((r) => r.serverDelays),
  };
}

const msgPerSecond = (r: RunResult) => `${r.rate.toFixed(0)} msg/s`;
const ms = (v: number) => (Number.isNaN(v) ? '–' : `${v.toFixed(0)} ms`);

function report(n: number, bytes: number, parseRate: number, tree: Tree, results: Record<(typeof ENGINES)[number], RunResult>) {
  const { durable, memory } = results;
  const { delays, serverDelays } = durable;
  console.log(`\nIngest, ${tree.label}: ${n} real mailing-list messages (${(bytes / 1e6).toFixed(1)} MB) from a loopback Dovecot into ${durable.tickets} tickets`);
  printTable(
    ['measure', 'value'],
    [
      ['mailparser alone (baseline)', `${parseRate.toFixed(0)} msg/s`],
      ['end to end: IMAP → parse → dedupe → thread → store, durable engine', msgPerSecond(durable)],
      ['end to end, in-memory engine (same mail, same run)', msgPerSecond(memory)],
      ['durable / in-memory', (durable.rate / memory.rate).toFixed(3)],
      ['end to end (durable) / parsing alone', (durable.rate / parseRate).toFixed(3)],
      ['database commands per mail (poller, ingest, follow-up jobs scheduled), durable', durable.commandsPerMail.toFixed(2)],
      ['  of which ingest (without leases, inbox rescans and heartbeats)', durable.ingestCommandsPerMail.toFixed(2)],
      [`APPEND → visible in API while IDLE, p50 (${ROUNDS} rounds, durable)`, ms(percentile(delays, 50))],
      ['APPEND → visible in API while IDLE, p95', ms(percentile(delays, 95))],
      ['baseline: APPEND → EXISTS at a plain IDLE client, p50', ms(percentile(serverDelays, 50))],
      ['baseline: APPEND → EXISTS at a plain IDLE client, p95', ms(percentile(serverDelays, 95))],
      ["Threadline's own share (p50 of visible minus EXISTS)", ms(percentile(delays.map((d, i) => d - serverDelays[i]!), 50))],
      ['in-memory engine: APPEND → visible p50 / p95', `${ms(percentile(memory.delays, 50))} / ${ms(percentile(memory.delays, 95))}`],
    ],
  );
}

async function main() {
  const trees: Tree[] = [{ label: 'this working tree', root: ROOT }];
  const baseline = BASELINE ? baselineTree(BASELINE) : null;
  if (baseline) trees.unshift(baseline);
  const users = SIZES.flatMap((n) => trees.flatMap((_, t) => ENGINES.flatMap((engine) => [...Array(REPEAT).keys()].map((r) => `t${t}-${engine}-${n}-${r}@example.test`))));
  let dovecot: DovecotServer | null = null;
  const comparison: string[][] = [];
  const interrupted = () => {
    baseline?.remove();
    void dovecot?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    dovecot = await startDovecot(users);
    for (const n of SIZES) {
      const messages = corpus(n);
      const bytes = messages.reduce((s, m) => s + m.length, 0);
      // Baseline: mailparser alone over the same bytes, in this process, right now.
      for (const raw of messages.slice(0, 50)) await simpleParser(raw); // warm-up
      const p0 = performance.now();
      for (const raw of messages) await simpleParser(raw, { skipImageLinks: true });
      const parseRate = n / ((performance.now() - p0) / 1000);

      const results = trees.map(() => ({}) as Record<(typeof ENGINES)[number], RunResult>);
      for (const [e, engine] of ENGINES.entries()) {
        const runs = trees.map((): RunResult[] => []);
        for (let r = 0; r < REPEAT; r++) {
          // Interleaved, each tree first in turn, so drift on a shared machine favours neither.
          const order = (r + e) % 2 === 0 ? [...trees.keys()] : [...trees.keys()].reverse();
          for (const t of order) {
            const user = `t${t}-${engine}-${n}-${r}@example.test`;
            const result = await runIn({ appRoot: trees[t]!.root, engine, n, rounds: ROUNDS, imap: { port: dovecot.port, user, password: dovecot.password } });
            console.error(`  ${trees[t]!.label}, ${engine}, ${n} mails, run ${r + 1}: ${msgPerSecond(result)}, ${result.commandsPerMail.toFixed(2)} commands/mail (${result.ingestCommandsPerMail.toFixed(2)} ingest)`);
            runs[t]!.push(result);
          }
        }
        trees.forEach((_, t) => (results[t]![engine] = combined(runs[t]!)));
      }
      trees.forEach((tree, t) => report(n, bytes, parseRate, tree, results[t]!));
      if (baseline) {
        for (const engine of ENGINES) {
          const [before, after] = [results[0]![engine], results[1]![engine]];
          const commands = (r: RunResult) => `${r.commandsPerMail.toFixed(2)} (${r.ingestCommandsPerMail.toFixed(2)})`;
          comparison.push([String(n), engine, msgPerSecond(before), msgPerSecond(after), (after.rate / before.rate).toFixed(3), commands(before), commands(after), `${ms(percentile(before.delays, 50))} / ${ms(percentile(after.delays, 50))}`]);
        }
      }
    }
  } finally {
    await dovecot?.stop();
    baseline?.remove();
  }
  if (baseline) {
    console.log(`\nBefore/after in one run: ${baseline.label} in a temporary worktree against this working tree${REPEAT > 1 ? ` (median of ${REPEAT} interleaved runs each)` : ''}`);
    printTable(['mails', 'engine', 'before', 'after', 'after / before', 'commands/mail before (ingest)', 'commands/mail after (ingest)', 'APPEND → visible p50 before / after'], comparison);
  }
  process.exit(0);
}

await main();
