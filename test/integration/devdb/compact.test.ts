import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { MongoClient, type Db, type Document } from 'mongodb';
import { startDevDb, type DevDbServer } from '../../../src/devdb/server.js';
import { entryArgs } from '../../helpers/process.js';

/*
 * `compact` on the durable engine: the data file really shrinks after large deletions, what remains
 * is intact (documents, indexes, later writes, a restart), writes sent meanwhile wait and are kept,
 * and a process killed during a compaction leaves a store that opens with every document.
 */

const dirs: string[] = [];
const servers: DevDbServer[] = [];
const clients: MongoClient[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tl-compact-'));
  dirs.push(d);
  return d;
}

async function connect(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, retryWrites: false });
  await client.connect();
  clients.push(client);
  return client;
}

async function open(dataDir: string): Promise<{ server: DevDbServer; db: Db }> {
  const server = await startDevDb({ port: 0, dataDir });
  servers.push(server);
  return { server, db: (await connect(server.uri)).db('compact') };
}

async function shut(server: DevDbServer): Promise<void> {
  for (const c of clients.splice(0)) await c.close();
  await server.close();
  servers.splice(servers.indexOf(server), 1);
}

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const dataFile = (dir: string) => path.join(dir, 'data.mdb');
/** Documents keyed by number, as these tests write them. */
type NumberKeyed = { _id: number } & Document;
const coll = (db: Db, name: string) => db.collection<NumberKeyed>(name);
const LARGE = 'x'.repeat(200_000);

/** `count` (a multiple of 20) documents of ~200 KB in `big` (ids 0…), and 50 small ones with an indexed field in `kept`. */
async function fill(db: Db, count: number): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await coll(db, 'big').insertMany(Array.from({ length: 20 }, (_, j) => ({ _id: i + j, body: `${i + j}:${LARGE}` })));
  }
  await coll(db, 'kept').createIndex({ word: 1 });
  await coll(db, 'kept').insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, word: `w${i % 5}`, text: `small ${i}` })));
}

async function expectKept(db: Db, bigLeft: number[]): Promise<void> {
  const big = await coll(db, 'big').find({}, { sort: { _id: 1 } }).toArray();
  expect(big.map((d) => d._id)).toEqual(bigLeft);
  for (const d of big) expect(d.body).toBe(`${String(d._id)}:${LARGE}`);
  expect(await coll(db, 'kept').countDocuments()).toBe(50);
  const hits = await coll(db, 'kept').find({ word: 'w3' }, { sort: { _id: 1 } }).toArray();
  expect(hits.map((d) => d._id)).toEqual([3, 8, 13, 18, 23, 28, 33, 38, 43, 48]);
}

describe('compact on the durable engine', () => {
  it('shrinks the data file after large deletions and keeps the rest, also across a restart', async () => {
    const dir = tempDir();
    let { server, db } = await open(dir);
    await fill(db, 200);
    await coll(db, 'big').deleteMany({ _id: { $gte: 10 } });
    const before = statSync(dataFile(dir)).size;
    expect(before).toBeGreaterThan(30_000_000);

    const reply = await db.command({ compact: 'big', force: true });
    expect(reply.ok).toBe(1);
    const after = statSync(dataFile(dir)).size;
    expect(after).toBeLessThan(before / 4);
    expect(reply.bytesFreed).toBe(before - after);
    await expectKept(db, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // nothing written since: nothing to free
    expect((await db.command({ compact: 'kept' })).bytesFreed).toBe(0);
    expect(statSync(dataFile(dir)).size).toBe(after);

    await coll(db, 'kept').updateOne({ _id: 3 }, { $set: { text: 'changed after compaction' } });
    await coll(db, 'big').insertOne({ _id: 10, body: `10:${LARGE}` });
    await shut(server);
    // The replaced file went off the event loop; a clean close waits for it, so nothing is left.
    expect(readdirSync(dir).filter((n) => n.startsWith('compact-'))).toEqual([]);

    ({ server, db } = await open(dir));
    await expectKept(db, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await coll(db, 'kept').findOne({ _id: 3 }))?.text).toBe('changed after compaction');
    expect(readdirSync(dir).filter((n) => n.startsWith('compact-'))).toEqual([]);
  });

  it('holds back the writes sent during a compaction and keeps every one of them; ping still answers', async () => {
    const dir = tempDir();
    const { server, db } = await open(dir);
    await fill(db, 150);
    await coll(db, 'big').deleteMany({ _id: { $gte: 75 } });
    const other = (await connect(server.uri)).db('compact');
    // its own client, connected beforehand: the writes' client may be opening connections meanwhile
    const pinger = (await connect(server.uri)).db('compact');
    await pinger.command({ ping: 1 });
    const settled: string[] = [];
    const compacting = db.command({ compact: 'big' }).finally(() => settled.push('compact'));
    const writes = Array.from({ length: 40 }, (_, i) => coll(other, 'during').insertOne({ _id: i, n: i }));
    const ping = pinger.command({ ping: 1 }).finally(() => settled.push('ping'));
    const [reply] = await Promise.all([compacting, ping, ...writes]);
    expect(reply.bytesFreed).toBeGreaterThan(10_000_000);
    expect(settled).toEqual(['ping', 'compact']);
    expect(await coll(other, 'during').countDocuments()).toBe(40);
    await expectKept(db, Array.from({ length: 75 }, (_, i) => i));
  });

  it('leaves no byte of a deleted document in the file, whatever its size', async () => {
    const dir = tempDir();
    const { db } = await open(dir);
    await fill(db, 20);
    const word = `zyxwordunique${Date.now().toString(36)}`;
    await coll(db, 'kept').insertOne({ _id: 1000, text: `hello ${word}` });
    await coll(db, 'kept').deleteOne({ _id: 1000 });
    // LMDB frees the page, but its bytes stay until it is reused
    expect(readFileSync(dataFile(dir)).includes(word)).toBe(true);
    expect((await db.command({ compact: 'kept' })).bytesFreed).toBeGreaterThanOrEqual(0);
    expect(readFileSync(dataFile(dir)).includes(word)).toBe(false);
    await expectKept(db, Array.from({ length: 20 }, (_, i) => i));
  });

  it('leaves the file alone when less than freeSpaceTargetMB would be freed', async () => {
    const dir = tempDir();
    const { db } = await open(dir);
    await fill(db, 40);
    await coll(db, 'big').deleteMany({});
    const before = statSync(dataFile(dir)).size;
    expect((await db.command({ compact: 'big', freeSpaceTargetMB: 1000 })).bytesFreed).toBe(0);
    expect(statSync(dataFile(dir)).size).toBe(before);
    await expect(db.command({ compact: 'missing' })).rejects.toMatchObject({ code: 26 });
    await expect(db.command({ compact: 'big', freeSpaceTargetMB: 0 })).rejects.toMatchObject({ code: 2 });
  });

  it('removes the work left by a compaction cut short, and the store opens whole', async () => {
    const dir = tempDir();
    let { server, db } = await open(dir);
    await fill(db, 20);
    await shut(server);
    mkdirSync(path.join(dir, 'compact-cut'));
    writeFileSync(path.join(dir, 'compact-cut', 'data.mdb'), Buffer.alloc(8192, 1));

    ({ server, db } = await open(dir));
    expect(existsSync(path.join(dir, 'compact-cut'))).toBe(false);
    await expectKept(db, Array.from({ length: 20 }, (_, i) => i));
  });

  it('keeps a usable store when the process is killed during a compaction', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [...entryArgs('src/devdb/cli.ts'), '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const uri = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const db = (await connect(uri)).db('compact');
    await fill(db, 250);
    // a few deleted, most kept: the copy is long enough to be caught in the middle
    await coll(db, 'big').deleteMany({ _id: { $gte: 245 } });

    const compacting = db.command({ compact: 'big' }).catch(() => null);
    // Kill as soon as the compacted copy is being written (or right after, if it was quicker than the poll).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !readdirSync(dir).some((n) => n.startsWith('compact-'))) await new Promise((r) => setImmediate(r));
    child.kill('SIGKILL');
    await exited;
    await compacting;
    for (const c of clients.splice(0)) await c.close().catch(() => {});

    const { db: reopened } = await open(dir);
    await expectKept(reopened, Array.from({ length: 245 }, (_, i) => i));
    expect(readdirSync(dir).filter((n) => n.startsWith('compact-'))).toEqual([]);
  });
});
