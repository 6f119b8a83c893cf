import { performance } from 'node:perf_hooks';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import { withSchemaLock, type LockOptions } from './lock.js';
import type { Migration } from './migration.js';
import { MIGRATIONS } from './registry.js';

/** The collection with one document per applied migration. */
export const MIGRATIONS_COLLECTION = 'migrations';

/** An applied migration as recorded; `_id` is its version, so each is recorded once at most. */
export interface MigrationRecord {
  _id: number;
  name: string;
  appliedAt: Date;
  durationMs: number;
}

export interface RunMigrationsOptions {
  logger: Logger;
  /** The registry by default. */
  migrations?: readonly Migration[];
  lock?: LockOptions;
  /**
   * Runs under the same lock after the migrations, unless the database is newer than this release.
   * Start-up syncs indexes here, so they are built against upgraded documents, one process at a time.
   */
  afterMigrations?: () => Promise<void>;
}

/** What a run found and did. */
export interface MigrationOutcome {
  applied: Array<{ version: number; name: string; durationMs: number }>;
  /** The highest version recorded in the database afterwards (0 for none). */
  version: number;
  /** Versions recorded by a newer release that this one does not know; nothing was changed then. */
  unknown: number[];
}

/** `0001-baseline`: how migrations are named in logs and errors, as their files are named. */
export const migrationLabel = (m: Pick<Migration, 'version' | 'name'>) => `${String(m.version).padStart(4, '0')}-${m.name}`;

function checkRegistry(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new AppError('SCHEMA_UPGRADE_FAILED', `Migration ${migrationLabel(m)} is listed at position ${i + 1}: versions must run 1, 2, 3, … in order`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(m.name)) throw new AppError('SCHEMA_UPGRADE_FAILED', `Migration ${m.version} needs a kebab-case name, not "${m.name}"`);
  });
}

/**
 * Applies, in order and under the schema lock, every migration the database has not recorded, and
 * records each one as it finishes. A process that finds the lock taken waits, then sees the work done
 * and applies nothing. A database that records versions this release does not know was upgraded by
 * a newer release: it is left as it is, with a warning. A migration that throws stops the run with
 * SCHEMA_UPGRADE_FAILED; the ones before it stay recorded, and the next start tries it again.
 */
export async function runMigrations(db: Db, opts: RunMigrationsOptions): Promise<MigrationOutcome> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const { logger } = opts;
  checkRegistry(migrations);
  const records = db.collection<MigrationRecord>(MIGRATIONS_COLLECTION);
  return withSchemaLock(db, logger, opts.lock ?? {}, async (lock) => {
    const done = new Set((await records.find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    const unknown = [...done].filter((v) => !migrations.some((m) => m.version === v)).sort((a, b) => a - b);
    const highest = () => Math.max(0, ...done);
    if (unknown.length > 0) {
      logger.warn({ unknown, known: migrations.length }, `the database was upgraded by a newer release (migrations ${unknown.join(', ')} are unknown here); leaving its documents and indexes as they are`);
      return { applied: [], version: highest(), unknown };
    }
    const applied: MigrationOutcome['applied'] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      const label = migrationLabel(migration);
      await lock.confirm();
      const started = performance.now();
      try {
        await migration.up({ db, logger: logger.child({ migration: label }) });
      } catch (err) {
        throw new AppError('SCHEMA_UPGRADE_FAILED', `Migration ${label} failed: ${(err as Error).message}`, { cause: err });
      }
      const durationMs = Math.round(performance.now() - started);
      await lock.confirm();
      await records.insertOne({ _id: migration.version, name: migration.name, appliedAt: new Date(), durationMs });
      done.add(migration.version);
      applied.push({ version: migration.version, name: migration.name, durationMs });
      logger.info({ version: migration.version, durationMs }, `applied migration ${label}`);
    }
    if (opts.afterMigrations) {
      await lock.confirm();
      await opts.afterMigrations();
    }
    return { applied, version: highest(), unknown };
  });
}
