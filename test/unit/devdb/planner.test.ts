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

/*
 * A search sends one `$and` member per word, all on the multikey term array. Each member alone
 * narrows a walk, so each gets its own plan in the race: the rare word's walk ends first and wins,
 * whatever the order of the words or which of them a merge would have kept.
 */
describe('one plan per condition on a field', () => {
  const LIST = 2000;
  const SORT = { lastActivityAt: -1, _id: -1 };
  let list: Collection;

  function searchTermsOf(i: number): string[] {
    const terms = [`w${i % 50}`, `w${(i * 7) % 50}`, 'common', i % 2 === 0 ? 'half' : 'odd'];
    if (i % 400 === 3) terms.push('rare');
    if (i % 20 === 2 || i % 100 === 1) terms.push('mid');
    if (i % 250 === 5) terms.push('panne', 'pannes');
    if (i < 300) terms.push('batch');
    if (i >= 1400) terms.push('tail');
    return terms;
  }

  /** What a collection scan finds, in list order (newest activity first), cut at `limit`. */
  function listExpected(filter: Doc, limit = Infinity): number[] {
    const match = compileFilter(filter);
    const docs = [...list.scan()].filter((r) => match(plainOf(r))).map((r) => r.doc);
    docs.sort((a, b) => (b.lastActivityAt as Date).getTime() - (a.lastActivityAt as Date).getTime() || (b._id as number) - (a._id as number));
    return docs.slice(0, limit).map((d) => d._id as number);
  }

  function search(filter: Doc, limit = 26) {
    const result = executeQuery(list, { filter, sort: Object.entries(SORT).map(([k, d]) => [[k], d] as [string[], 1 | -1]), limit });
    return { ...result, ids: result.recs.map((r) => r.doc._id as number) };
  }

  beforeAll(() => {
    list = new Store().db('plans').getOrCreate('list');
    list.addIndex(new Index({ key: { searchTerms: 1 }, name: 'searchTerms_1' }));
    list.addIndex(new Index({ key: { access: 1, lastActivityAt: -1, _id: -1 }, name: 'access_1_lastActivityAt_-1__id_-1' }));
    list.addIndex(new Index({ key: { access: 1, status: 1, lastActivityAt: -1, _id: -1 }, name: 'access_1_status_1_lastActivityAt_-1__id_-1' }));
    list.addIndex(new Index({ key: { lastActivityAt: -1, _id: -1 }, name: 'lastActivityAt_-1__id_-1' }));
    list.addIndex(new Index({ key: { status: 1, lastActivityAt: -1, _id: -1 }, name: 'status_1_lastActivityAt_-1__id_-1' }));
    for (let i = 0; i < LIST; i++) {
      // Activity order differs from insertion order, so no walk finds the newest first by accident.
      const at = new Date(Date.UTC(2020, 0, 1) + ((i * 7919) % LIST) * 60_000);
      list.insert({ _id: i, access: [`k${i % 4}`, 'all'], status: i % 9 === 0 ? 'spam' : 'open', snoozed: i % 50 === 0, mergedIntoId: null, lastActivityAt: at, searchTerms: searchTermsOf(i) });
    }
  });

  const scope = { access: { $in: ['all', 'k1'] }, mergedIntoId: null, status: { $nin: ['spam'] }, snoozed: { $ne: true } };

  it('lets a word with no index entries end the query before any document is read', () => {
    const filter = { ...scope, $and: [{ searchTerms: { $in: ['half', 'odd'] } }, { searchTerms: 'common' }, { searchTerms: 'absent' }] };
    const r = search(filter);
    expect(r.ids).toEqual([]);
    expect(r.plan.index?.name).toBe('searchTerms_1');
    expect(r.plan.prefix).toEqual([['absent']]);
    expect(r.docsExamined).toBe(0);
    expect(r.keysExamined).toBe(0);
  });

  it('walks the rare word even when a common one comes first and would win the merge', () => {
    const filter = { ...scope, $and: [{ searchTerms: 'common' }, { searchTerms: 'odd' }, { searchTerms: 'rare' }] };
    const r = search(filter);
    expect(r.ids).toEqual(listExpected(filter, 26));
    expect(r.ids.length).toBeGreaterThan(0);
    expect(r.plan.prefix).toEqual([['rare']]);
    expect(r.docsExamined).toBe(LIST / 400);
  });

  it('walks a rare prefix ($elemMatch range) rather than common words', () => {
    const filter = { ...scope, $and: [{ searchTerms: { $in: ['common', 'half'] } }, { searchTerms: 'odd' }, { searchTerms: { $elemMatch: { $gte: 'pann', $lt: 'pann\u{10FFFF}' } } }] };
    const r = search(filter);
    expect(r.ids).toEqual(listExpected(filter, 26));
    expect(r.ids.length).toBeGreaterThan(0);
    expect(r.plan.range).toMatchObject({ lo: 'pann', hi: 'pann\u{10FFFF}' });
    expect(describePlan(r.plan)).toBe('IXSCAN searchTerms_1 +SORT');
    expect(r.docsExamined).toBe(LIST / 250);
  });

  it('prefers an unordered walk that read all its candidates in the trial to an ordered one short of the limit', () => {
    // 'mid': 100 tickets of k2 and 20 of k1; the k1 list in order holds 20 matches, fewer than the 26 wanted.
    const filter = { access: 'k1', searchTerms: 'mid' };
    const r = search(filter);
    expect(r.ids).toEqual(listExpected(filter, 26));
    expect(r.ids).toHaveLength(20);
    expect(describePlan(r.plan)).toBe('IXSCAN searchTerms_1 +SORT');
    expect(r.docsExamined).toBe(120);
  });

  it('races on while no plan has found a match, so a walk about to end wins over the sorted list', () => {
    // No ticket has both words: after the usual trial every walk has found nothing; 'batch' ends at 300.
    const filter = { access: 'all', $and: [{ searchTerms: 'tail' }, { searchTerms: 'batch' }] };
    const r = search(filter);
    expect(r.ids).toEqual([]);
    expect(r.plan.prefix).toEqual([['batch']]);
    expect(r.docsExamined).toBe(300);
  });

  it("reads a word's few tickets rather than walking the list in order", () => {
    const filter = { ...scope, searchTerms: 'mid' };
    const r = search(filter);
    expect(r.ids).toEqual(listExpected(filter, 26));
    expect(describePlan(r.plan)).toBe('IXSCAN searchTerms_1 +SORT');
    expect(r.docsExamined).toBe(120);
  });

  it('returns what a full scan returns, for random searches', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const words = ['common', 'half', 'odd', 'rare', 'mid', 'panne', 'absent', 'batch', 'tail', ...Array.from({ length: 50 }, (_, i) => `w${i}`)];
    const condition = (): Doc => {
      const kind = rnd(3);
      const w = words[rnd(words.length)] as string;
      if (kind === 0) return { searchTerms: w };
      if (kind === 1) return { searchTerms: { $in: [w, words[rnd(words.length)] as string] } };
      const p = w.slice(0, 1 + rnd(w.length));
      return { searchTerms: { $elemMatch: { $gte: p, $lt: `${p}\u{10FFFF}` } } };
    };
    for (let q = 0; q < 150; q++) {
      const filter: Doc = { $and: Array.from({ length: 1 + rnd(4) }, condition) };
      if (rnd(2) === 0) Object.assign(filter, { access: { $in: [`k${rnd(4)}`, `k${rnd(4)}`] } });
      if (rnd(2) === 0) Object.assign(filter, { status: { $nin: ['spam'] }, snoozed: { $ne: true } });
      const limit = [1, 26, 500][rnd(3)] as number;
      expect(search(filter, limit).ids, JSON.stringify(filter)).toEqual(listExpected(filter, limit));
    }
  });
});

describe('a walk in sort order against the count of a blocking one', () => {
  const SIZE = 20_000;
  let big: Collection;

  function search(filter: Doc) {
    const result = executeQuery(big, { filter, sort: [[['at'], -1], [['_id'], -1]], limit: 26 });
    return { ...result, ids: result.recs.map((r) => r.doc._id as number) };
  }

  function expectedOf(filter: Doc): number[] {
    const match = compileFilter(filter);
    const docs = [...big.scan()].filter((r) => match(plainOf(r))).map((r) => r.doc);
    docs.sort((a, b) => (b.at as number) - (a.at as number) || (b._id as number) - (a._id as number));
    return docs.slice(0, 26).map((d) => d._id as number);
  }

  beforeAll(() => {
    big = new Store().db('plans').getOrCreate('big');
    big.addIndex(new Index({ key: { searchTerms: 1 }, name: 'searchTerms_1' }));
    big.addIndex(new Index({ key: { access: 1, at: -1, _id: -1 }, name: 'access_1_at_-1__id_-1' }));
    for (let i = 0; i < SIZE; i++) {
      const terms = ['all'];
      if (i % 20 === 7) terms.push('twentieth');
      if (i % 1000 === 7) terms.push('thousandth');
      big.insert({ _id: i, access: ['k'], at: (i * 7919) % SIZE, searchTerms: terms });
    }
  });

  it('walks the list in order past a word in 1 of 20 rather than reading the 1,000 that have it', () => {
    // 26 matches lie within the newest ~520 of the list: more than a trial reads, half the word's entries.
    const r = search({ access: 'k', searchTerms: 'twentieth' });
    expect(r.ids).toEqual(expectedOf({ access: 'k', searchTerms: 'twentieth' }));
    expect(describePlan(r.plan)).toBe('IXSCAN access_1_at_-1__id_-1');
    expect(r.docsExamined).toBeLessThan(700);
  });

  it('reads the 20 tickets of a word in 1 of 1,000, and sorts them', () => {
    const r = search({ access: 'k', searchTerms: 'thousandth' });
    expect(r.ids).toEqual(expectedOf({ access: 'k', searchTerms: 'thousandth' }));
    expect(describePlan(r.plan)).toBe('IXSCAN searchTerms_1 +SORT');
    expect(r.docsExamined).toBe(20);
  });
});
