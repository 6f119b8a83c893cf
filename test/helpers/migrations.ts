import { Writable } from 'node:stream';
import pino from 'pino';
import { inject } from 'vitest';
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { createBlobStore } from '../../src/store/blob-store.js';
import { connectMongo } from '../../src/store/database.js';
import { upgradeDatabase } from '../../src/store/migrations/index.js';
import type { Migration } from '../../src/store/migrations/migration.js';
import { MIGRATIONS } from '../../src/store/migrations/registry.js';
import { runMigrations, type MigrationOutcome } from '../../src/store/migrations/runner.js';
import { createModels } from '../../src/store/models/index.js';
import { testLogger, uniqueDbName } from './db.js';

/** A logger whose lines a test can read back (parsed JSON, newest last). */
export function recordingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A fresh, empty database on the suite's server with no models and no indexes built. */
export async function openBareDb(prefix: string): Promise<{ connection: Connection; db: Db; drop(): Promise<void> }> {
  const connection = await connectMongo(inject('mongoUri'), { serverSelectionTimeoutMs: 5000, dbName: uniqueDbName(prefix) }, testLogger);
  return {
    connection,
    db: connection.db!,
    async drop() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/**
 * The upgrade test every migration ships with, in three steps:
 *
 * ```ts
 * const old = await previousRelease('tickets-tags', 1);            // the database as release N-1 left it
 * await old.db.collection('tickets').insertOne({ tag: 'billing' }); // documents in the old shape, raw
 * await old.upgrade();                                               // start-up: migrations, then index sync
 * expect(await old.db.collection('tickets').findOne()).toMatchObject({ tags: ['billing'] });
 * ```
 *
 * `version` is the last migration the previous release had. Write old documents with the driver,
 * never through the models: the models already describe the new shape.
 */
export async function previousRelease(prefix: string, version: number, migrations: readonly Migration[] = MIGRATIONS) {
  const bare = await openBareDb(`up_${prefix}`);
  const { logger, lines } = recordingLogger();
  await runMigrations(bare.db, { logger: testLogger, migrations: migrations.filter((m) => m.version <= version) });
  let models: ReturnType<typeof createModels> | undefined;
  return {
    ...bare,
    /** What start-up logged during `upgrade`. */
    lines,
    /** Runs start-up's upgrade of this release over the old data. */
    upgrade(): Promise<MigrationOutcome> {
      models ??= createModels(bare.connection);
      return upgradeDatabase(bare.db, { models, blobs: createBlobStore(bare.db), logger, migrations });
    },
  };
}
