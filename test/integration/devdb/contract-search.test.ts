import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';

/*
 * The MongoDB semantics ticket search relies on: a multikey `searchTerms` string array, prefix
 * matching with `$elemMatch` ranges served by its index, terms added with `$addToSet` `$each`, and
 * a cap written as `{'searchTerms.N': {$exists: false}}`. Runs against devdb by default and against
 * a real server when MONGODB_URI is set.
 */
const uri = inject('mongoUri');
const realMongo = inject('realMongo');
const dbName = `devdb_search_${process.pid}_${Date.now().toString(36)}`;

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

type Ticket = { _id: number; inboxId?: string; searchTerms?: Array<string | number> };

/** `{$gte: p, $lt: p + U+10FFFF}`: every string that starts with `p`. */
function prefix(p: string): { $gte: string; $lt: string } {
  return { $gte: p, $lt: `${p}\u{10FFFF}` };
}

async function ids(c: Collection<Ticket>, filter: Document): Promise<number[]> {
  return (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
}

async function examined(c: Collection<Ticket>, filter: Document): Promise<{ docs: number; keys: number; plan: string }> {
  const explain = await c.find(filter).explain('executionStats');
  const stats = explain.executionStats as { totalDocsExamined: number; totalKeysExamined: number };
  return { docs: stats.totalDocsExamined, keys: stats.totalKeysExamined, plan: JSON.stringify(explain.queryPlanner.winningPlan) };
}

describe('prefix search on a multikey string array', () => {
  let c: Collection<Ticket>;

  beforeAll(async () => {
    c = db.collection<Ticket>('terms');
    await c.createIndex({ searchTerms: 1 });
    await c.createIndex({ inboxId: 1, searchTerms: 1 });
    const filler = Array.from({ length: 1_500 }, (_, i) => ({ _id: 100 + i, inboxId: `inbox${i % 3}`, searchTerms: [`word${i}`, `other${i % 50}`, 'common'] }));
    await c.insertMany([
      { _id: 1, inboxId: 'inbox1', searchTerms: ['invoice', 'zeta'] },
      // straddles the range: one element below it, one above, none inside
      { _id: 2, inboxId: 'inbox1', searchTerms: ['inva', 'invp'] },
      { _id: 3, inboxId: 'inbox2', searchTerms: ['invo'] },
      // not an array: $elemMatch never matches it
      { _id: 4, inboxId: 'inbox1', searchTerms: 'invoice' as never },
      { _id: 5, inboxId: 'inbox1', searchTerms: [] },
      { _id: 6, inboxId: 'inbox1' },
      { _id: 7, inboxId: 'inbox1', searchTerms: [5, 'inv', 'INVOICE', 'invn\u{10FFFF}'] },
      // several elements in the range: found once
      { _id: 8, inboxId: 'inbox1', searchTerms: ['invoiced', 'invoice', 'invoices', 's:invoice'] },
      ...filler,
    ]);
  });

  it('matches only arrays with one element inside the range, through the index', async () => {
    const filter = { searchTerms: { $elemMatch: prefix('invo') } };
    expect(await ids(c, filter)).toEqual([1, 3, 8]);
    expect(await c.countDocuments(filter)).toBe(3);
    const cost = await examined(c, filter);
    expect(cost.plan).toContain('searchTerms_1');
    // the three matches and the scalar 'invoice' (its one key is in the range; the filter drops it)
    expect(cost.docs).toBeLessThanOrEqual(4);
    expect(cost.keys).toBeLessThanOrEqual(10);
    expect(await ids(c, { searchTerms: { $elemMatch: { $gt: 'invoice', $lte: 'invoices' } } })).toEqual([8]);
    expect(await ids(c, { searchTerms: { $elemMatch: prefix('s:inv') } })).toEqual([8]);
  });

  it('lets a plain $gte/$lt on an array be met by two different elements (unlike $elemMatch)', async () => {
    // MongoDB semantics: each comparison may be satisfied by a different element, and a scalar is compared as is.
    expect(await ids(c, { _id: { $lt: 100 }, searchTerms: prefix('invo') })).toEqual([1, 2, 3, 4, 8]);
    // every filler ticket holds 'common' (below the range) and 'word…' (above it)
    expect(await c.countDocuments({ searchTerms: prefix('invo') })).toBe(5 + 1_500);
  });

  it('uses the equality prefix of a compound index before the element range', async () => {
    const filter = { inboxId: 'inbox1', searchTerms: { $elemMatch: prefix('invo') } };
    expect(await ids(c, filter)).toEqual([1, 8]);
    const cost = await examined(c, filter);
    expect(cost.docs).toBeLessThanOrEqual(3);
    expect(await ids(c, { inboxId: { $in: ['inbox1', 'inbox2'] }, searchTerms: { $elemMatch: prefix('invo') } })).toEqual([1, 3, 8]);
  });

  it('combines terms, sorts and limits the matches itself', async () => {
    const filter = { $and: [{ searchTerms: 'common' }, { searchTerms: { $elemMatch: prefix('word14') } }] };
    const expected = Array.from({ length: 1_500 }, (_, i) => i).filter((i) => `word${i}`.startsWith('word14')).map((i) => 100 + i);
    expect(await ids(c, filter)).toEqual(expected);
    const page = await c.find({ searchTerms: { $elemMatch: prefix('word14') } }).sort({ _id: -1 }).limit(5).toArray();
    expect(page.map((d) => d._id)).toEqual([...expected].reverse().slice(0, 5));
    expect((await examined(c, { searchTerms: { $elemMatch: prefix('word14') } })).docs).toBeLessThanOrEqual(expected.length);
    // $elemMatch with $in: any of the values
    expect(await ids(c, { searchTerms: { $elemMatch: { $in: ['zeta', 'invo'] } } })).toEqual([1, 3]);
    if (!realMongo) {
      const s = (await db.command({ devdbStats: 1 })) as { namespaces: Record<string, { lastPlan: string }> };
      expect(s.namespaces[`${dbName}.terms`]?.lastPlan).toMatch(/^IXSCAN searchTerms_1/);
    }
  });

  it('picks the element range over a broad equality in a plan race', async () => {
    const raced = db.collection<Ticket & { status: string }>('raced_terms');
    await raced.createIndex({ status: 1 });
    await raced.createIndex({ searchTerms: 1 });
    await raced.insertMany(Array.from({ length: 2_000 }, (_, i) => ({ _id: i, status: 'open', searchTerms: [`t${i}`, i % 400 === 3 ? 'rare' : 'usual'] })));
    const filter = { status: 'open', searchTerms: { $elemMatch: prefix('rar') } };
    expect((await raced.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([3, 403, 803, 1203, 1603]);
    const stats = (await raced.find(filter).explain('executionStats')).executionStats as { totalDocsExamined: number };
    expect(stats.totalDocsExamined).toBeLessThanOrEqual(50);
  });
});

describe('search term writes', () => {
  it('adds new terms with $addToSet $each in order, once each, keeping existing ones first', async () => {
    const c = db.collection<Ticket>('added');
    await c.createIndex({ searchTerms: 1 });
    await c.insertMany([{ _id: 1, searchTerms: ['b', 'a'] }, { _id: 2 }, { _id: 3, searchTerms: [1, 'a'] }]);
    await c.updateOne({ _id: 1 }, { $addToSet: { searchTerms: { $each: ['c', 'a', 'd', 'c', 'b', 'e'] } } });
    await c.updateOne({ _id: 2 }, { $addToSet: { searchTerms: { $each: ['x', 'x', 'y'] } } });
    await c.updateOne({ _id: 3 }, { $addToSet: { searchTerms: { $each: ['a', 1.0, 2, 'b', 2] } } });
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, searchTerms: ['b', 'a', 'c', 'd', 'e'] },
      { _id: 2, searchTerms: ['x', 'y'] },
      { _id: 3, searchTerms: [1, 'a', 2, 'b'] },
    ]);
    const none = await c.updateOne({ _id: 1 }, { $addToSet: { searchTerms: { $each: ['e', 'a'] } } });
    expect([none.matchedCount, none.modifiedCount]).toEqual([1, 0]);
    expect(await ids(c, { searchTerms: 'd' })).toEqual([1]);
    expect(await ids(c, { searchTerms: { $elemMatch: { $gte: 'x', $lt: 'z' } } })).toEqual([2]);
  });

  it('treats a numeric path into an array as an element position (the term cap)', async () => {
    const c = db.collection<Ticket>('capped');
    await c.insertMany([
      { _id: 1, searchTerms: ['a', 'b', 'c'] },
      { _id: 2, searchTerms: ['a', 'b'] },
      { _id: 3, searchTerms: [] },
      { _id: 4 },
      { _id: 5, searchTerms: 'abc' as never },
      { _id: 6, searchTerms: Array.from({ length: 3000 }, (_, i) => `t${i}`) },
      { _id: 7, searchTerms: Array.from({ length: 2999 }, (_, i) => `t${i}`) },
    ]);
    expect(await ids(c, { 'searchTerms.2': { $exists: false } })).toEqual([2, 3, 4, 5]);
    expect(await ids(c, { 'searchTerms.2': { $exists: true } })).toEqual([1, 6, 7]);
    expect(await ids(c, { 'searchTerms.2': 'c' })).toEqual([1]);
    expect(await ids(c, { 'searchTerms.2999': { $exists: false } })).toEqual([1, 2, 3, 4, 5, 7]);
    // The cap: terms are added only while the array holds fewer than 3000.
    const full = await c.updateOne({ _id: 6, 'searchTerms.2999': { $exists: false } }, { $addToSet: { searchTerms: { $each: ['new'] } } });
    expect(full.matchedCount).toBe(0);
    const room = await c.updateOne({ _id: 7, 'searchTerms.2999': { $exists: false } }, { $addToSet: { searchTerms: { $each: ['new', 'newer'] } } });
    expect(room.modifiedCount).toBe(1);
    const after = await c.findOne({ _id: 7 });
    expect((after?.searchTerms as string[]).slice(-2)).toEqual(['new', 'newer']);
    expect(await ids(c, { 'searchTerms.2999': { $exists: false } })).toEqual([1, 2, 3, 4, 5]);
  });
});
