import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakeClockEnv } from './clock.js';
import { TEST_SECRET_KEY } from './inbox.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Spawned {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Runs a TypeScript entry of this repo as its own process with only the given environment (and the test's fake clock, if any). */
export function spawnEntry(entry: string, env: Record<string, string>, args: string[] = []): Spawned {
  // One process (no tsx wrapper), so a SIGKILL from inside is seen as the exit signal.
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
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
