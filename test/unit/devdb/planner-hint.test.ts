import { beforeAll, describe, expect, it } from 'vitest';
import { Index } from '../../../src/devdb/indexes.js';
import { compileFilter } from '../../../src/devdb/matcher.js';
import { executeQuery } from '../../../src/devdb/planner.js';
import { Store, plainOf, type Collection } from '../../../src/devdb/storage.js';
import type { Doc } from '../../../src/devdb/values.js';

/*
 * A `hint` picks the walk, as in MongoDB: the hinted index is used (by name or key pattern) even
 * where the planner would prefer another, `$natural` scans the collection, and every hinted walk
 * returns what a full scan with the filter returns, in the order asked.
 */

let coll: Collection;

/** What a collection scan with the full filter finds, by `_id`. */
function expected(filter: Doc): number[] {
  const match = compileFilter(filter);
  return [...coll.scan()].filter((r) => match(plainOf(r))).map((r) => r.doc._id as number).sort((a, b) => a - b);
}

function run(filter: Doc, hint?: unknown, sort: Doc = {}) {
  const sortSpec = Object.entries(sort).map(([k, d]) => [k.split('.'), d] as [string[], 1 | -1]);
  const result = executeQuery(coll, { filter, sort: sortSpec, hint });
  return { ...result, ids: result.recs.map((r) => r.doc._id as number) };
}

beforeAll(() => {
  const store = new Store();
  coll = store.db('hints').getOrCreate('tickets');
  coll.addIndex(new Index({ key: { teamId: 1, at: -1 }, name: 'teamId_1_at_-1' }));
  coll.addIndex(new Index({ key: { at: -1, _id: -1 }, name: 'at_-1__id_-1' }));
  coll.addIndex(new Index({ key: { tags: 1 }, name: 'tags_1', sparse: true }));
  for (let i = 0; i < 300; i++) {
    coll.insert({ _id: i, teamId: `team${i % 3}`, at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000), ...(i % 7 === 0 ? {} : { priority: i % 4 === 0 ? 'high' : 'normal' }), ...(i % 5 === 0 ? { tags: ['a', 'b'] } : {}) });
  }
});

describe('hinted plans', () => {
  const filter = { teamId: { $in: ['team1', 'team2'] }, at: { $gte: new Date(Date.UTC(2026, 0, 3)), $lt: new Date(Date.UTC(2026, 0, 6)) }, priority: { $ne: 'high' } };

  it('walks the hinted index, by key pattern or by name, and finds what a scan finds', () => {
    const free = run(filter);
    expect(free.plan.index?.name).toBe('teamId_1_at_-1');
    for (const hint of [{ at: -1, _id: -1 }, 'at_-1__id_-1']) {
      const r = run(filter, hint);
      expect(r.plan.index?.name).toBe('at_-1__id_-1');
      expect(r.plan.range).toBeDefined();
      expect([...r.ids].sort((a, b) => a - b)).toEqual(expected(filter));
      // the range bounds the walk: only the documents of those three days are read
      expect(r.docsExamined).toBe(72);
    }
  });

  it('keeps the order asked for, from the index or by sorting', () => {
    const byAt = run(filter, { at: -1, _id: -1 }, { at: 1 });
    expect(byAt.plan.reverse).toBe(true);
    expect(byAt.ids).toEqual(expected(filter));
    const byTeam = run(filter, { at: -1, _id: -1 }, { teamId: 1, _id: -1 });
    expect(byTeam.plan.providesSort).toBe(false);
    expect(byTeam.ids).toEqual([...expected(filter)].sort((a, b) => (a % 3) - (b % 3) || b - a));
  });

  it('scans the collection for $natural, and plans freely for a sparse index', () => {
    const natural = run(filter, { $natural: -1 });
    expect(natural.plan.index).toBeUndefined();
    expect(natural.ids).toEqual([...expected(filter)].reverse());
    const sparse = run({ tags: { $ne: 'a' }, teamId: 'team0' }, 'tags_1');
    expect(sparse.plan.index?.name).not.toBe('tags_1');
    expect([...sparse.ids].sort((a, b) => a - b)).toEqual(expected({ tags: { $ne: 'a' }, teamId: 'team0' }));
  });
});

describe('a sparse index', () => {
  // Tags on every fifth ticket only: the index leaves out the others, so it may answer only a filter that requires the field.
  it('answers a filter that requires its field, and finds what a scan finds', () => {
    for (const filter of [{ tags: 'a' }, { tags: { $in: ['b', 'z'] } }, { tags: { $elemMatch: { $gte: 'a', $lt: 'b' } } }, { tags: 'a', teamId: 'team1' }]) {
      const r = run(filter);
      expect(r.plan.index?.name, JSON.stringify(filter)).toBe('tags_1');
      expect([...r.ids].sort((a, b) => a - b), JSON.stringify(filter)).toEqual(expected(filter));
      expect(r.docsExamined).toBeLessThanOrEqual(60);
    }
    // A bound requires the field too: hinted, the index is walked.
    const bounded = run({ tags: { $gte: 'b' } }, 'tags_1');
    expect(bounded.plan.index?.name).toBe('tags_1');
    expect([...bounded.ids].sort((a, b) => a - b)).toEqual(expected({ tags: { $gte: 'b' } }));
    const hinted = run({ tags: 'b', teamId: 'team2' }, 'tags_1');
    expect(hinted.plan.index?.name).toBe('tags_1');
    expect([...hinted.ids].sort((a, b) => a - b)).toEqual(expected({ tags: 'b', teamId: 'team2' }));
  });

  it('is never used for a filter that matches documents without the field', () => {
    for (const filter of [{ tags: null }, { tags: { $in: ['a', null] } }, { tags: { $ne: 'a' } }, { tags: { $nin: ['a'] } }, { tags: { $exists: false } }, { tags: { $not: { $eq: 'a' } } }, {}]) {
      for (const hint of [undefined, 'tags_1']) {
        const r = run(filter, hint);
        expect(r.plan.index?.name, JSON.stringify(filter)).not.toBe('tags_1');
        expect([...r.ids].sort((a, b) => a - b), JSON.stringify(filter)).toEqual(expected(filter));
      }
    }
  });
});


describe('an empty $in', () => {
  it('Regression: matches nothing and reads nothing (it read the whole collection), while $or and $not of one still do what they say', () => {
    for (const filter of [{ _id: { $in: [] } }, { teamId: 'team1', tags: { $in: [] } }, { $and: [{ at: { $gte: new Date(0) } }, { teamId: { $in: [] } }] }]) {
      const r = run(filter);
      expect(r.ids, JSON.stringify(filter)).toEqual([]);
      expect(r.docsExamined, JSON.stringify(filter)).toBe(0);
    }
    for (const filter of [{ $or: [{ teamId: { $in: [] } }, { teamId: 'team1' }] }, { teamId: { $not: { $in: [] } } }]) {
      expect([...run(filter).ids].sort((a, b) => a - b), JSON.stringify(filter)).toEqual(expected(filter));
      expect(run(filter).ids.length).toBeGreaterThan(0);
    }
  });
});
