import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Db } from 'mongodb';
import { connectMongo } from '../../../src/store/database.js';
import { LOCK_COLLECTION, pidScope, type LockDoc } from '../../../src/store/migrations/lock.js';
import type { Migration } from '../../../src/store/migrations/migration.js';
import { MIGRATIONS } from '../../../src/store/migrations/registry.js';
import { MIGRATIONS_COLLECTION, runMigrations, type MigrationRecord } from '../../../src/store/migrations/runner.js';
import { testLogger } from '../../helpers/db.js';
import { openBareDb, previousRelease, recordingLogger } from '../../helpers/migrations.js';

const opened: Array<{ drop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.drop()));
});

async function bareDb(prefix: string) {
  const db = await openBareDb(prefix);
  opened.push(db);
  return db;
}

/** Test migrations that count their runs in a `calls` collection, optionally taking their time. */
function counting(count: number, delayMs = 0): Migration[] {
  return Array.from({ length: count }, (_, i) => ({
    version: i + 1,
    name: `step-${i + 1}`,
    async up({ db }) {
      await sleep(delayMs);
      await db.collection<{ _id: number; n: number }>('calls').updateOne({ _id: i + 1 }, { $inc: { n: 1 } }, { upsert: true });
    },
  }));
}

const calls = async (db: Db) => (await db.collection<{ _id: number; n: number }>('calls').find().sort({ _id: 1 }).toArray()).map((c) => [c._id, c.n]);
const records = (db: Db) => db.collection<MigrationRecord>(MIGRATIONS_COLLECTION).find().sort({ _id: 1 }).toArray();

describe('migration runner', () => {
  it('applies the registry to a new database and records each version with its name, time and duration', async () => {
    const { db } = await bareDb('mig_registry');
    const before = new Date();
    const outcome = await runMigrations(db, { logger: testLogger });
    expect(outcome).toEqual({ applied: MIGRATIONS.map((m) => ({ version: m.version, name: m.name, durationMs: expect.any(Number) })), version: MIGRATIONS.length, unknown: [] });
    const [baseline] = await records(db);
    expect(baseline).toEqual({ _id: 1, name: 'baseline', appliedAt: expect.any(Date), durationMs: expect.any(Number) });
    expect(baseline!.appliedAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(await db.collection(LOCK_COLLECTION).countDocuments()).toBe(0);
  });

  it('runs each migration once: a second run applies nothing, a later release applies only what is new', async () => {
    const { db } = await bareDb('mig_once');
    const first = await runMigrations(db, { logger: testLogger, migrations: counting(2) });
    expect(first.applied.map((a) => a.name)).toEqual(['step-1', 'step-2']);

    const again = await runMigrations(db, { logger: testLogger, migrations: counting(2) });
    expect(again).toEqual({ applied: [], version: 2, unknown: [] });

    const next = await runMigrations(db, { logger: testLogger, migrations: counting(3) });
    expect(next.applied.map((a) => a.version)).toEqual([3]);
    expect(await calls(db)).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect((await records(db)).map((r) => [r._id, r.name])).toEqual([[1, 'step-1'], [2, 'step-2'], [3, 'step-3']]);
  });

  it('applies each migration exactly once when two processes start at the same time', async () => {
    const a = await bareDb('mig_race');
    // The second "process" has a connection of its own to the same database.
    const b = await connectMongo(inject('mongoUri'), { serverSelectionTimeoutMs: 5000, dbName: a.db.databaseName }, testLogger);
    opened.push({ drop: () => b.close() });
    const other = b.db!;
    const logs = [recordingLogger(), recordingLogger()];

    const order: string[] = [];
    const [first, second] = await Promise.all([
      runMigrations(a.db, { logger: logs[0]!.logger, migrations: counting(3, 100), lock: { pollMs: 20 }, afterMigrations: async () => void order.push('a') }),
      runMigrations(other, { logger: logs[1]!.logger, migrations: counting(3, 100), lock: { pollMs: 20 }, afterMigrations: async () => void order.push('b') }),
    ]);

    expect([first.applied.length, second.applied.length].sort()).toEqual([0, 3]);
    expect(first.version).toBe(3);
    expect(second.version).toBe(3);
    expect(await calls(a.db)).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(await records(a.db)).toHaveLength(3);
    // Both ran their after-step (index sync at start-up), one after the other.
    expect(order.sort()).toEqual(['a', 'b']);
    const waited = logs.map(({ lines }) => lines.some((l) => l.msg === 'another process is upgrading the database; waiting for it'));
    expect(waited).toEqual([first.applied.length === 0, second.applied.length === 0]);
  });

  it('takes over a lock left by a crashed process once it has expired', async () => {
    const { db } = await bareDb('mig_expired');
    const locks = db.collection<LockDoc>(LOCK_COLLECTION);
    await locks.insertOne({ _id: 'schema', owner: 'crashed-host:4242', acquiredAt: new Date(Date.now() - 120_000), expiresAt: new Date(Date.now() - 60_000) });
    const outcome = await runMigrations(db, { logger: testLogger, migrations: counting(1) });
    expect(outcome.applied).toHaveLength(1);
    expect(await locks.countDocuments()).toBe(0);
  });

  // Regression: a process SIGKILLed while upgrading left the lock to block every restart for its full minute.
  it('takes over at once a lock whose holder was killed on this machine, and waits for one still running or elsewhere', async () => {
    const scope = pidScope();
    expect(scope, 'this machine reads its pid scope').toBeDefined();
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const { db } = await bareDb('mig_dead_holder');
    const locks = db.collection<LockDoc>(LOCK_COLLECTION);
    const held = { acquiredAt: new Date(), expiresAt: new Date(Date.now() + 60_000) };
    await locks.insertOne({ _id: 'schema', owner: 'killed', pid: deadPid, pidScope: scope, ...held });
    const { logger, lines } = recordingLogger();
    const started = Date.now();
    const outcome = await runMigrations(db, { logger, migrations: counting(1), lock: { pollMs: 25 } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome.applied).toHaveLength(1);
    expect(lines.find((l) => l.holder === 'killed' && l.pid === deadPid)).toBeDefined();
    expect(await locks.countDocuments()).toBe(0);

    // The same dead pid seen from another host or pid namespace proves nothing; a live holder here is waited for.
    for (const holder of [{ pid: deadPid, pidScope: 'other-host/boot/pid:[1]' }, { pid: process.ppid, pidScope: scope }]) {
      await locks.insertOne({ _id: 'schema', owner: 'holder', ...holder, acquiredAt: new Date(), expiresAt: new Date(Date.now() + 400) });
      const waitStarted = Date.now();
      await runMigrations(db, { logger: testLogger, migrations: counting(1), lock: { pollMs: 25 } });
      expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(300);
    }
  });

  it('waits for a lock that is still held, and takes it when its holder stops renewing it', async () => {
    const { db } = await bareDb('mig_wait');
    const locks = db.collection<LockDoc>(LOCK_COLLECTION);
    await locks.insertOne({ _id: 'schema', owner: 'frozen-host:7', acquiredAt: new Date(), expiresAt: new Date(Date.now() + 600) });
    const { logger, lines } = recordingLogger();
    const started = Date.now();
    const outcome = await runMigrations(db, { logger, migrations: counting(1), lock: { pollMs: 25 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(outcome.applied).toHaveLength(1);
    expect(lines.find((l) => l.holder === 'frozen-host:7')).toBeDefined();
  });

  it('stops on a failing migration with SCHEMA_UPGRADE_FAILED, keeps what came before, and retries it on the next start', async () => {
    const { db } = await bareDb('mig_fail');
    let fail = true;
    const migrations: Migration[] = [
      ...counting(1),
      {
        version: 2,
        name: 'split-names',
        async up() {
          if (fail) throw new Error('field "name" is not a string');
        },
      },
    ];
    await expect(runMigrations(db, { logger: testLogger, migrations })).rejects.toMatchObject({
      code: 'SCHEMA_UPGRADE_FAILED',
      message: 'Migration 0002-split-names failed: field "name" is not a string',
    });
    expect((await records(db)).map((r) => r._id)).toEqual([1]);
    expect(await db.collection(LOCK_COLLECTION).countDocuments()).toBe(0);

    fail = false;
    const retry = await runMigrations(db, { logger: testLogger, migrations });
    expect(retry.applied.map((a) => a.version)).toEqual([2]);
    expect(await calls(db)).toEqual([[1, 1]]);
  });

  it('does not record a migration after losing the lock to another process', async () => {
    const { db } = await bareDb('mig_lost');
    const migrations: Migration[] = [
      {
        version: 1,
        name: 'slow',
        async up({ db }) {
          // What another process does once this one's lock has expired.
          await db.collection<LockDoc>(LOCK_COLLECTION).updateOne({ _id: 'schema' }, { $set: { owner: 'other-host:9' } });
        },
      },
    ];
    await expect(runMigrations(db, { logger: testLogger, migrations })).rejects.toMatchObject({ code: 'SCHEMA_UPGRADE_FAILED', message: expect.stringContaining('Lost the migration lock (now held by other-host:9)') });
    expect(await records(db)).toEqual([]);
    // The lock belongs to the other process and stays with it.
    expect(await db.collection<LockDoc>(LOCK_COLLECTION).findOne()).toMatchObject({ owner: 'other-host:9' });
  });

  it('leaves a database upgraded by a newer release as it is, with a warning', async () => {
    const { db } = await bareDb('mig_newer');
    await runMigrations(db, { logger: testLogger, migrations: counting(3) });
    const { logger, lines } = recordingLogger();
    let after = false;
    const outcome = await runMigrations(db, { logger, migrations: counting(2), afterMigrations: async () => void (after = true) });
    expect(outcome).toEqual({ applied: [], version: 3, unknown: [3] });
    expect(after).toBe(false);
    expect(lines.find((l) => l.level === 40)?.msg).toMatch(/upgraded by a newer release \(migrations 3 are unknown here\)/);
  });

  it('refuses a registry whose versions are not 1, 2, 3, … in order', async () => {
    const { db } = await bareDb('mig_registry_check');
    const [one, two] = counting(2);
    await expect(runMigrations(db, { logger: testLogger, migrations: [two!, one!] })).rejects.toMatchObject({ code: 'SCHEMA_UPGRADE_FAILED', message: expect.stringMatching(/0002-step-2 is listed at position 1/) });
    await expect(runMigrations(db, { logger: testLogger, migrations: [{ ...one!, name: 'Step One' }] })).rejects.toMatchObject({ code: 'SCHEMA_UPGRADE_FAILED' });
  });

  it('the registry lists the baseline first and only kebab-case names', () => {
    expect(MIGRATIONS[0]).toMatchObject({ version: 1, name: 'baseline' });
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    });
  });
});

describe('upgrading data written by the previous release', () => {
  // A stand-in for a real migration, to show the pattern every migration's upgrade test follows:
  // contacts once kept one `fullName`; this release calls it `name`.
  const renameFullName: Migration = {
    version: MIGRATIONS.length + 1,
    name: 'contacts-full-name-to-name',
    async up({ db }) {
      await db.collection('contacts').updateMany({ fullName: { $exists: true } }, [{ $set: { name: '$fullName' } }, { $unset: 'fullName' }]);
    },
  };

  it('upgrades old-shaped documents, then syncs indexes over them', async () => {
    const old = await previousRelease('contacts', MIGRATIONS.length, [...MIGRATIONS, renameFullName]);
    opened.push(old);
    await old.db.collection('contacts').insertMany([
      { email: 'ada@example.com', fullName: 'Ada Lovelace', bounce: { bouncing: false } },
      { email: 'alan@example.com', fullName: 'Alan Turing', bounce: { bouncing: false } },
    ]);

    const outcome = await old.upgrade();

    expect(outcome.applied.map((a) => a.name)).toEqual(['contacts-full-name-to-name']);
    const contacts = await old.db.collection('contacts').find({}, { projection: { _id: 0, email: 1, name: 1, fullName: 1 } }).sort({ email: 1 }).toArray();
    expect(contacts).toEqual([
      { email: 'ada@example.com', name: 'Ada Lovelace' },
      { email: 'alan@example.com', name: 'Alan Turing' },
    ]);
    const indexes = await old.db.collection('contacts').listIndexes().toArray();
    expect(indexes.find((ix) => ix.name === 'email_1')).toMatchObject({ unique: true });
    // Run twice, as a crash between `up` and its record would: nothing changes.
    await renameFullName.up({ db: old.db, logger: testLogger });
    expect(await old.db.collection('contacts').countDocuments({ name: { $type: 'string' }, fullName: { $exists: false } })).toBe(2);
  });
});
