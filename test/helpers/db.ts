import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pino from 'pino';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../src/store/database.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { createModels, ensureIndexes, type Models } from '../../src/store/models/index.js';

/** A quiet logger for tests; set TEST_LOG_LEVEL=debug to see what the code under test says. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A database name of its own for each test file, so files can run in parallel against one server. */
export function uniqueDbName(prefix: string): string {
  return `tl_${prefix}_${randomBytes(4).toString('hex')}`.slice(0, 60);
}

/** A mongoose connection to a fresh database on the suite's server, with every model and index. */
export async function openTestDb(prefix: string): Promise<{ connection: Connection; models: Models; stores: Stores; uri: string; drop(): Promise<void> }> {
  const uri = inject('mongoUri');
  const connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000, dbName: uniqueDbName(prefix) }, testLogger);
  const models = createModels(connection);
  await ensureIndexes(models);
  return {
    connection,
    models,
    stores: createStores(models),
    uri,
    async drop() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}
