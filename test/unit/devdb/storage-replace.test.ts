import { describe, expect, it } from 'vitest';
import { MongoError } from '../../../src/devdb/errors.js';
import { Index } from '../../../src/devdb/indexes.js';
import { compileFilter } from '../../../src/devdb/matcher.js';
import { executeQuery } from '../../../src/devdb/planner.js';
import { Store, plainOf, type Collection } from '../../../src/devdb/storage.js';
import { applyUpdate, compileUpdate } from '../../../src/devdb/update.js';
import { identical } from '../../../src/devdb/identical.js';
import type { Doc } from '../../../src/devdb/values.js';

/*
 * Collection.replace keeps every index exact while touching only what changed: after many updates
 * of every kind, each index holds exactly the entries its documents produce, and index scans find
 * what full scans find. Unique indexes still refuse duplicates.
 */

/** Seeded random numbers (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Applies an update as the update command does (skipping documents it leaves identical). */
function update(coll: Collection, id: unknown, u: Doc): void {
  const rec = [...coll.scan()].find((r) => r.doc._id === id);
  if (!rec) throw new Error(`no document ${String(id)}`);
  const next = applyUpdate(rec.doc, compileUpdate(u), { filter: { _id: id }, isUpsertInsert: false });
  if (!identical(rec.doc, next)) coll.replace(rec, next);
}

/** Every stored entry of an index, and every entry its documents produce: they must be the same set. */
function indexContents(coll: Collection, ix: Index): { stored: string[]; expected: string[] } {
  const stored = [...ix.entries.range(Buffer.alloc(0), undefined, false)].map((e) => Buffer.from(e).toString('hex'));
  const expected: string[] = [];
  for (const rec of coll.scan()) {
    const keyed = ix.keyedEntries(rec.doc, () => plainOf(rec), rec.rid);
    for (const e of keyed?.entries ?? []) expected.push(e.toString('hex'));
  }
  return { stored, expected: expected.sort() };
}

function countWrites(ix: Index): { puts: number; deletes: number } {
  const n = { puts: 0, deletes: 0 };
  const space = ix.entries;
  const put = space.put.bind(space);
  const del = space.delete.bind(space);
  space.put = (e) => {
    n.puts++;
    put(e);
  };
  space.delete = (e) => {
    n.deletes++;
    del(e);
  };
  return n;
}

function ticketCollection(): Collection {
  const coll = new Store().db('replace').getOrCreate('tickets');
  coll.addIndex(new Index({ key: { searchTerms: 1 }, name: 'searchTerms_1' }));
  coll.addIndex(new Index({ key: { inboxId: 1, status: 1, at: -1 }, name: 'list' }));
  coll.addIndex(new Index({ key: { 'meta.tags': 1 }, name: 'tags' }));
  coll.addIndex(new Index({ key: { 'meta.note': 1 }, name: 'note', sparse: true }));
  coll.addIndex(new Index({ key: { number: 1 }, name: 'number_1', unique: true }));
  coll.addIndex(new Index({ key: { at: 1 }, name: 'open_at', partialFilterExpression: { status: 'open' } }));
  return coll;
}

describe('Collection.replace', () => {
  it('keeps every index exact through many updates of every kind', () => {
    const random = rng(0x5eed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const word = () => `w${Math.floor(random() * 300)}`;
    const coll = ticketCollection();
    const N = 40;
    for (let i = 0; i < N; i++) {
      coll.insert({ _id: i, number: i, inboxId: `inbox${i % 3}`, status: 'open', at: i, meta: { tags: ['a'] }, searchTerms: Array.from({ length: 50 }, word) });
    }
    const updates: Array<() => Doc> = [
      () => ({ $addToSet: { searchTerms: { $each: Array.from({ length: 5 }, word) } } }),
      () => ({ $pull: { searchTerms: { $in: Array.from({ length: 20 }, word) } } }),
      () => ({ $set: { status: pick(['open', 'pending', 'solved']), at: Math.floor(random() * 1000) } }),
      () => ({ $set: { searchTerms: Array.from({ length: Math.floor(random() * 60) }, word) } }),
      () => ({ $set: { searchTerms: word() } }),
      // a number among the terms: keys are then told apart by encoding instead of by string
      () => ({ $addToSet: { searchTerms: Math.floor(random() * 3) } }),
      () => ({ $pull: { searchTerms: { $in: [0, 1, 2] } } }),
      () => ({ $unset: { searchTerms: '' } }),
      () => ({ $push: { 'meta.tags': pick(['a', 'b', 'c']) } }),
      () => ({ $unset: { meta: '' } }),
      () => ({ $set: { 'meta.note': word() } }),
      () => ({ $inc: { number: 1000 } }),
      () => ({ $set: { 'searchTerms.0': word() } }),
    ];
    for (let n = 0; n < 600; n++) {
      try {
        update(coll, Math.floor(random() * N), pick(updates)());
      } catch (err) {
        // numbers collide now and then (11000), an array operator or path meets a scalar (2, 28): refused, nothing kept
        expect(err).toBeInstanceOf(MongoError);
        expect([2, 28, 11000]).toContain((err as MongoError).code);
      }
    }
    for (const ix of coll.indexes) {
      const { stored, expected } = indexContents(coll, ix);
      expect(stored, ix.name).toEqual(expected);
    }
    for (let n = 0; n < 30; n++) {
      const filter = pick([
        { searchTerms: word() },
        { searchTerms: { $elemMatch: { $gte: `w${n}`, $lt: `w${n}\u{10FFFF}` } } },
        { inboxId: 'inbox1', status: 'open' },
        { 'meta.tags': 'b' },
      ]);
      const match = compileFilter(filter);
      const scanned = [...coll.scan()].filter((r) => match(plainOf(r))).map((r) => r.rid).sort((a, b) => a - b);
      const r = executeQuery(coll, { filter });
      expect(r.plan.index, JSON.stringify(filter)).toBeDefined();
      expect(r.recs.map((x) => x.rid).sort((a, b) => a - b), JSON.stringify(filter)).toEqual(scanned);
    }
  });

  it('leaves an index alone when its key paths are unchanged, and writes only the difference otherwise', () => {
    const coll = ticketCollection();
    const terms = Array.from({ length: 2000 }, (_, i) => `t${i}`);
    coll.insert({ _id: 1, number: 1, inboxId: 'inbox1', status: 'open', at: 1, searchTerms: terms });
    const byName = (name: string) => coll.indexes.find((ix) => ix.name === name) as Index;
    const termWrites = countWrites(byName('searchTerms_1'));
    const listWrites = countWrites(byName('list'));
    update(coll, 1, { $set: { status: 'pending', subject: 'x' } });
    expect(termWrites).toEqual({ puts: 0, deletes: 0 });
    expect(listWrites).toEqual({ puts: 1, deletes: 1 });
    update(coll, 1, { $addToSet: { searchTerms: { $each: ['t5', 'new1', 'new2', 'new1'] } } });
    expect(termWrites).toEqual({ puts: 2, deletes: 0 });
    expect(listWrites).toEqual({ puts: 1, deletes: 1 });
    update(coll, 1, { $pull: { searchTerms: { $in: ['t7', 'new2'] } } });
    expect(termWrites).toEqual({ puts: 2, deletes: 2 });
    const { stored, expected } = indexContents(coll, byName('searchTerms_1'));
    expect(stored).toEqual(expected);
    expect(stored).toHaveLength(2000 - 1 + 1);
  });

  it('refuses a duplicate in a unique index and keeps the document and every index as they were', () => {
    const coll = new Store().db('replace').getOrCreate('unique');
    coll.addIndex(new Index({ key: { emails: 1 }, name: 'emails_1', unique: true }));
    coll.addIndex(new Index({ key: { tags: 1 }, name: 'tags_1' }));
    coll.insert({ _id: 1, emails: ['a@x', 'b@x'], tags: ['t1'] });
    coll.insert({ _id: 2, emails: ['c@x'], tags: ['t2'] });
    // keeping its own keys and adding a free one is fine
    update(coll, 2, { $addToSet: { emails: 'd@x' }, $set: { tags: ['t3'] } });
    let error: unknown;
    try {
      update(coll, 2, { $addToSet: { emails: 'b@x' }, $set: { tags: ['t4'] } });
    } catch (err) {
      error = err;
    }
    expect((error as MongoError).code).toBe(11000);
    expect((error as MongoError).message).toContain('dup key: { emails: "b@x" }');
    expect([...coll.scan()].map((r) => r.doc)).toEqual([
      { _id: 1, emails: ['a@x', 'b@x'], tags: ['t1'] },
      { _id: 2, emails: ['c@x', 'd@x'], tags: ['t3'] },
    ]);
    for (const ix of coll.indexes) {
      const { stored, expected } = indexContents(coll, ix);
      expect(stored, ix.name).toEqual(expected);
    }
    // moving a key from one document to another in two steps works
    update(coll, 1, { $pull: { emails: 'b@x' } });
    update(coll, 2, { $addToSet: { emails: 'b@x' } });
    expect(executeQuery(coll, { filter: { emails: 'b@x' } }).recs.map((r) => r.doc._id)).toEqual([2]);
  });
});
