import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { COMPILED_ENTRIES } from '../support/compiled-entries.js';
import { fakeClockEnv } from './clock.js';
import { TEST_SECRET_KEY } from './inbox.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Spawned {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** The folder of the bundles the suite's global setup made, or null (outside vitest, or TEST_ENTRIES=tsx). */
function compiledEntries(): string | null {
  try {
    return inject('compiledEntries') ?? null;
  } catch {
    return null; // a bench script, not a test
  }
}

/**
 * The node arguments that run an entry of this repo: its bundle when the suite made one (the same
 * sources, loaded without tsx resolving and transforming each file at every start), else the
 * TypeScript source through tsx, as the npm scripts run it. `tsx: true` asks for the latter.
 */
export function entryArgs(entry: string, opts: { tsx?: boolean } = {}): string[] {
  const compiled = opts.tsx ? null : compiledEntries();
  if (compiled && COMPILED_ENTRIES.includes(entry)) return [path.join(compiled, entry.replace(/\.ts$/, '.mjs'))];
  return ['--import', 'tsx', entry];
}

/** Runs a TypeScript entry of this repo as its own process with only the given environment (and the test's fake clock, if any). */
export function spawnEntry(entry: string, env: Record<string, string>, args: string[] = [], opts: { tsx?: boolean } = {}): Spawned {
  // One process (no tsx wrapper), so a SIGKILL from inside is seen as the exit signal.
  const child = spawn(process.execPath, [...entryArgs(entry, opts), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...fakeClockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => output };
}

/** A TCP port free on 127.0.0.1 right now (for a server a test starts next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The environment of a worker process in tests: its database, the test secret, a data folder of its own. */
export function workerEnv(mongodbUri: string, extra: Record<string, string> = {}): Record<string, string> {
  return { MONGODB_URI: mongodbUri, SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tl-worker-')), LOG_LEVEL: 'warn', ...extra };
}

/** What a command-line run printed, and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command-line entry of this repo to its end the way its npm script does: with this process's
 * environment plus `env` (an undefined value removes a variable), `stdin` written then closed.
 * `onStdout` sees the output so far as it comes (to answer a prompt, or to stop it).
 */
export function runCli(entry: string, args: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; onStdout?: (stdoutSoFar: string) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'test', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [...entryArgs(entry), ...args], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
