import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MongoClient, type Db } from 'mongodb';
import { serverError } from './server-error.js';

/*
 * `compact` as Threadline sends it after an erasure or a retention run, checked over the wire.
 * Runs against devdb by default (memory, and LMDB in the durable project) and against a real
 * server when MONGODB_URI is set.
 */
const uri = inject('mongoUri');
const dbName = `devdb_compact_${process.pid}_${Date.now().toString(36)}`;

let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  db = client.db(dbName);
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

describe('compact', () => {
  it('accepts compact with force on a collection after deletions, and reports the bytes freed', async () => {
    const c = db.collection('notes');
    await c.insertMany(Array.from({ length: 30 }, (_, i) => ({ i, text: 'n'.repeat(10_000) })));
    await c.deleteMany({ i: { $gte: 10 } });
    const reply = await db.command({ compact: 'notes', force: true });
    expect(reply.ok).toBe(1);
    expect(Number(reply.bytesFreed)).toBeGreaterThanOrEqual(0);
    expect(await c.countDocuments()).toBe(10);
    expect((await c.find({ i: 3 }).toArray())[0]?.text).toHaveLength(10_000);
  });

  it('accepts freeSpaceTargetMB and a comment', async () => {
    await db.collection('targets').insertOne({ a: 1 });
    const reply = await db.command({ compact: 'targets', freeSpaceTargetMB: 50, comment: 'after an erasure' });
    expect(reply.ok).toBe(1);
    expect(await db.collection('targets').countDocuments()).toBe(1);
  });

  it('refuses a collection that does not exist', async () => {
    const err = await serverError(db.command({ compact: 'no_such_collection' }));
    expect(err.code).toBe(26);
  });
});
