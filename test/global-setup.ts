import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDevDb, type DevDbServer } from '../src/devdb/server.js';
import { compileEntries } from './support/compiled-entries.js';

let server: DevDbServer | undefined;
let dataDir: string | undefined;

/**
 * Every test file talks to MongoDB over TCP. With MONGODB_URI set the suite runs against that
 * server (a real MongoDB), otherwise against the built-in MongoDB-compatible server on a free port:
 * in memory, or on its durable engine for the `durable` project.
 */
export async function setup(project: TestProject): Promise<void> {
  // The processes the tests start run bundles of their entries (see compiled-entries.ts); with
  // TEST_ENTRIES=tsx, or when the sources do not bundle, through tsx from the sources, as `npm start` does.
  const compiled = process.env.TEST_ENTRIES === 'tsx'
    ? Promise.resolve(null)
    : compileEntries().catch((err: unknown) => {
      console.warn(`spawned entries run through tsx: bundling them failed (${String(err)})`);
      return null;
    });
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    if (project.name === 'durable') dataDir = mkdtempSync(path.join(tmpdir(), 'tl-devdb-'));
    server = await startDevDb({ host: '127.0.0.1', port: 0, dataDir });
    uri = server.uri;
  }
  project.provide('mongoUri', uri);
  project.provide('realMongo', Boolean(process.env.MONGODB_URI));
  project.provide('compiledEntries', await compiled);
}

export async function teardown(): Promise<void> {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    realMongo: boolean;
    /** The folder of the bundled entries, or null when spawned entries run through tsx. */
    compiledEntries: string | null;
  }
}
