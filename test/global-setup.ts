import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDevDb, type DevDbServer } from '../src/devdb/server.js';

let server: DevDbServer | undefined;

/**
 * Every test file talks to MongoDB over TCP. With MONGODB_URI set the suite runs against that
 * server (a real MongoDB), otherwise against the built-in MongoDB-compatible server on a free port.
 */
export async function setup(project: TestProject): Promise<void> {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    server = await startDevDb({ host: '127.0.0.1', port: 0 });
    uri = server.uri;
  }
  project.provide('mongoUri', uri);
  project.provide('realMongo', Boolean(process.env.MONGODB_URI));
}

export async function teardown(): Promise<void> {
  await server?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    realMongo: boolean;
  }
}
