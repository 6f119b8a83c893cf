import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BSON, Binary, Decimal128, Double, GridFSBucket, Int32, Long, MaxKey, MinKey, MongoClient, ObjectId, Timestamp, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevDb, type DevDbServer } from '../../../src/devdb/server.js';
import { exportDatabase, type ExportEvent } from '../../../src/services/system/export-database.js';
import { EXACT_BSON, EXPORT_PROGRESS_COLLECTION, openExportSource, openExportTarget } from '../../../src/store/mongo-export.js';
import { runCli, type CliResult } from '../../helpers/process.js';

const SOURCE_DB = 'tl_export_source';
const PEOPLE = 40;
const FILE = Buffer.alloc(600 * 1024, 7).map((_, i) => i % 251);
let source: DevDbServer;
let target: DevDbServer;
let sourceClient: MongoClient;
let targetClient: MongoClient;
let sourceDb: Db;

function person(i: number) {
  return {
    _id: new ObjectId(i.toString(16).padStart(24, '0')),
    email: `p${i}@example.com`,
    ...(i % 3 === 0 ? { nick: `nick${i}` } : {}),
    score: new Int32(i % 10),
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    big: Long.fromString('9007199254740993'),
    small: Long.fromNumber(i),
    whole: new Double(1.0),
    negativeZero: new Double(-0),
    half: 2.5,
    money: Decimal128.fromString('1.10'),
    raw: new Binary(Buffer.from([i, 0, 255])),
    uuid: new Binary(Buffer.alloc(16, i), Binary.SUBTYPE_UUID),
    nested: [[new Int32(1), [new Double(2.0), Long.fromNumber(3)]], { deep: [{ empty: null }, []] }],
    pattern: new BSON.BSONRegExp('^p\\d+', 'im'),
    stamp: new Timestamp({ t: 1_700_000_000, i }),
    low: new MinKey(),
    high: new MaxKey(),
    expiresAt: new Date(Date.UTC(2100, 0, 1)),
  };
}

async function seed(db: Db): Promise<void> {
  await db.collection('people').insertMany(Array.from({ length: PEOPLE }, (_, i) => person(i + 1)));
  await db.collection('people').createIndex({ email: 1 }, { unique: true, name: 'people_email' });
  await db.collection('people').createIndex({ nick: 1 }, { sparse: true });
  await db.collection('people').createIndex({ score: -1, at: 1 }, { name: 'high_scores', partialFilterExpression: { score: { $gt: 5 } } });
  await db.collection('people').createIndex({ expiresAt: 1 }, { name: 'people_ttl', expireAfterSeconds: 3600 });
  await db.collection<{ _id: string; seq: unknown }>('counters').insertMany([
    { _id: 'ticket', seq: new Int32(41) },
    { _id: 'invoice', seq: Long.fromString('12345678901234') },
  ]);
  // _ids of several kinds: numbers of each type, strings, ObjectIds, dates.
  const mixed: unknown[] = [new Int32(1), new Int32(2), new Int32(3), new Int32(4), Long.fromNumber(5), new Double(6.5), Decimal128.fromString('7.25')];
  mixed.push('alpha', 'beta', new ObjectId(), new ObjectId(), new Date(Date.UTC(2020, 0, 1)));
  await db.collection('mixed').insertMany(mixed.map((_id, i) => ({ _id, i: new Int32(i) })) as never);
  await db.createCollection('empty');
  await db.collection('empty').createIndex({ code: 1 }, { unique: true, name: 'empty_code' });
  await new Promise<void>((resolve, reject) => {
    new GridFSBucket(db, { bucketName: 'blobs' })
      .openUploadStream('report.bin', { metadata: { contentType: 'application/octet-stream', key: 'k1' } })
      .on('finish', () => resolve())
      .on('error', reject)
      .end(FILE);
  });
}

/** Every collection, document (as raw BSON, in _id order) and index of a database. */
async function snapshot(db: Db) {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const out: Record<string, { docs: string[]; indexes: unknown[] }> = {};
  for (const name of names) {
    const raw = (await db.collection(name).find({}, { raw: true, sort: { _id: 1 } }).toArray()) as unknown as Buffer[];
    const indexes = (await db.collection(name).listIndexes(EXACT_BSON).toArray()).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    out[name] = { docs: raw.map((b) => Buffer.from(b).toString('base64')), indexes };
  }
  return out;
}

async function expectSameAsSource(dbName: string): Promise<void> {
  const copy = targetClient.db(dbName);
  const [want, got] = [await snapshot(sourceDb), await snapshot(copy)];
  expect(Object.keys(got)).toEqual(['blobs.chunks', 'blobs.files', 'counters', 'empty', 'mixed', 'people']);
  expect(got).toEqual(want);
  for (const name of Object.keys(want)) expect(got[name]!.docs.length, name).toBe(want[name]!.docs.length);

  const p = (await copy.collection('people').findOne({ _id: new ObjectId((7).toString(16).padStart(24, '0')) }, EXACT_BSON))!;
  expect([p.score, p.big, p.small, p.whole, p.negativeZero, p.half, p.money].map((v) => (v as { _bsontype: string })._bsontype)).toEqual(['Int32', 'Long', 'Long', 'Double', 'Double', 'Double', 'Decimal128']);
  expect(Object.is((p.negativeZero as Double).value, -0)).toBe(true);
  expect((p.uuid as Binary).sub_type).toBe(Binary.SUBTYPE_UUID);
  expect(p.pattern).toEqual(new BSON.BSONRegExp('^p\\d+', 'im'));
  const chunks: Buffer[] = [];
  for await (const chunk of new GridFSBucket(copy, { bucketName: 'blobs' }).openDownloadStreamByName('report.bin')) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).equals(FILE)).toBe(true);
}

async function exportTo(dbName: string, opts: Parameters<typeof exportDatabase>[1] = {}) {
  const from = await openExportSource(source.uri, SOURCE_DB);
  const to = await openExportTarget(target.uri, dbName);
  try {
    return await exportDatabase({ source: from, target: to }, opts);
  } finally {
    await from.close();
    await to.close();
  }
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli('src/cli/db-export.ts', args, { env });
}

beforeAll(async () => {
  [source, target] = await Promise.all([startDevDb({ host: '127.0.0.1', port: 0 }), startDevDb({ host: '127.0.0.1', port: 0 })]);
  sourceClient = await new MongoClient(source.uri).connect();
  targetClient = await new MongoClient(target.uri).connect();
  sourceDb = sourceClient.db(SOURCE_DB);
  await seed(sourceDb);
});
afterAll(async () => {
  await sourceClient?.close();
  await targetClient?.close();
  await source?.close();
  await target?.close();
});

describe('exporting the database', () => {
  it('copies every collection, document and index, byte for byte, and reports each collection', async () => {
    const events: ExportEvent[] = [];
    const report = await exportTo('copy_fn', { batchDocs: 7, onEvent: (e) => events.push(e) });

    await expectSameAsSource('copy_fn');
    expect(report.collections.find((c) => c.name === 'people')).toEqual({ name: 'people', documents: PEOPLE, indexes: 4 });
    expect(report.documents).toBe(PEOPLE + 2 + 12 + 0 + 3 + 1);
    expect(report.indexes).toBe(4 + 1 + 1 + 1);
    const copied = events.filter((e) => e.type === 'copied');
    expect(copied.map((e) => [e.collection, e.done, e.total])).toEqual([
      ['blobs.chunks', 3, 3],
      ['blobs.files', 1, 1],
      ['counters', 2, 2],
      ['empty', 0, 0],
      ['mixed', 12, 12],
      ['people', PEOPLE, PEOPLE],
    ]);
    const peopleBatches = events.filter((e) => e.type === 'copying' && e.collection === 'people');
    expect(peopleBatches.map((e) => (e.type === 'copying' ? e.done : 0))).toEqual([7, 14, 21, 28, 35, 40]);
    expect(await targetClient.db('copy_fn').listCollections({ name: EXPORT_PROGRESS_COLLECTION }).toArray()).toEqual([]);
  });

  it('runs as npm run db:export, from MONGODB_URI into the database named in --to, and refuses a target that has documents', async () => {
    const res = await cli(['--to', `${target.uri}/copy_cli`], { MONGODB_URI: `${source.uri}/${SOURCE_DB}` });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`exporting ${SOURCE_DB} at ${source.uri}/${SOURCE_DB} to copy_cli at ${target.uri}/copy_cli`);
    expect(res.stdout).toMatch(/^people: 40\/40 documents copied, [\d,]+ doc\/s$/m);
    expect(res.stdout).toMatch(/^blobs\.chunks: 3\/3 documents copied/m);
    expect(res.stdout).toContain('people: 4 indexes created');
    expect(res.stdout).toMatch(/exported 6 collections, 58 documents and 7 indexes in [\d.]+s; document counts verified/);
    await expectSameAsSource('copy_cli');

    const again = await cli(['--from', `${source.uri}/${SOURCE_DB}`, '--to', target.uri, '--db', 'copy_cli'], { MONGODB_URI: undefined });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      'error CONFLICT: The target already holds documents in blobs.chunks (3), blobs.files (1), counters (2), mixed (12), people (40): ' +
        "export into an empty database, or pass --resume to write into it (documents with the same _id are replaced by the source's)",
    );
    const same = await cli(['--from', `${source.uri}/${SOURCE_DB}`, '--to', `${source.uri}/`]);
    expect(same.stderr).toContain('error VALIDATION_FAILED: --to names the source database itself');
  }, 60_000);

  it('continues an interrupted export with --resume, without doubling a document', async () => {
    const dbName = 'copy_resumed';
    const progress = targetClient.db(dbName).collection(EXPORT_PROGRESS_COLLECTION);
    const stopAt = (collection: string, done: number) => {
      const ctl = new AbortController();
      const events: ExportEvent[] = [];
      const onEvent = (e: ExportEvent) => {
        events.push(e);
        if (e.type === 'copying' && e.collection === collection && e.done >= done) ctl.abort(new Error('interrupted'));
      };
      return { signal: ctl.signal, onEvent, events };
    };

    // Stopped in the collection whose _ids are of several kinds, after its first batch.
    const first = stopAt('mixed', 1);
    await expect(exportTo(dbName, { batchDocs: 7, ...first })).rejects.toThrow('interrupted');
    expect(await targetClient.db(dbName).collection('mixed').countDocuments()).toBe(7);
    expect(await targetClient.db(dbName).collection('people').countDocuments()).toBe(0);
    await expect(exportTo(dbName, { batchDocs: 7 })).rejects.toThrow(/did not finish: run the same command with --resume/);

    // Resumed: that collection starts over (its last _id is a number, later ones are not), then people stops after 3 batches.
    const second = stopAt('people', 21);
    await expect(exportTo(dbName, { batchDocs: 7, resume: true, ...second })).rejects.toThrow('interrupted');
    expect(second.events.filter((e) => e.type === 'restarted').map((e) => e.collection)).toEqual(['mixed']);
    expect(second.events.filter((e) => e.type === 'copied' && e.earlier).map((e) => e.collection)).toEqual(['blobs.chunks', 'blobs.files', 'counters', 'empty']);
    expect(await targetClient.db(dbName).collection('people').countDocuments()).toBe(21);

    // A crash between writing a batch and recording it: the record is two batches behind the data.
    await progress.updateOne({ _id: 'people' as never }, { $set: { last: { id: person(7)._id }, copied: 7 } });

    const third = stopAt('none', 0);
    const report = await exportTo(dbName, { batchDocs: 7, resume: true, onEvent: third.onEvent });
    const peopleBatches = third.events.filter((e) => e.type === 'copying' && e.collection === 'people');
    expect(peopleBatches.map((e) => (e.type === 'copying' ? e.done : 0))).toEqual([14, 21, 28, 35, 40]);
    expect(report.documents).toBe(58);
    await expectSameAsSource(dbName);
    expect(await targetClient.db(dbName).listCollections({ name: EXPORT_PROGRESS_COLLECTION }).toArray()).toEqual([]);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('exporting the built-in database', () => {
  it('with neither --from nor MONGODB_URI, serves DATA_DIR/db from the CLI and copies it; refuses while another process holds it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-export-embedded-'));
    const storeDir = path.join(dataDir, 'db');
    const env = { MONGODB_URI: undefined, DATA_DIR: dataDir };
    const args = ['--to', `${target.uri}/copy_embedded`];
    try {
      const store = await startDevDb({ host: '127.0.0.1', port: 0, dataDir: storeDir });
      const client = await new MongoClient(store.uri).connect();
      try {
        await seed(client.db('threadline'));
        const held = await cli(args, env);
        expect(held.code).toBe(1);
        expect(held.stderr.trim()).toMatch(new RegExp(`^error DB_UNREACHABLE: Cannot open the built-in database in ${escape(storeDir)}: the store in ${escape(storeDir)} is in use by process ${process.pid};`));
      } finally {
        await client.close();
        await store.close();
      }

      const res = await cli(args, env);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`reading the built-in database in ${storeDir}\nexporting threadline at mongodb://127.0.0.1:`);
      expect(res.stdout).toMatch(/exported 6 collections, 58 documents and 7 indexes in [\d.]+s; document counts verified/);

      const reopened = await startDevDb({ host: '127.0.0.1', port: 0, dataDir: storeDir });
      const check = await new MongoClient(reopened.uri).connect();
      try {
        expect(await snapshot(targetClient.db('copy_embedded'))).toEqual(await snapshot(check.db('threadline')));
      } finally {
        await check.close();
        await reopened.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
