import { describe, expect, it } from 'vitest';
import { compareValues } from '../../../src/devdb/compare.js';
import { applyArrayOp } from '../../../src/devdb/update-arrays.js';
import { applyUpdate, compileUpdate } from '../../../src/devdb/update.js';
import { cloneDeep, type Doc } from '../../../src/devdb/values.js';

/*
 * Updates copy only what they change: the stored document is never modified, and the parts an
 * update does not touch are the same objects in the new document (which lets Collection.replace
 * skip indexes whose paths kept their values).
 */

function apply(doc: Doc, u: Doc, filter: Doc = {}, arrayFilters?: Doc[]): Doc {
  return applyUpdate(doc, compileUpdate(u), { filter, arrayFilters, isUpsertInsert: false });
}

function ticket(): Doc {
  return {
    _id: 1,
    status: 'open',
    searchTerms: ['invoice', 'printer', 's:fire'],
    meta: { tags: ['a', 'b'], deep: { n: 1, list: [{ k: 1 }, { k: 2 }] } },
    messages: [{ from: 'x', n: 1 }, { from: 'y', n: 2 }],
  };
}

describe('copy-on-write updates', () => {
  const cases: Array<[string, Doc, Doc?, Doc[]?]> = [
    ['$set top', { $set: { status: 'pending' } }],
    ['$set nested', { $set: { 'meta.deep.n': 2, 'meta.new.x': 1 } }],
    ['$unset nested', { $unset: { 'meta.deep.n': '' } }],
    ['$inc in array element', { $inc: { 'messages.1.n': 5 } }],
    ['$push', { $push: { 'meta.tags': 'c' } }],
    ['$addToSet $each', { $addToSet: { searchTerms: { $each: ['new', 'invoice'] } } }],
    ['$pull', { $pull: { searchTerms: 'printer' } }],
    ['$rename', { $rename: { 'meta.deep': 'meta.moved' } }],
    ['$[]', { $set: { 'messages.$[].seen': true } }],
    ['$[id]', { $set: { 'meta.deep.list.$[e].k': 9 } }, {}, [{ 'e.k': 2 }]],
    ['positional $', { $set: { 'messages.$.n': 7 } }, { 'messages.from': 'y' }],
  ];

  it.each(cases)('%s leaves the stored document as it was', (_name, u, filter, arrayFilters) => {
    const doc = ticket();
    const before = cloneDeep(doc);
    const out = apply(doc, u, filter, arrayFilters);
    expect(doc).toEqual(before);
    expect(out).not.toEqual(before);
  });

  it('shares what an update does not touch', () => {
    const doc = ticket();
    const statusOnly = apply(doc, { $set: { status: 'pending' } });
    expect(statusOnly.searchTerms).toBe(doc.searchTerms);
    expect(statusOnly.meta).toBe(doc.meta);
    expect(statusOnly.messages).toBe(doc.messages);
    const nested = apply(doc, { $set: { 'meta.deep.n': 5 } });
    expect(nested.meta).not.toBe(doc.meta);
    expect((nested.meta as Doc).tags).toBe((doc.meta as Doc).tags);
    expect(((nested.meta as Doc).deep as Doc).list).toBe(((doc.meta as Doc).deep as Doc).list);
    expect(nested.searchTerms).toBe(doc.searchTerms);
    const element = apply(doc, { $inc: { 'messages.0.n': 1 } });
    expect((element.messages as Doc[])[1]).toBe((doc.messages as Doc[])[1]);
    expect((element.messages as Doc[])[0]).toEqual({ from: 'x', n: 2 });
  });
});

describe('$addToSet $each on strings', () => {
  /** The general path: one comparison per pair. */
  function reference(arr: unknown[], each: unknown[]): unknown[] {
    const out = [...arr];
    for (const v of each) if (!out.some((x) => compareValues(x, v) === 0)) out.push(v);
    return out;
  }

  it('gives the same result and order as comparing every pair', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let n = 0; n < 200; n++) {
      const arr = Array.from({ length: next() % 30 }, () => `t${next() % 40}`);
      const each = Array.from({ length: next() % 30 }, () => `t${next() % 40}`);
      expect(applyArrayOp('$addToSet', arr, { $each: each }, 'a', {})).toEqual(reference(arr, each));
    }
    const mixed: unknown[] = ['1', 1, 'a'];
    expect(applyArrayOp('$addToSet', mixed, { $each: ['a', 1.0, 2, '2', 2] }, 'a', {})).toEqual(reference(mixed, ['a', 1.0, 2, '2', 2]));
    expect(applyArrayOp('$addToSet', undefined, { $each: ['x', 'x', 'y'] }, 'a', {})).toEqual(['x', 'y']);
    expect(applyArrayOp('$addToSet', ['é', 'e\u0301'], { $each: ['e\u0301', 'é', 'E'] }, 'a', {})).toEqual(['é', 'e\u0301', 'E']);
  });

  it('adds 3000 terms to 3000 in a few milliseconds', () => {
    const arr = Array.from({ length: 3000 }, (_, i) => `old${i}`);
    const each = Array.from({ length: 3000 }, (_, i) => `new${i}`);
    const t = performance.now();
    const out = applyArrayOp('$addToSet', arr, { $each: each }, 'a', {}) as string[];
    expect(out).toHaveLength(6000);
    expect(performance.now() - t).toBeLessThan(200);
  });
});
