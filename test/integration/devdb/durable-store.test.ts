import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BSON, Binary, Decimal128, Double, GridFSBucket, Long, MongoClient, MongoServerError, ObjectId, Timestamp, type Document,
} from 'mongodb';
import { startDevDb, type DevDbServer } from '../../../src/devdb/server.js';
import { entryArgs } from '../../helpers/process.js';

/*
 * The built-in server's durable engine: what a client was told is written survives a restart and a
 * SIGKILL, a command cut short leaves nothing, and one store has one owner process.
 */

const dirs: string[] = [];
const servers: DevDbServer[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tl-durable-'));
  dirs.push(d);
  return d;
}

async function open(dataDir: string): Promise<{ server: DevDbServer; client: MongoClient }> {
  const server = await startDevDb({ port: 0, dataDir });
  servers.push(server);
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return { server, client };
}

async function shut(server: DevDbServer, client: MongoClient): Promise<void> {
  await client.close();
  await server.close();
  servers.splice(servers.indexOf(server), 1);
}

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Documents keyed by number, as these tests write them. */
type NumberKeyed = { _id: number } & Document;

const RAW = { promoteValues: false, promoteLongs: false, bsonRegExp: true } as const;

function bytesOf(docs: Document[]): string[] {
  return docs.map((d) => Buffer.from(BSON.serialize(d)).toString('hex'));
}

describe('durable engine', () => {
  it('keeps documents of every BSON type, indexes and GridFS files across a restart', async () => {
    const dir = tempDir();
    let { server, client } = await open(dir);
    let db = client.db('keep');
    const docs: Document[] = [
      { _id: 1, long: Long.fromString('9007199254740993'), one: new Double(1), dec: Decimal128.fromString('1.10'), bin: new Binary(Buffer.from([0, 1, 2]), 0) },
      { _id: 2, at: new Date('2026-01-02T03:04:05Z'), nested: { a: [1, [2, 3], { b: 'x' }] }, ts: new Timestamp({ t: 5, i: 6 }), oid: new ObjectId() },
      { _id: 3, tags: ['a', 'b'], s: 'émoji 😀', n: null, neg: -0.5 },
    ];
    await db.collection<NumberKeyed>('types').insertMany(docs as NumberKeyed[]);
    await db.collection('types').createIndexes([
      { key: { tags: 1 }, name: 'tags_1' },
      { key: { s: 1, at: -1 }, name: 's_at', unique: true, partialFilterExpression: { s: { $exists: true } } },
      { key: { at: 1 }, name: 'ttl', expireAfterSeconds: 10 * 365 * 86400 },
    ]);
    const bucket = new GridFSBucket(db);
    await new Promise<void>((resolve, reject) => bucket.openUploadStream('f.txt').on('finish', () => resolve()).on('error', reject).end(Buffer.alloc(600_000, 7)));
    const before = bytesOf(await db.collection('types').find({}, { ...RAW, sort: { _id: 1 } }).toArray());
    const indexesBefore = await db.collection('types').listIndexes().toArray();
    await shut(server, client);

    ({ server, client } = await open(dir));
    db = client.db('keep');
    expect(bytesOf(await db.collection('types').find({}, { ...RAW, sort: { _id: 1 } }).toArray())).toEqual(before);
    expect(await db.collection('types').listIndexes().toArray()).toEqual(indexesBefore);
    expect(await db.collection('types').countDocuments()).toBe(3);
    // multikey knowledge and index contents came back with the catalog
    const plan = await db.collection('types').find({ tags: 'b' }).explain('executionStats');
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).toContain('tags_1');
    expect((await db.collection('types').find({ tags: 'b' }).toArray()).map((d) => d._id)).toEqual([3]);
    await expect(db.collection<NumberKeyed>('types').insertOne({ _id: 4, s: 'new' })).resolves.toBeTruthy();
    await expect(db.collection<NumberKeyed>('types').insertOne({ _id: 5, s: 'émoji 😀' })).rejects.toThrow(/E11000/);
    const chunks: Buffer[] = [];
    for await (const c of new GridFSBucket(db).openDownloadStreamByName('f.txt')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.alloc(600_000, 7))).toBe(true);
    await shut(server, client);
  });

  it('keeps every acknowledged write through SIGKILL, and each insertMany whole or not at all', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [...entryArgs('src/devdb/cli.ts'), '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const uri = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, retryWrites: false });
    await client.connect();
    const coll = client.db('crash').collection('batches');
    await coll.createIndex({ batch: 1 });
    const acknowledged: number[] = [];
    const writer = (async () => {
      for (let batch = 0; ; batch++) {
        await coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ batch, i, body: 'x'.repeat(500) })), { writeConcern: { w: 1, j: true } });
        acknowledged.push(batch);
      }
    })().catch(() => {});
    // Killed while it writes, once a few batches are acknowledged (not after a fixed time, which a slow run may not fill).
    await expect.poll(() => acknowledged.length, { timeout: 20_000, interval: 10 }).toBeGreaterThan(5);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await writer;
    await client.close().catch(() => {});
    expect(acknowledged.length).toBeGreaterThan(5);

    const { client: again } = await open(dir);
    const counts = await again.db('crash').collection('batches').aggregate<{ _id: number; n: number }>([{ $group: { _id: '$batch', n: { $sum: 1 } } }]).toArray();
    const byBatch = new Map(counts.map((c) => [c._id, c.n]));
    for (const b of acknowledged) expect(byBatch.get(b)).toBe(20);
    for (const n of byBatch.values()) expect(n).toBe(20);
    expect(await again.db('crash').collection('batches').countDocuments({ batch: acknowledged.at(-1) })).toBe(20);
    await again.close();
  });

  it('keeps what a failing multi-update did before its error, as MongoDB does, with indexes in step', async () => {
    const { client } = await open(tempDir());
    const coll = client.db('abort').collection<NumberKeyed>('c');
    await coll.createIndex({ k: 1 });
    await coll.insertMany([{ _id: 1, k: 1, v: 1 }, { _id: 2, k: 2, v: 'text' }, { _id: 3, k: 3, v: 3 }]);
    const err = await coll.updateMany({}, { $inc: { v: 1 }, $set: { k: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toEqual([{ _id: 1, k: 10, v: 2 }, { _id: 2, k: 2, v: 'text' }, { _id: 3, k: 3, v: 3 }]);
    expect((await coll.find({ k: 10 }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await coll.find({ k: 1 }).toArray()).length).toBe(0);
    await coll.insertOne({ _id: 4, k: 10 });
    expect(await coll.countDocuments()).toBe(4);
    expect((await coll.find({ k: 10 }).hint('k_1').toArray()).map((d) => d._id)).toEqual([1, 4]);
    await client.close();
  });

  it('rolls back a command that throws after writing (createIndexes builds all of its indexes or none)', async () => {
    const { client } = await open(tempDir());
    const coll = client.db('abort').collection<NumberKeyed>('c');
    await coll.insertMany([{ _id: 1, a: 1, b: 1 }, { _id: 2, a: 2, b: 1 }]);
    await coll.find({ a: 1 }).toArray();
    const plan = async () => ((await client.db('abort').command({ devdbStats: 1 })) as { namespaces: Record<string, { lastPlan: string }> }).namespaces['abort.c']?.lastPlan;
    expect(await plan()).toBe('COLLSCAN');
    await expect(coll.createIndexes([{ key: { a: 1 }, name: 'a_1' }, { key: { b: 1 }, name: 'b_1', unique: true }])).rejects.toThrow(/E11000/);
    expect((await coll.listIndexes().toArray()).map((ix) => ix.name)).toEqual(['_id_']);
    // regression: the rollback read the catalog back and lost every collection's work counters
    expect(await plan()).toBe('COLLSCAN');
    await coll.insertOne({ _id: 3, a: 3, b: 2 });
    await coll.createIndex({ a: 1 }, { name: 'a_1' });
    expect((await coll.find({ a: { $gte: 2 } }).hint('a_1').toArray()).map((d) => d._id)).toEqual([2, 3]);
    expect(await coll.countDocuments()).toBe(3);
    await client.close();
  });

  it('refuses a second owner of one store with a message that says what to do', async () => {
    const dir = tempDir();
    await open(dir);
    await expect(startDevDb({ port: 0, dataDir: dir })).rejects.toThrow(/in use by process \d+.*MONGODB_URI/);
  });
});
