import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MongoClient, type Db, type Document } from 'mongodb';
import { serverError } from './server-error.js';

/*
 * What MongoDB refuses, checked over the wire: malformed filters, unsupported partial index filters
 * and hints naming no index fail with MongoDB's codes even when there is nothing to match.
 * Runs against devdb by default and against a real server when MONGODB_URI is set.
 */
const uri = inject('mongoUri');
const dbName = `devdb_refusals_${process.pid}_${Date.now().toString(36)}`;

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

async function expectRefused(p: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  const err = await serverError(p);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
}

const badFilters: [string, Document, RegExp][] = [
  ['empty $and', { $and: [] }, /\$and\/\$or\/\$nor must be a nonempty array/],
  ['empty $or', { $or: [] }, /\$and\/\$or\/\$nor must be a nonempty array/],
  ['empty $nor', { $nor: [] }, /\$and\/\$or\/\$nor must be a nonempty array/],
  ['unknown field operator', { a: { $foo: 1 } }, /unknown operator: \$foo/],
  ['unknown top-level operator', { $foo: 1 }, /unknown top level operator: \$foo/],
  ['unknown operator inside $or', { $or: [{ a: { $foo: 1 } }] }, /unknown operator: \$foo/],
  ['$in with a non-array', { a: { $in: 1 } }, /\$in needs an array/],
  ['$nin with a non-array', { a: { $nin: 'x' } }, /\$nin needs an array/],
];

describe('malformed filters', () => {
  it.each(badFilters)('refuses %s on a missing collection (find, aggregate $match)', async (_, filter, message) => {
    const c = db.collection('refusals_missing');
    await expectRefused(c.find(filter).toArray(), 2, message);
    await expectRefused(c.aggregate([{ $match: filter }]).toArray(), 2, message);
    await expectRefused(c.aggregate([{ $project: { a: 1 } }, { $match: filter }]).toArray(), 2, message);
    expect(await db.listCollections({ name: 'refusals_missing' }).toArray()).toEqual([]);
  });

  it.each(badFilters)('refuses %s on an empty collection (count, distinct, writes, findAndModify)', async (_, filter, message) => {
    const name = 'refusals_empty';
    if ((await db.listCollections({ name }).toArray()).length === 0) await db.createCollection(name);
    const c = db.collection(name);
    await expectRefused(c.find(filter).toArray(), 2, message);
    await expectRefused(c.countDocuments(filter), 2, message);
    await expectRefused(db.command({ count: name, query: filter }), 2, message);
    await expectRefused(c.distinct('a', filter), 2, message);
    await expectRefused(c.updateOne(filter, { $set: { b: 1 } }), 2, message);
    await expectRefused(c.updateMany(filter, { $set: { b: 1 } }, { upsert: true }), 2, message);
    await expectRefused(c.deleteMany(filter), 2, message);
    await expectRefused(c.findOneAndUpdate(filter, { $set: { b: 1 } }, { upsert: true }), 2, message);
    await expectRefused(c.findOneAndDelete(filter), 2, message);
    expect(await c.countDocuments()).toBe(0);
  });

  it('still accepts the well-formed neighbours of those filters', async () => {
    const c = db.collection('refusals_fine');
    await c.insertMany([{ a: 1 }, { a: 2, r: { $ref: 'x', $id: 1 } }]);
    expect(await c.countDocuments({ $and: [{ a: 1 }] })).toBe(1);
    expect(await c.countDocuments({ $or: [{ a: 1 }, { a: 2 }] })).toBe(2);
    expect(await c.countDocuments({ $nor: [{ a: 1 }] })).toBe(1);
    expect(await c.countDocuments({ a: { $in: [2], $nin: [] } })).toBe(1);
    expect(await c.countDocuments({ a: { $not: { $gt: 1 } } })).toBe(1);
    expect(await c.countDocuments({ a: { $elemMatch: { $gt: 0 } } })).toBe(0);
    expect(await c.countDocuments({ r: { $ref: 'x', $id: 1 } })).toBe(1);
    expect(await c.countDocuments({ $comment: 'why', a: { $exists: true } })).toBe(2);
  });
});

describe('partial index filters', () => {
  const refused: [string, Document][] = [
    ['$ne', { a: { $ne: 1 } }],
    ['$nin', { a: { $nin: [1] } }],
    ['$not', { a: { $not: { $gt: 1 } } }],
    ['$exists: false', { a: { $exists: false } }],
    ['$regex', { a: { $regex: '^x' } }],
    ['a regex literal', { a: /^x/ }],
  ];

  it.each(refused)('refuses %s with CannotCreateIndex', async (_, partialFilterExpression) => {
    const c = db.collection('partial_refused');
    const err = await serverError(c.createIndex({ k: 1 }, { name: 'k_partial', partialFilterExpression }));
    expect(err.code).toBe(67);
    expect((await c.listIndexes().toArray().catch(() => [])).map((ix) => ix.name)).not.toContain('k_partial');
  });

  it('accepts equality, $exists: true, comparisons, $type and a top-level $and', async () => {
    const c = db.collection('partial_accepted');
    const accepted: Document[] = [
      { active: true },
      { a: { $eq: 1 } },
      { a: { $exists: true } },
      { a: { $gt: 1, $lte: 5 } },
      { a: { $type: 'string' } },
      { $and: [{ a: { $gte: 1 } }, { b: { $exists: true } }] },
    ];
    for (const [i, partialFilterExpression] of accepted.entries()) {
      await c.createIndex({ [`k${i}`]: 1 }, { partialFilterExpression });
    }
    expect(await c.listIndexes().toArray()).toHaveLength(accepted.length + 1);
  });
});

describe('hints', () => {
  it('refuses a hint that names no index, by name or by key pattern, on an empty collection', async () => {
    const name = 'hinted';
    await db.createCollection(name);
    const c = db.collection(name);
    await c.createIndex({ a: 1, b: -1 });
    const message = /hint provided does not correspond to an existing index/;
    for (const hint of ['nope_1', { nope: 1 }, { a: 1 }, { b: -1, a: 1 }] as (string | Document)[]) {
      await expectRefused(c.find({ a: 1 }, { hint }).toArray(), 2, message);
      await expectRefused(c.countDocuments({ a: 1 }, { hint }), 2, message);
      await expectRefused(db.command({ count: name, query: { a: 1 }, hint }), 2, message);
      await expectRefused(c.aggregate([{ $match: { a: 1 } }], { hint }).toArray(), 2, message);
      await expectRefused(c.updateOne({ a: 1 }, { $set: { c: 1 } }, { hint }), 2, message);
      await expectRefused(c.deleteOne({ a: 1 }, { hint }), 2, message);
      await expectRefused(c.findOneAndUpdate({ a: 1 }, { $set: { c: 1 } }, { hint: hint as Document }), 2, message);
    }
    for (const hint of ['a_1_b_-1', { a: 1, b: -1 }, '_id_', { _id: 1 }, { $natural: 1 }] as (string | Document)[]) {
      expect(await c.find({ a: 1 }, { hint }).toArray()).toEqual([]);
      expect(await c.countDocuments({ a: 1 }, { hint })).toBe(0);
      expect((await c.updateOne({ a: 1 }, { $set: { c: 1 } }, { hint })).matchedCount).toBe(0);
      expect((await c.deleteOne({ a: 1 }, { hint })).deletedCount).toBe(0);
    }
  });
});
