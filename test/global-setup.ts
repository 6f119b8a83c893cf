import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDevDb, type DevDbServer } from '../src/devdb/server.js';

let server: DevDbServer | undefined;
let dataDir: string | undefined;

/**
 * Every test file talks to MongoDB over TCP. With MONGODB_URI set the suite runs against that
 * server (a real MongoDB), otherwise against the built-in MongoDB-compatible server on a free port:
 * in memory, or on its durable engine for the `durable` project.
 */
export async function setup(project: TestProject): Promise<void> {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    if (project.name === 'durable') dataDir = mkdtempSync(path.join(tmpdir(), 'tl-devdb-'));
    server = await startDevDb({ host: '127.0.0.1', port: 0, dataDir });
    uri = server.uri;
  }
  project.provide('mongoUri', uri);
  project.provide('realMongo', Boolean(process.env.MONGODB_URI));
}

export async function teardown(): Promise<void> {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    realMongo: boolean;
  }
}
