import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import {
  Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, MongoBulkWriteError, MongoClient, MongoServerError, ObjectId, Timestamp,
  type CommandStartedEvent, type CommandSucceededEvent, type Db, type Document, type UpdateFilter,
} from 'mongodb';
import { serverError } from './server-error.js';

/*
 * The MongoDB semantics Threadline relies on, checked over the wire with the official driver.
 * Runs against devdb by default and against a real server when MONGODB_URI is set.
 */
const uri = inject('mongoUri');
const realMongo = inject('realMongo');
const dbName = `devdb_contract_${process.pid}_${Date.now().toString(36)}`;

let client: MongoClient;
let db: Db;
const started: CommandStartedEvent[] = [];
const succeeded: CommandSucceededEvent[] = [];

beforeAll(async () => {
  client = new MongoClient(uri, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
  client.on('commandStarted', (e) => started.push(e));
  client.on('commandSucceeded', (e) => succeeded.push(e));
  await client.connect();
  db = client.db(dbName);
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

describe('CRUD', () => {
  it('inserts, finds, updates, replaces and deletes', async () => {
    const c = db.collection('crud');
    const one = await c.insertOne({ name: 'a', n: 1 });
    expect(one.insertedId).toBeInstanceOf(ObjectId);
    const many = await c.insertMany([{ name: 'b', n: 2 }, { name: 'c', n: 3 }, { _id: 'custom' as never, name: 'd', n: 4 }]);
    expect(many.insertedCount).toBe(3);
    expect(many.insertedIds[2]).toBe('custom');
    const a = await c.findOne({ name: 'a' });
    expect(Object.keys(a ?? {})).toEqual(['_id', 'name', 'n']);
    expect(await c.countDocuments()).toBe(4);

    const upd = await c.updateOne({ name: 'b' }, { $set: { n: 20 } });
    expect([upd.matchedCount, upd.modifiedCount]).toEqual([1, 1]);
    const same = await c.updateOne({ name: 'b' }, { $set: { n: 20 } });
    expect([same.matchedCount, same.modifiedCount]).toEqual([1, 0]);
    const none = await c.updateOne({ name: 'zzz' }, { $set: { n: 1 } });
    expect([none.matchedCount, none.upsertedCount]).toEqual([0, 0]);

    const rep = await c.replaceOne({ name: 'c' }, { name: 'c2', extra: true });
    expect(rep.modifiedCount).toBe(1);
    const c2 = await c.findOne({ name: 'c2' }, { projection: { _id: 0 } });
    expect(c2).toEqual({ name: 'c2', extra: true });

    expect((await c.deleteOne({ name: 'a' })).deletedCount).toBe(1);
    expect((await c.deleteMany({ n: { $gte: 4 } })).deletedCount).toBe(2);
    expect(await c.find({}, { projection: { _id: 0, name: 1 } }).toArray()).toEqual([{ name: 'c2' }]);
  });

  it('rejects an update that would change _id', async () => {
    const c = db.collection('immutable');
    await c.insertOne({ _id: 1 as never, v: 1 });
    expect((await serverError(c.updateOne({ _id: 1 as never }, { $set: { _id: 2 } }))).code).toBe(66);
    expect((await serverError(c.replaceOne({ _id: 1 as never }, { _id: 3, v: 2 }))).code).toBe(66);
    expect(await c.findOne({})).toEqual({ _id: 1, v: 1 });
  });
});

describe('update operators', () => {
  it('applies field operators', async () => {
    const c = db.collection('fieldops');
    const d = new Date('2024-01-01T00:00:00Z');
    await c.insertOne({ _id: 1 as never, a: 1, b: 'x', n: 5, lo: 10, hi: 10, when: d, old: 'o', nested: { k: 1 } });
    await c.updateOne({ _id: 1 as never }, {
      $set: { 'nested.deep.x': 1, b: 'y' }, $unset: { a: '' }, $inc: { n: 2, fresh: 3 }, $mul: { hi: 2, zero: 5 },
      $min: { lo: 3 }, $max: { top: 15 }, $rename: { old: 'renamed' }, $currentDate: { touched: true },
    });
    const doc = await c.findOne({ _id: 1 as never });
    expect(doc).toMatchObject({ b: 'y', n: 7, fresh: 3, lo: 3, hi: 20, top: 15, zero: 0, renamed: 'o', nested: { k: 1, deep: { x: 1 } } });
    expect(doc).not.toHaveProperty('a');
    expect(doc).not.toHaveProperty('old');
    expect(doc?.touched).toBeInstanceOf(Date);
    await c.updateOne({ _id: 1 as never }, { $min: { when: new Date('2020-01-01T00:00:00Z') } });
    expect((await c.findOne({ _id: 1 as never }))?.when).toEqual(new Date('2020-01-01T00:00:00Z'));
  });

  it('applies array operators', async () => {
    interface ArrayDoc { _id: number; tags: string[]; nums: number[]; set: number[]; pull: number[]; docs: Array<{ k: number; v: string }>; pop: number[]; newArr?: string[] }
    const c = db.collection<ArrayDoc>('arrayops');
    await c.insertOne({ _id: 1, tags: ['b'], nums: [5, 1, 9], set: [1, 2], pull: [1, 2, 3, 4, 5, 2], docs: [{ k: 1, v: 'a' }, { k: 2, v: 'b' }], pop: [1, 2, 3] });
    await c.updateOne({ _id: 1 }, {
      $push: { tags: { $each: ['a', 'c'], $position: 0 }, nums: { $each: [7, 3], $sort: -1, $slice: 3 } },
      $addToSet: { set: { $each: [2, 3, 3] } },
      $pull: { pull: { $gte: 4 }, docs: { k: 2 } },
      $pop: { pop: -1 },
    });
    let doc = await c.findOne({ _id: 1 });
    expect(doc).toMatchObject({ tags: ['a', 'c', 'b'], nums: [9, 7, 5], set: [1, 2, 3], pull: [1, 2, 3, 2], docs: [{ k: 1, v: 'a' }], pop: [2, 3] });
    await c.updateOne({ _id: 1 }, { $pullAll: { pull: [2, 3] }, $pop: { pop: 1 }, $push: { newArr: 'x' }, $addToSet: { tags: 'a' } });
    doc = await c.findOne({ _id: 1 });
    expect(doc).toMatchObject({ pull: [1], pop: [2], newArr: ['x'], tags: ['a', 'c', 'b'] });
    const err = await serverError(c.updateOne({ _id: 1 }, { $push: { 'docs.0.v': 'z' } } as unknown as UpdateFilter<ArrayDoc>));
    expect(err.code).toBe(2);
  });

  it('supports positional $, $[] and $[identifier] with arrayFilters', async () => {
    const c = db.collection('positional');
    await c.insertOne({ _id: 1 as never, grades: [{ g: 80, n: 0 }, { g: 85, n: 0 }, { g: 90, n: 0 }], scores: [1, 2, 3] });
    await c.updateOne({ _id: 1 as never, 'grades.g': 85 }, { $set: { 'grades.$.n': 1 } });
    await c.updateOne({ _id: 1 as never }, { $inc: { 'scores.$[]': 10 } });
    await c.updateOne({ _id: 1 as never }, { $set: { 'grades.$[hi].top': true } }, { arrayFilters: [{ 'hi.g': { $gte: 85 } }] });
    await c.updateOne({ _id: 1 as never, scores: 12 }, { $set: { 'scores.$': 0 } });
    const doc = await c.findOne({ _id: 1 as never });
    expect(doc?.grades).toEqual([{ g: 80, n: 0 }, { g: 85, n: 1, top: true }, { g: 90, n: 0, top: true }]);
    expect(doc?.scores).toEqual([11, 0, 13]);
    const err = await serverError(c.updateOne({ _id: 1 as never }, { $set: { 'grades.$[x].n': 1 } }));
    expect(err.code).toBe(2);
  });

  it('updates many documents and reports matched vs modified', async () => {
    const c = db.collection('multi');
    await c.insertMany([{ k: 1, v: 0 }, { k: 1, v: 1 }, { k: 1, v: 0 }, { k: 2, v: 0 }]);
    const r = await c.updateMany({ k: 1 }, { $set: { v: 1 } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([3, 2]);
    expect(await c.countDocuments({ v: 1 })).toBe(3);
  });

  it('rejects conflicting paths, unknown modifiers and bad operand types', async () => {
    const c = db.collection('badupdates');
    await c.insertOne({ _id: 1 as never, s: 'text' });
    expect((await serverError(c.updateOne({}, { $set: { a: 1 }, $inc: { a: 1 } }))).code).toBe(40);
    expect((await serverError(c.updateOne({}, { $set: { 'a.b': 1, a: 2 } }))).code).toBe(40);
    expect((await serverError(c.updateOne({}, { $foo: { a: 1 } } as Document))).code).toBe(9);
    expect((await serverError(c.updateOne({}, { $inc: { s: 1 } }))).code).toBe(14);
    expect(await c.findOne({})).toEqual({ _id: 1, s: 'text' });
  });
});

describe('upserts', () => {
  it('seeds the new document from equality fields and applies $setOnInsert only on insert', async () => {
    const c = db.collection('upserts');
    const filter = { a: 1, 'b.c': 2, d: { $eq: 3 }, e: { $gt: 1 }, $and: [{ f: 4 }] };
    const first = await c.updateOne(filter, { $set: { g: 1 }, $setOnInsert: { h: 1 } }, { upsert: true });
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    const doc = await c.findOne({ _id: first.upsertedId as ObjectId }, { projection: { _id: 0 } });
    expect(doc).toEqual({ a: 1, b: { c: 2 }, d: 3, f: 4, g: 1, h: 1 });
    const second = await c.updateOne({ a: 1, f: 4 }, { $set: { g: 2 }, $setOnInsert: { h: 2 } }, { upsert: true });
    expect([second.matchedCount, second.upsertedCount]).toEqual([1, 0]);
    expect(await c.findOne({ a: 1 }, { projection: { _id: 0, g: 1, h: 1 } })).toEqual({ g: 2, h: 1 });
    const withId = await c.updateOne({ _id: 'fixed' as never }, { $inc: { n: 1 } }, { upsert: true });
    expect(withId.upsertedId).toBe('fixed');
    const rep = await c.replaceOne({ key: 'r' }, { key: 'r', v: 1 }, { upsert: true });
    expect(rep.upsertedCount).toBe(1);
  });
});

describe('findAndModify', () => {
  it('returns the document before or after, upserts, sorts, projects and deletes', async () => {
    const c = db.collection('fam');
    await c.insertMany([{ q: 'x', n: 1 }, { q: 'x', n: 2 }, { q: 'y', n: 3 }]);
    const before = await c.findOneAndUpdate({ q: 'x' }, { $inc: { n: 10 } }, { sort: { n: -1 }, returnDocument: 'before' });
    expect(before?.n).toBe(2);
    const after = await c.findOneAndUpdate({ q: 'x' }, { $inc: { n: 10 } }, { sort: { n: 1 }, returnDocument: 'after', projection: { _id: 0, n: 1 } });
    expect(after).toEqual({ n: 11 });
    const meta = await c.findOneAndUpdate({ q: 'new' }, { $setOnInsert: { made: 1 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(meta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(meta.lastErrorObject?.upserted).toBeInstanceOf(ObjectId);
    expect(meta.value).toMatchObject({ q: 'new', made: 1 });
    const existing = await c.findOneAndUpdate({ q: 'new' }, { $setOnInsert: { made: 2 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(existing.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
    expect(existing.value?.made).toBe(1);
    const missing = await c.findOneAndUpdate({ q: 'nope' }, { $set: { a: 1 } }, { includeResultMetadata: true });
    expect(missing.value).toBeNull();
    expect(missing.lastErrorObject).toMatchObject({ n: 0, updatedExisting: false });
    const replaced = await c.findOneAndReplace({ q: 'y' }, { q: 'y', replaced: true }, { returnDocument: 'after' });
    expect(replaced).toMatchObject({ q: 'y', replaced: true });
    expect(replaced).not.toHaveProperty('n');
    const deleted = await c.findOneAndDelete({ q: 'x' }, { sort: { n: -1 } });
    expect(deleted?.n).toBe(12);
    expect(await c.findOneAndDelete({ q: 'gone' })).toBeNull();
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('unique indexes', () => {
  it('reports E11000 with keyPattern/keyValue in writeErrors and for findOneAndUpdate', async () => {
    const c = db.collection('users');
    expect(await c.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    await c.insertOne({ email: 'a@x', n: 1 });
    const dup = await serverError(c.insertOne({ email: 'a@x' }));
    expect(dup.code).toBe(11000);
    expect(dup.keyPattern).toEqual({ email: 1 });
    expect(dup.keyValue).toEqual({ email: 'a@x' });
    expect(dup.message).toContain(`E11000 duplicate key error collection: ${dbName}.users index: email_1 dup key: { email: "a@x" }`);

    await c.insertOne({ email: 'b@x', n: 2 });
    const upd = await serverError(c.updateOne({ email: 'b@x' }, { $set: { email: 'a@x' } }));
    expect(upd.code).toBe(11000);
    expect(await c.countDocuments({ email: 'b@x' })).toBe(1);

    const fam = await serverError(c.findOneAndUpdate({ email: 'b@x' }, { $set: { email: 'a@x' } }));
    expect(fam.code).toBe(11000);
    expect(fam.keyValue).toEqual({ email: 'a@x' });
    expect((await serverError(c.findOneAndUpdate({ email: 'c@x' }, { $set: { email: 'a@x' } }, { upsert: true }))).code).toBe(11000);

    const idDup = await serverError(c.insertOne({ _id: (await c.findOne({ email: 'a@x' }))?._id, email: 'z@x' }));
    expect(idDup.code).toBe(11000);
    expect(idDup.keyPattern).toEqual({ _id: 1 });
  });

  it('stops ordered inserts at the first error and continues unordered ones', async () => {
    const c = db.collection('bulk');
    await c.createIndex({ k: 1 }, { unique: true });
    succeeded.length = 0;
    const ordered = await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]).catch((e: unknown) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    const oe = ordered as MongoBulkWriteError;
    expect(oe.insertedCount).toBe(1);
    const we = Array.isArray(oe.writeErrors) ? oe.writeErrors : [oe.writeErrors];
    expect(we.map((e) => [e.index, e.code])).toEqual([[1, 11000]]);
    const raw = succeeded.find((e) => e.commandName === 'insert')?.reply as { writeErrors: Document[] };
    expect(raw.writeErrors[0]).toMatchObject({ index: 1, code: 11000, keyPattern: { k: 1 }, keyValue: { k: 1 } });
    expect(await c.countDocuments()).toBe(1);
    const unordered = (await c.insertMany([{ k: 3 }, { k: 1 }, { k: 4 }, { k: 3 }], { ordered: false }).catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(unordered.insertedCount).toBe(2);
    const ue = Array.isArray(unordered.writeErrors) ? unordered.writeErrors : [unordered.writeErrors];
    expect(ue.map((e) => e.index)).toEqual([1, 3]);
    expect(await c.countDocuments()).toBe(3);
  });

  it('enforces compound, sparse and missing-as-null uniqueness', async () => {
    const c = db.collection('compound');
    await c.createIndex({ a: 1, b: 1 }, { unique: true });
    await c.insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 2, b: 1 }]);
    const err = await serverError(c.insertOne({ a: 1, b: 1 }));
    expect(err.keyValue).toEqual({ a: 1, b: 1 });
    expect(err.keyPattern).toEqual({ a: 1, b: 1 });

    const s = db.collection('sparse');
    await s.createIndex({ code: 1 }, { unique: true, sparse: true });
    await s.insertMany([{ x: 1 }, { x: 2 }, { code: 'A' }]);
    expect((await serverError(s.insertOne({ code: 'A' }))).code).toBe(11000);

    const m = db.collection('missing');
    await m.createIndex({ code: 1 }, { unique: true });
    await m.insertOne({ x: 1 });
    const nullDup = await serverError(m.insertOne({ x: 2 }));
    expect(nullDup.keyValue).toEqual({ code: null });
    const numDup = db.collection('numdup');
    await numDup.createIndex({ v: 1 }, { unique: true });
    await numDup.insertOne({ v: 1 });
    expect((await serverError(numDup.insertOne({ v: new Double(1) }))).code).toBe(11000);
    expect((await serverError(numDup.insertOne({ v: Long.fromNumber(1) }))).code).toBe(11000);
  });

  it('refuses to build a unique index over duplicate data', async () => {
    const c = db.collection('prebuilt');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    expect((await serverError(c.createIndex({ k: 1 }, { unique: true }))).code).toBe(11000);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('sorting and types', () => {
  it('sorts mixed types in BSON order with array min/max semantics', async () => {
    const c = db.collection('mixed');
    await c.insertMany([
      { _id: 1, v: 'b' }, { _id: 2, v: 10 }, { _id: 3, v: null }, { _id: 4 }, { _id: 5, v: new ObjectId('000000000000000000000001') },
      { _id: 6, v: true }, { _id: 7, v: new Date(0) }, { _id: 8, v: { x: 1 } }, { _id: 9, v: new Double(2.5) },
      { _id: 10, v: Long.fromNumber(3) }, { _id: 11, v: Decimal128.fromString('4') }, { _id: 12, v: 'B' },
      { _id: 13, v: [7, 1] }, { _id: 14, v: false }, { _id: 15, v: /re/ }, { _id: 16, v: new Binary(Buffer.from('x')) },
      { _id: 17, v: new MinKey() }, { _id: 18, v: new MaxKey() }, { _id: 19, v: 'é' },
    ] as Document[]);
    const asc = await c.find({}, { sort: { v: 1, _id: 1 }, projection: { _id: 1 } }).toArray();
    expect(asc.map((d) => d._id)).toEqual([17, 3, 4, 13, 9, 10, 11, 2, 12, 1, 19, 8, 16, 5, 14, 6, 7, 15, 18]);
    const desc = await c.find({}, { sort: { v: -1, _id: 1 }, projection: { _id: 1 } }).toArray();
    expect(desc.map((d) => d._id)).toEqual([18, 15, 7, 6, 14, 5, 16, 8, 19, 1, 12, 2, 13, 11, 10, 9, 3, 4, 17]);
    const agg = await c.aggregate([{ $match: { _id: { $lte: 16 } } }, { $project: { v: 1 } }, { $sort: { v: 1, _id: 1 } }]).toArray();
    expect(agg.map((d) => d._id)).toEqual([3, 4, 13, 9, 10, 11, 2, 12, 1, 8, 16, 5, 14, 6, 7, 15]);
  });

  it('matches $type for ObjectId, binary, timestamp, MinKey and MaxKey, by alias and by number', async () => {
    const c = db.collection('types_by_name');
    await c.insertMany([
      { _id: new ObjectId(), v: new ObjectId() }, { _id: 'bin' as never, v: new Binary(Buffer.from('x')) }, { _id: 'min' as never, v: new MinKey() },
      { _id: 'max' as never, v: new MaxKey() }, { _id: 'ts' as never, v: new Timestamp({ t: 1, i: 1 }) }, { _id: 'arr' as never, v: ['a', new ObjectId()] },
      { _id: 'str' as never, v: 's' },
    ] as Document[]);
    expect(await c.countDocuments({ _id: { $type: 'objectId' } })).toBe(1);
    expect(await c.countDocuments({ _id: { $type: 7 } })).toBe(1);
    expect(await c.countDocuments({ v: { $type: 'objectId' } })).toBe(2);
    expect(await c.countDocuments({ v: { $type: ['binData', 'minKey'] } })).toBe(2);
    expect(await c.countDocuments({ v: { $type: 5 } })).toBe(1);
    expect(await c.countDocuments({ v: { $type: 'maxKey' } })).toBe(1);
    expect(await c.countDocuments({ v: { $type: 'timestamp' } })).toBe(1);
    expect(await c.countDocuments({ v: { $type: 'string' } })).toBe(2);
  });

  it('keeps int32, int64, double and decimal types through writes and $inc', async () => {
    const c = db.collection('numeric');
    await c.insertOne({ _id: 1 as never, i: new Int32(1), l: Long.fromNumber(2), d: new Double(1), dec: Decimal128.fromString('1.10'), big: new Int32(2147483647), f: 0.5 });
    const raw = await c.findOne({ _id: 1 as never }, { promoteValues: false });
    expect([raw?.i?._bsontype, raw?.l?._bsontype, raw?.d?._bsontype, raw?.dec?._bsontype]).toEqual(['Int32', 'Long', 'Double', 'Decimal128']);
    await c.updateOne({ _id: 1 as never }, { $inc: { i: 1, l: 1, d: 1, dec: 1, big: 1, f: 1 } });
    const after = await c.findOne({ _id: 1 as never }, { promoteValues: false });
    expect(after?.i).toEqual(new Int32(2));
    expect(after?.l).toEqual(Long.fromNumber(3));
    expect(after?.d).toEqual(new Double(2));
    expect(after?.dec?.toString()).toBe('2.10');
    expect(after?.big).toEqual(Long.fromNumber(2147483648));
    expect(after?.f).toEqual(new Double(1.5));
    expect(await c.countDocuments({ l: 3, d: 2, i: { $gt: 1.5 } })).toBe(1);
    const agg = await c.aggregate([{ $match: { _id: 1 } }, { $project: { d: 1, l: 1 } }], { promoteValues: false }).toArray();
    expect(agg[0]?.d?._bsontype).toBe('Double');
    expect(agg[0]?.l?._bsontype).toBe('Long');
  });
});

describe('queries', () => {
  it('projects, skips and limits', async () => {
    const c = db.collection('proj');
    await c.insertMany(Array.from({ length: 20 }, (_, n) => ({ n, sub: { a: n, b: -n }, arr: [1, 2, 3, 4], items: [{ k: 1 }, { k: n }] })));
    const page = await c.find({}, { sort: { n: 1 }, skip: 5, limit: 3, projection: { _id: 0, n: 1, 'sub.a': 1 } }).toArray();
    expect(page).toEqual([{ n: 5, sub: { a: 5 } }, { n: 6, sub: { a: 6 } }, { n: 7, sub: { a: 7 } }]);
    const excl = await c.findOne({ n: 1 }, { projection: { _id: 0, sub: 0, items: 0 } });
    expect(excl).toEqual({ n: 1, arr: [1, 2, 3, 4] });
    const sliced = await c.findOne({ n: 2 }, { projection: { _id: 0, arr: { $slice: -2 }, items: { $elemMatch: { k: 2 } }, n: 1 } });
    expect(sliced).toEqual({ n: 2, arr: [3, 4], items: [{ k: 2 }] });
    const err = await serverError(c.findOne({}, { projection: { n: 1, sub: 0 } }));
    expect(err.message).toMatch(/Cannot do exclusion on field sub in inclusion projection/);
    expect(await c.countDocuments({ n: { $in: [1, 3, 99] } })).toBe(2);
    expect((await serverError(c.findOne({ n: { $foo: 1 } }))).code).toBe(2);
  });

  it('pages 250 documents with getMore and honours batchSize and the default first batch', async () => {
    const c = db.collection('paging');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    started.length = 0;
    succeeded.length = 0;
    const all = await c.find({}, { sort: { i: 1 }, batchSize: 50 }).toArray();
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(started.filter((e) => e.commandName === 'getMore').length).toBeGreaterThanOrEqual(4);
    succeeded.length = 0;
    const cursor = c.find({});
    await cursor.next();
    const findReply = succeeded.find((e) => e.commandName === 'find')?.reply as { cursor: { firstBatch: unknown[] } };
    expect(findReply.cursor.firstBatch).toHaveLength(101);
    await cursor.close();
  });

  it('kills cursors', async () => {
    const c = db.collection('paging');
    succeeded.length = 0;
    const cursor = c.find({}, { batchSize: 10 });
    await cursor.next();
    // The driver hands back a cursor id that fits in 53 bits as a plain number (promoteLongs), and a
    // random 63-bit id does so about once in a thousand runs.
    const reported = (succeeded.find((e) => e.commandName === 'find')?.reply as { cursor: { id: Long | number } }).cursor.id;
    const id = Long.fromValue(reported);
    expect(id.isZero()).toBe(false);
    await cursor.close();
    expect(started.some((e) => e.commandName === 'killCursors')).toBe(true);
    expect((await serverError(db.command({ getMore: id, collection: 'paging' }))).code).toBe(43);
  });

  it('counts and lists distinct values', async () => {
    const c = db.collection('distinct');
    await c.insertMany([{ t: ['a', 'b'], k: 1 }, { t: 'c', k: 1 }, { t: ['a'], k: 2 }, { k: 1 }]);
    expect(await c.countDocuments({ k: 1 })).toBe(3);
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(4);
    expect((await c.distinct('t')).sort()).toEqual(['a', 'b', 'c']);
    expect((await c.distinct('t', { k: 1 })).sort()).toEqual(['a', 'b', 'c']);
    expect(await c.distinct('t', { k: 2 })).toEqual(['a']);
  });
});

describe('aggregation', () => {
  it('runs the common stages', async () => {
    const people = db.collection('people');
    const orgs = db.collection('orgs');
    const org1 = new ObjectId();
    const org2 = new ObjectId();
    await orgs.insertMany([{ _id: org1, name: 'Acme' }, { _id: org2, name: 'Globex' }]);
    await people.insertMany([
      { name: 'ann', org: org1, age: 30, tags: ['x', 'y'] }, { name: 'bob', org: org1, age: 40, tags: ['y'] },
      { name: 'cid', org: org2, age: 50, tags: [] }, { name: 'dee', org: org2, age: 20, tags: ['x'] },
    ]);
    const grouped = await people.aggregate([
      { $match: { age: { $gte: 25 } } },
      { $group: { _id: '$org', n: { $sum: 1 }, avg: { $avg: '$age' }, names: { $push: '$name' } } },
      { $lookup: { from: 'orgs', localField: '_id', foreignField: '_id', as: 'org' } },
      { $unwind: '$org' },
      { $project: { _id: 0, org: '$org.name', n: 1, avg: 1, names: 1 } },
      { $sort: { org: 1 } },
    ]).toArray();
    expect(grouped).toEqual([{ n: 2, avg: 35, names: ['ann', 'bob'], org: 'Acme' }, { n: 1, avg: 50, names: ['cid'], org: 'Globex' }]);
    const faceted = await people.aggregate([
      { $sort: { age: -1 } },
      { $facet: { total: [{ $count: 'n' }], oldest: [{ $limit: 1 }, { $project: { _id: 0, name: 1 } }], page: [{ $skip: 1 }, { $limit: 2 }, { $project: { _id: 0, name: 1 } }] } },
    ]).toArray();
    expect(faceted).toEqual([{ total: [{ n: 4 }], oldest: [{ name: 'cid' }], page: [{ name: 'bob' }, { name: 'ann' }] }]);
    const tags = await people.aggregate([{ $unwind: '$tags' }, { $sortByCount: '$tags' }, { $sort: { count: -1, _id: 1 } }]).toArray();
    expect(tags).toEqual([{ _id: 'x', count: 2 }, { _id: 'y', count: 2 }]);
    const shaped = await people.aggregate([
      { $match: { name: 'ann' } }, { $addFields: { next: { $add: ['$age', 1] } } }, { $set: { 'meta.seen': true } },
      { $replaceRoot: { newRoot: { who: '$name', next: '$next', meta: '$meta' } } },
    ]).toArray();
    expect(shaped).toEqual([{ who: 'ann', next: 31, meta: { seen: true } }]);
    expect(await people.aggregate([{ $match: { age: { $lt: 35 } } }, { $count: 'young' }]).toArray()).toEqual([{ young: 2 }]);
    expect(await people.findOne({ name: 'ann' }, { projection: { _id: 0, name: 1, meta: 1 } })).toEqual({ name: 'ann' });
    expect((await serverError(people.aggregate([{ $bogus: {} }]).toArray())).code).toBe(40324);
  });
});

describe('indexes and collections', () => {
  it('lists and drops indexes by name, key and wildcard', async () => {
    const c = db.collection('ix');
    await c.createIndexes([{ key: { a: 1 } }, { key: { b: -1 }, name: 'b_desc' }, { key: { c: 1, d: 1 } }]);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'a_1', 'b_desc', 'c_1_d_1']);
    await c.dropIndex('a_1');
    await c.dropIndex({ b: -1 } as never);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'c_1_d_1']);
    expect((await serverError(c.dropIndex('nope'))).code).toBe(27);
    await c.dropIndexes();
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('creates, lists and drops collections and databases', async () => {
    await db.createCollection('made');
    expect((await serverError(db.createCollection('made'))).code).toBe(48);
    const named = await db.listCollections({ name: 'made' }, { nameOnly: true }).toArray();
    expect(named).toEqual([{ name: 'made', type: 'collection' }]);
    expect(await db.collection('made').drop()).toBe(true);
    expect(await db.listCollections({ name: 'made' }).toArray()).toEqual([]);
    const other = client.db(`${dbName}_x`);
    await other.collection('t').insertOne({ a: 1 });
    expect((await client.db('admin').admin().listDatabases()).databases.map((d) => d.name)).toContain(`${dbName}_x`);
    await other.dropDatabase();
    expect(await other.listCollections().toArray()).toEqual([]);
  });
});

describe('more write paths', () => {
  it('runs bulkWrite, pipeline updates, unacknowledged writes and renames', async () => {
    const c = db.collection<{ _id: number; v?: number; seen?: boolean; fire?: string }>('bulkops');
    const r = await c.bulkWrite([
      { insertOne: { document: { _id: 1, v: 1 } } },
      { insertOne: { document: { _id: 2, v: 2 } } },
      { updateOne: { filter: { _id: 1 }, update: { $inc: { v: 10 } } } },
      { replaceOne: { filter: { _id: 2 }, replacement: { v: 20 } } },
      { updateMany: { filter: {}, update: { $set: { seen: true } } } },
      { deleteOne: { filter: { _id: 2 } } },
      { updateOne: { filter: { _id: 3 }, update: { $set: { v: 3 } }, upsert: true } },
    ]);
    expect([r.insertedCount, r.matchedCount, r.modifiedCount, r.deletedCount, r.upsertedCount]).toEqual([2, 4, 4, 1, 1]);
    await c.updateOne({ _id: 1 }, [{ $set: { total: { $add: ['$v', 100] }, tag: { $concat: ['v', { $toString: '$v' }] } } }, { $unset: 'seen' }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, v: 11, total: 111, tag: 'v11' });
    await c.insertOne({ _id: 9, fire: 'forget' }, { writeConcern: { w: 0 } });
    for (let i = 0; i < 50 && !(await c.findOne({ _id: 9 })); i++) await new Promise((res) => setTimeout(res, 20));
    expect(await c.findOne({ _id: 9 })).toEqual({ _id: 9, fire: 'forget' });
    await c.rename('bulkops_renamed');
    expect(await db.collection('bulkops_renamed').countDocuments()).toBe(3);
    expect(await db.listCollections({ name: 'bulkops' }).toArray()).toEqual([]);
  });

  it('enforces partial unique indexes only where the filter matches', async () => {
    const c = db.collection('partial');
    await c.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await c.insertMany([{ email: 'a', active: false }, { email: 'a', active: false }, { email: 'a', active: true }]);
    expect((await serverError(c.insertOne({ email: 'a', active: true }))).code).toBe(11000);
    expect(await c.countDocuments({ email: 'a' })).toBe(3);
  });
});

describe('devdb-only behaviour', () => {
  it.skipIf(realMongo)('rejects what it does not implement instead of ignoring it, and expires TTL documents', async () => {
    const c = db.collection('unsupported');
    await c.insertOne({ s: 'abc', at: new Date(Date.now() - 60_000) });
    expect((await serverError(c.find({ s: 'ABC' }, { collation: { locale: 'en', strength: 2 } }).toArray())).code).toBe(115);
    expect((await serverError(c.find({ $text: { $search: 'abc' } }).toArray())).code).toBe(115);
    expect((await serverError(c.aggregate([{ $out: 'elsewhere' }]).toArray())).code).toBe(115);
    expect((await serverError(c.createIndex({ s: 'text' }))).code).toBe(115);
    expect((await serverError(db.command({ find: 'unsupported', filter: {}, bogusOption: 1 }))).code).toBe(40415);
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 1 });
    expect(await c.countDocuments()).toBe(0);
  });
});

describe('failing loudly', () => {
  it('rejects unknown commands', async () => {
    const err = await serverError(db.command({ noSuchCommand: 1 }));
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
  });

  // A real MongoDB replica set runs transactions; the built-in server has none and says so.
  it.skipIf(realMongo)('rejects transactions', async () => {
    const session = client.startSession();
    try {
      const e = await session.withTransaction(async () => {
        await db.collection('tx').insertOne({ a: 1 }, { session });
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MongoServerError);
      const err = e as MongoServerError & { errorResponse: { originalError?: MongoServerError } };
      expect([20, 263]).toContain(err.errorResponse.originalError?.code ?? err.code);
    } finally {
      await session.endSession();
    }
  });
});

describe('query planning', () => {
  it('answers an indexed list query without scanning the collection', async () => {
    const c = db.collection('tickets');
    await c.createIndex({ inboxId: 1, status: 1, lastActivityAt: -1, _id: -1 });
    const statuses = ['open', 'pending', 'closed', 'spam'];
    const base = Date.UTC(2024, 0, 1);
    const docs = Array.from({ length: 20_000 }, (_, i) => ({ inboxId: `inbox${i % 5}`, status: statuses[i % 4], lastActivityAt: new Date(base + ((i * 7919) % 20_000) * 1000), n: i }));
    await c.insertMany(docs);
    const filter = { inboxId: 'inbox2', status: 'open' };
    const page = await c.find(filter).sort({ lastActivityAt: -1, _id: -1 }).limit(50).toArray();
    const expected = docs.filter((d) => d.inboxId === 'inbox2' && d.status === 'open').sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime()).slice(0, 50);
    expect(page.map((d) => d.n)).toEqual(expected.map((d) => d.n));
    const explain = await c.find(filter).sort({ lastActivityAt: -1, _id: -1 }).limit(50).explain('executionStats');
    const stats = explain.executionStats as { totalDocsExamined: number; nReturned: number };
    expect(stats.nReturned).toBe(50);
    expect(stats.totalDocsExamined).toBeLessThanOrEqual(100);
    const asc = await c.find({ ...filter, lastActivityAt: { $gte: new Date(base + 10_000_000) } }).sort({ lastActivityAt: 1, _id: 1 }).limit(5).toArray();
    const expAsc = docs.filter((d) => d.inboxId === 'inbox2' && d.status === 'open' && d.lastActivityAt.getTime() >= base + 10_000_000).sort((a, b) => a.lastActivityAt.getTime() - b.lastActivityAt.getTime()).slice(0, 5);
    expect(asc.map((d) => d.n)).toEqual(expAsc.map((d) => d.n));
    const byActivity = (a: { lastActivityAt: Date; n: number }, b: { lastActivityAt: Date; n: number }) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime();
    const multi = { inboxId: { $in: ['inbox1', 'inbox3'] }, status: { $in: ['open', 'pending'] } };
    const merged = await c.find(multi).sort({ lastActivityAt: -1, _id: -1 }).limit(50).toArray();
    const inMulti = (d: { inboxId: string; status?: string }) => (d.inboxId === 'inbox1' || d.inboxId === 'inbox3') && (d.status === 'open' || d.status === 'pending');
    expect(merged.map((d) => d.n)).toEqual(docs.filter(inMulti).sort(byActivity).slice(0, 50).map((d) => d.n));
    const mergedStats = (await c.find(multi).sort({ lastActivityAt: -1, _id: -1 }).limit(50).explain('executionStats')).executionStats as { totalDocsExamined: number };
    expect(mergedStats.totalDocsExamined).toBeLessThanOrEqual(200);
    const cursor = merged[49] as { lastActivityAt: Date; _id: ObjectId };
    const next = await c.find({ ...multi, lastActivityAt: { $lte: cursor.lastActivityAt }, $or: [{ lastActivityAt: { $lt: cursor.lastActivityAt } }, { _id: { $lt: cursor._id } }] })
      .sort({ lastActivityAt: -1, _id: -1 }).limit(10).toArray();
    expect(next.map((d) => d.n)).toEqual(docs.filter(inMulti).sort(byActivity).slice(50, 60).map((d) => d.n));
    const inList = await c.countDocuments({ inboxId: { $in: ['inbox1', 'inbox3'] }, status: 'spam' });
    expect(inList).toBe(docs.filter((d) => (d.inboxId === 'inbox1' || d.inboxId === 'inbox3') && d.status === 'spam').length);
    if (!realMongo) {
      const s = (await db.command({ devdbStats: 1 })) as { namespaces: Record<string, { lastPlan: string }> };
      expect(s.namespaces[`${dbName}.tickets`]?.lastPlan).toMatch(/^IXSCAN/);
    }
  });

  it('tries the candidate plans and keeps the one that finds the results first, not the one that walks in sort order past a rare match', async () => {
    const c = db.collection('raced');
    await c.createIndex({ scope: 1, at: -1, _id: -1 });
    await c.createIndex({ due: 1 });
    const docs = Array.from({ length: 6_000 }, (_, i) => ({ scope: 'mine', at: new Date(Date.UTC(2024, 0, 1) + i * 1000), due: i % 500 === 7 ? 1 : null, n: i }));
    await c.insertMany(docs);
    // In sort order the scope index meets a due document once in 500; the due index holds only those.
    const filter = { scope: 'mine', due: { $lte: 5 } };
    const found = await c.find(filter).sort({ at: -1, _id: -1 }).limit(25).toArray();
    expect(found.map((d) => d.n)).toEqual(docs.filter((d) => d.due === 1).reverse().slice(0, 25).map((d) => d.n));
    const stats = (await c.find(filter).sort({ at: -1, _id: -1 }).limit(25).explain('executionStats')).executionStats as { totalDocsExamined: number };
    expect(stats.totalDocsExamined).toBeLessThanOrEqual(100);
  });

  it('walks a multikey index in order when its array field is pinned to one value (a list by tag)', async () => {
    const c = db.collection('tagged');
    await c.createIndex({ tags: 1, inboxId: 1, lastActivityAt: -1, _id: -1 });
    const tagSets = [['billing'], ['billing', 'vip'], ['vip'], [], ['billing', 'billing', 'refund']];
    const base = Date.UTC(2024, 0, 1);
    const docs = Array.from({ length: 5_000 }, (_, i) => ({ tags: tagSets[i % 5], inboxId: `inbox${i % 3}`, lastActivityAt: new Date(base + ((i * 7919) % 5_000) * 1000), n: i }));
    await c.insertMany(docs);
    const filter = { tags: 'billing', inboxId: 'inbox1' };
    const page = await c.find(filter).sort({ lastActivityAt: -1, _id: -1 }).limit(20).toArray();
    const expected = docs.filter((d) => d.tags!.includes('billing') && d.inboxId === 'inbox1').sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime()).slice(0, 20);
    expect(page.map((d) => d.n)).toEqual(expected.map((d) => d.n));
    const stats = (await c.find(filter).sort({ lastActivityAt: -1, _id: -1 }).limit(20).explain('executionStats')).executionStats as { totalDocsExamined: number };
    expect(stats.totalDocsExamined).toBeLessThanOrEqual(40);
    // Two tags at once may meet one document twice: it is returned once, in order, by whichever plan.
    const both = await c.find({ tags: { $in: ['billing', 'vip'] }, inboxId: 'inbox2' }).sort({ lastActivityAt: -1, _id: -1 }).limit(30).toArray();
    const expBoth = docs.filter((d) => (d.tags!.includes('billing') || d.tags!.includes('vip')) && d.inboxId === 'inbox2').sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime()).slice(0, 30);
    expect(both.map((d) => d.n)).toEqual(expBoth.map((d) => d.n));
    // Served in order by merging the two tags' walks (as MongoDB's SORT_MERGE), not by sorting every match.
    const bothStats = (await c.find({ tags: { $in: ['billing', 'vip'] }, inboxId: 'inbox2' }).sort({ lastActivityAt: -1, _id: -1 }).limit(30).explain('executionStats')).executionStats as { totalDocsExamined: number };
    expect(bothStats.totalDocsExamined).toBeLessThanOrEqual(90);
    // The ticket lists' shape: an array of access keys leading the index, several of them asked for at once.
    const keyed = db.collection('keyed');
    await keyed.createIndex({ access: 1, lastActivityAt: -1, _id: -1 });
    const keyedDocs = Array.from({ length: 4_000 }, (_, i) => ({ access: [`inbox:${i % 4}`, ...(i % 3 === 0 ? [`team:${i % 2}`] : [])], lastActivityAt: new Date(base + ((i * 7919) % 4_000) * 1000), n: i }));
    await keyed.insertMany(keyedDocs);
    const scope = { access: { $in: ['inbox:1', 'inbox:2', 'team:1'] } };
    const inScope = keyedDocs.filter((d) => d.access.some((k) => scope.access.$in.includes(k))).sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime());
    expect((await keyed.find(scope).sort({ lastActivityAt: -1, _id: -1 }).limit(25).toArray()).map((d) => d.n)).toEqual(inScope.slice(0, 25).map((d) => d.n));
    expect(await keyed.countDocuments(scope)).toBe(inScope.length);
    const keyedStats = (await keyed.find(scope).sort({ lastActivityAt: -1, _id: -1 }).limit(25).explain('executionStats')).executionStats as { totalDocsExamined: number };
    expect(keyedStats.totalDocsExamined).toBeLessThanOrEqual(75);
    if (!realMongo) {
      const keyedPlan = (await db.command({ devdbStats: 1 })) as { namespaces: Record<string, { lastPlan: string }> };
      expect(keyedPlan.namespaces[`${dbName}.keyed`]?.lastPlan).toBe('IXSCAN access_1_lastActivityAt_-1__id_-1');
      await c.find(filter).sort({ lastActivityAt: -1, _id: -1 }).limit(20).toArray();
      const s = (await db.command({ devdbStats: 1 })) as { namespaces: Record<string, { lastPlan: string }> };
      expect(s.namespaces[`${dbName}.tagged`]?.lastPlan).toBe('IXSCAN tags_1_inboxId_1_lastActivityAt_-1__id_-1');
    }
  });
});
