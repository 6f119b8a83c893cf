import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevDb, type DevDbServer } from '../../../src/devdb/server.js';
import { spawnEntry } from '../../helpers/process.js';

/*
 * npm run db:backup / db:restore on the built-in database: an online copy of a store that keeps
 * being written holds whole commands only, and a restore never deletes the store it replaces.
 */

const BATCH = 10;
const dirs: string[] = [];
const opened: Array<{ server: DevDbServer; client: MongoClient }> = [];

type BatchDoc = { batch: number; i: number; pad: string };

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tl-backup-'));
  dirs.push(d);
  return d;
}

/** Serves the store of a DATA_DIR (its `db` folder) in this process. */
async function open(dataDir: string): Promise<{ server: DevDbServer; client: MongoClient; batches: Collection<BatchDoc> }> {
  const server = await startDevDb({ host: '127.0.0.1', port: 0, dataDir: path.join(dataDir, 'db') });
  const client = await new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 }).connect();
  opened.push({ server, client });
  return { server, client, batches: client.db('threadline').collection<BatchDoc>('batches') };
}

async function shut(server: DevDbServer): Promise<void> {
  const at = opened.findIndex((o) => o.server === server);
  const [{ client }] = opened.splice(at, 1) as [{ server: DevDbServer; client: MongoClient }];
  await client.close();
  await server.close();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function batch(n: number): BatchDoc[] {
  return Array.from({ length: BATCH }, (_, i) => ({ batch: n, i, pad: 'x'.repeat(300) }));
}

async function cli(name: 'backup' | 'restore', env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  const run = spawnEntry(`src/cli/db-${name}.ts`, env, args);
  const { code } = await run.exited;
  return { code, output: run.output() };
}

/** Documents per batch number. */
async function batchSizes(coll: Collection<BatchDoc>): Promise<Map<number, number>> {
  const rows = await coll.aggregate<{ _id: number; n: number }>([{ $group: { _id: '$batch', n: { $sum: 1 } } }]).toArray();
  return new Map(rows.map((r) => [r._id, r.n]));
}

afterEach(async () => {
  for (const { server, client } of opened.splice(0)) {
    await client.close();
    await server.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('npm run db:backup and db:restore', () => {
  it('copies a store while it is written, whole inserts only, and restores it into an empty DATA_DIR with working indexes', async () => {
    const live = tempDir();
    const { batches } = await open(live);
    await batches.createIndex({ batch: 1, i: 1 }, { unique: true, name: 'batch_i' });
    let written = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        await batches.insertMany(batch(written));
        written++;
      }
    })();
    while (written < 50) await new Promise((r) => setTimeout(r, 5));

    const file = path.join(tempDir(), 'backups', 'threadline.mdb');
    const before = written;
    const backup = await cli('backup', { DATA_DIR: live }, [file]);
    const after = written;
    stop = true;
    await writer;

    expect(backup.code, backup.output).toBe(0);
    expect(after, 'the store was written while the backup ran').toBeGreaterThan(before);
    expect(backup.output).toMatch(new RegExp(`^backed up ${escape(path.join(live, 'db'))} to ${escape(file)}: [\\d.]+ (KB|MB) in [\\d.]+s$`, 'm'));
    const reported = /^checked the copy: 1 collection, ([\d,]+) documents, 2 indexes$/m.exec(backup.output);
    expect(reported, backup.output).not.toBeNull();
    expect(readdirSync(path.dirname(file))).toEqual(['threadline.mdb']);

    const fresh = tempDir();
    const restore = await cli('restore', { DATA_DIR: fresh }, [file]);
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toContain(`restored ${file} (`);
    expect(restore.output).toContain(`there was no database in ${path.join(fresh, 'db')} before`);
    expect(readdirSync(fresh)).toEqual(['db']);

    const { batches: copy } = await open(fresh);
    const sizes = await batchSizes(copy);
    const k = sizes.size;
    // the copy is one moment of the store: batches 0..k-1, each whole, and nothing after
    expect([...sizes.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, n) => n));
    expect([...sizes.values()].every((n) => n === BATCH)).toBe(true);
    expect(k).toBeGreaterThanOrEqual(before);
    expect(k).toBeLessThanOrEqual(after + 1);
    expect(Number(reported![1]!.replace(/,/g, ''))).toBe(k * BATCH);

    expect((await copy.listIndexes().toArray()).map((ix) => ix.name).sort()).toEqual(['_id_', 'batch_i']);
    expect(await copy.find({ batch: { $gte: 0 } }).hint('batch_i').toArray()).toHaveLength(k * BATCH);
    const plan = await copy.find({ batch: k - 1 }).explain('executionStats');
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).toContain('batch_i');
    expect(await copy.find({ batch: k - 1 }).toArray()).toHaveLength(BATCH);
    await expect(copy.insertOne({ batch: 0, i: 0, pad: '' })).rejects.toThrow(/E11000/);
    await copy.insertMany(batch(k));
    expect(await copy.countDocuments()).toBe((k + 1) * BATCH);
  }, 90_000);

  it('restore refuses while a process holds the store, then moves the store it replaces aside', async () => {
    const dataDir = tempDir();
    const { server, batches } = await open(dataDir);
    await batches.createIndex({ batch: 1, i: 1 }, { unique: true, name: 'batch_i' });
    await batches.insertMany(batch(0));
    const file = path.join(tempDir(), 'one-batch.mdb');
    expect((await cli('backup', { DATA_DIR: dataDir }, [file])).code).toBe(0);
    await batches.insertMany(batch(1));

    const held = await cli('restore', { DATA_DIR: dataDir }, [file]);
    expect(held.code).toBe(1);
    expect(held.output.trim()).toBe(
      `error CONFLICT: the store in ${path.join(dataDir, 'db')} is in use by process ${process.pid}: stop Threadline (or whatever holds it) before restoring`,
    );
    expect(readdirSync(dataDir)).toEqual(['db']);
    expect(await batches.countDocuments()).toBe(2 * BATCH);
    await shut(server);

    const restore = await cli('restore', { DATA_DIR: dataDir }, [file]);
    expect(restore.code, restore.output).toBe(0);
    const aside = readdirSync(dataDir).filter((name) => name !== 'db');
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^db\.before-restore-\d{8}T\d{6}Z$/);
    expect(restore.output).toContain(`the database that was there is now in ${path.join(dataDir, aside[0]!)}`);

    const restored = await open(dataDir);
    expect([...(await batchSizes(restored.batches)).entries()]).toEqual([[0, BATCH]]);
    await shut(restored.server);
    // the old store, with the batch written after the backup, is intact where it was moved
    const old = path.join(tempDir(), 'old');
    mkdirSync(old);
    renameSync(path.join(dataDir, aside[0]!), path.join(old, 'db'));
    const { batches: oldBatches } = await open(old);
    expect(await oldBatches.countDocuments()).toBe(2 * BATCH);
  }, 60_000);

  it('backup refuses MONGODB_URI and an existing FILE without --force; restore refuses a file that is not a backup', async () => {
    const dataDir = tempDir();
    const { batches } = await open(dataDir);
    await batches.insertMany(batch(0));
    const out = tempDir();
    const file = path.join(out, 'backup.mdb');

    const mongo = await cli('backup', { DATA_DIR: dataDir, MONGODB_URI: 'mongodb://127.0.0.1:1/threadline' }, [file]);
    expect(mongo.code).toBe(2);
    expect(mongo.output).toMatch(/^error CONFIG_INVALID: MONGODB_URI is set, so Threadline keeps its data in MongoDB, not in the built-in database: back it up with mongodump .*npm run db:export/m);
    expect(readdirSync(out)).toEqual([]);

    writeFileSync(file, 'keep me');
    const exists = await cli('backup', { DATA_DIR: dataDir }, [file]);
    expect(exists.code).toBe(1);
    expect(exists.output.trim()).toBe(`error CONFLICT: ${file} exists: give another file name, or --force to replace it`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');

    const forced = await cli('backup', { DATA_DIR: dataDir }, [file, '--force']);
    expect(forced.code, forced.output).toBe(0);
    expect(readdirSync(out)).toEqual(['backup.mdb']);
    expect(readFileSync(file).length).toBeGreaterThan(4096);

    const target = tempDir();
    writeFileSync(path.join(out, 'notes.txt'), 'not a database\n'.repeat(1000));
    const junk = await cli('restore', { DATA_DIR: target }, [path.join(out, 'notes.txt')]);
    expect(junk.code).toBe(1);
    expect(junk.output.trim()).toBe(`error VALIDATION_FAILED: ${path.join(out, 'notes.txt')} is not a backup of the built-in database (not an LMDB file, or cut short)`);
    const cut = path.join(out, 'cut.mdb');
    writeFileSync(cut, readFileSync(file).subarray(0, 3 * 4096));
    expect((await cli('restore', { DATA_DIR: target }, [cut])).output).toContain('is not a backup of the built-in database');
    expect(readdirSync(target)).toEqual([]);
  }, 60_000);
});
