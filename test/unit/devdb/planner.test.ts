import { beforeAll, describe, expect, it } from 'vitest';
import { Index } from '../../../src/devdb/indexes.js';
import { compileFilter } from '../../../src/devdb/matcher.js';
import { describePlan, executeQuery } from '../../../src/devdb/planner.js';
import { Store, plainOf, type Collection } from '../../../src/devdb/storage.js';
import type { Doc } from '../../../src/devdb/values.js';

/*
 * Plan choice for search terms: an `$elemMatch` range on a multikey array is served by its index
 * with both bounds (few keys examined), a plain range on the same array is not (each bound may be
 * met by a different element), and every plan returns what a full scan with the filter returns.
 */

const TICKETS = 400;
const TERMS = 40;

function termsOf(i: number): string[] {
  return Array.from({ length: TERMS }, (_, j) => `w${(i * 31 + j * 7) % 900}`).concat([`s:subject${i % 20}`, 'common']);
}

let coll: Collection;

/** What a collection scan with the full filter finds, by `_id`. */
function expected(filter: Doc): number[] {
  const match = compileFilter(filter);
  return [...coll.scan()].filter((r) => match(plainOf(r))).map((r) => r.doc._id as number).sort((a, b) => a - b);
}

function run(filter: Doc, sort: Doc = {}) {
  const sortSpec = Object.entries(sort).map(([k, d]) => [k.split('.'), d] as [string[], 1 | -1]);
  const result = executeQuery(coll, { filter, sort: sortSpec });
  return { ...result, ids: result.recs.map((r) => r.doc._id as number) };
}

beforeAll(() => {
  const store = new Store();
  coll = store.db('plans').getOrCreate('tickets');
  coll.addIndex(new Index({ key: { searchTerms: 1 }, name: 'searchTerms_1' }));
  coll.addIndex(new Index({ key: { inboxId: 1, searchTerms: 1 }, name: 'inboxId_1_searchTerms_1' }));
  coll.addIndex(new Index({ key: { status: 1 }, name: 'status_1' }));
  for (let i = 0; i < TICKETS; i++) coll.insert({ _id: i, inboxId: `inbox${i % 4}`, status: i % 10 === 0 ? 'pending' : 'open', searchTerms: termsOf(i) });
  coll.insert({ _id: 1000, inboxId: 'inbox0', status: 'open', searchTerms: ['w1', 'w3'] });
  coll.insert({ _id: 1001, inboxId: 'inbox0', status: 'open', searchTerms: 'w20' });
});

describe('$elemMatch ranges on a multikey index', () => {
  it('walks only the keys inside both bounds', () => {
    const filter = { searchTerms: { $elemMatch: { $gte: 'w12', $lt: 'w12\u{10FFFF}' } } };
    const r = run(filter);
    expect(r.plan.index?.name).toBe('searchTerms_1');
    expect(r.plan.range).toMatchObject({ lo: 'w12', loInc: true, hi: 'w12\u{10FFFF}', hiInc: false });
    expect(r.plan.providesSort).toBe(true);
    expect([...r.ids].sort((a, b) => a - b)).toEqual(expected(filter));
    expect(r.ids.length).toBeGreaterThan(10);
    // one key per term w12, w120..w129 held by a ticket: far fewer than the collection's keys
    expect(r.keysExamined).toBeLessThan(r.ids.length * 3);
    expect(r.docsExamined).toBe(r.ids.length);
    expect(coll.stats.lastPlan).toBe('IXSCAN searchTerms_1');
  });

  it('does not match a document whose elements straddle the range', () => {
    const r = run({ searchTerms: { $elemMatch: { $gt: 'w1', $lt: 'w10' } } });
    expect(r.plan.index?.name).toBe('searchTerms_1');
    expect(r.ids).not.toContain(1000);
    expect(r.ids).toEqual([]);
    expect(r.keysExamined).toBe(0);
    // without $elemMatch, 'w1' < 'w10' and 'w3' > 'w1' are met by different elements: a match
    expect(run({ _id: 1000, searchTerms: { $gt: 'w1', $lt: 'w10' } }).ids).toEqual([1000]);
  });

  it('leaves a plain range on a multikey field to the collection scan', () => {
    const filter = { searchTerms: { $gte: 'w12', $lt: 'w12\u{10FFFF}' } };
    const r = run(filter);
    expect(r.plan.index).toBeUndefined();
    expect([...r.ids].sort((a, b) => a - b)).toEqual(expected(filter));
  });

  it('puts the range after the equality prefix of a compound index', () => {
    const filter = { inboxId: 'inbox2', searchTerms: { $elemMatch: { $gte: 'w3', $lt: 'w3\u{10FFFF}' } } };
    const r = run(filter);
    expect(r.plan.index?.name).toBe('inboxId_1_searchTerms_1');
    expect(r.plan.prefix).toEqual([['inbox2']]);
    expect([...r.ids].sort((a, b) => a - b)).toEqual(expected(filter));
    expect(r.docsExamined).toBe(r.ids.length);
  });

  it('sorts the matches itself: an element range gives no order', () => {
    const filter = { searchTerms: { $elemMatch: { $gte: 'w5', $lte: 'w59' } } };
    const r = run(filter, { _id: -1 });
    expect(r.plan.index?.name).toBe('searchTerms_1');
    expect(r.plan.providesSort).toBe(false);
    expect(describePlan(r.plan)).toBe('IXSCAN searchTerms_1 +SORT');
    expect(r.ids).toEqual(expected(filter).reverse());
  });

  it('uses $elemMatch $eq / $in as equality points, and ignores $elemMatch with other operators', () => {
    const points = run({ searchTerms: { $elemMatch: { $in: ['w1', 's:subject3'] } } });
    expect(points.plan.index?.name).toBe('searchTerms_1');
    expect(points.plan.prefix).toEqual([['s:subject3', 'w1']]);
    expect([...points.ids].sort((a, b) => a - b)).toEqual(expected({ searchTerms: { $in: ['w1', 's:subject3'] } }));
    const other = { searchTerms: { $elemMatch: { $gte: 'w12', $lt: 'w13', $ne: 'w125' } } };
    const r = run(other);
    expect(r.plan.index).toBeUndefined();
    expect([...r.ids].sort((a, b) => a - b)).toEqual(expected(other));
  });

  it('races the element range against a broad equality and keeps the narrow walk', () => {
    const filter = { status: 'open', searchTerms: { $elemMatch: { $gte: 's:subject7', $lt: 's:subject7\u{10FFFF}' } } };
    const r = run(filter);
    expect(r.plan.index?.name).toBe('searchTerms_1');
    expect([...r.ids].sort((a, b) => a - b)).toEqual(expected(filter));
    expect(r.docsExamined).toBeLessThanOrEqual(TICKETS / 20 + 1);
  });
});
