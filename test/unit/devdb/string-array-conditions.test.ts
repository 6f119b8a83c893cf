import { BSON } from 'bson';
import { Query } from 'mingo/query';
import { describe, expect, it } from 'vitest';
import { decodeStoredDocument } from '../../../src/devdb/lazy-fields.js';
import { compileFilter, mingoOptions } from '../../../src/devdb/matcher.js';
import { isPendingField } from '../../../src/devdb/pending-fields.js';
import { rawDocumentTest, splitStringArrayConditions } from '../../../src/devdb/string-array-conditions.js';
import { toPlain } from '../../../src/devdb/values.js';

/** Deterministic pseudo-random numbers, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = ['invoic', 'factur', 's:invoic', 'erreur', '502', 'é', '注文', 'a', 'ab', 'abc', 'serveur', 'z', ''];

const FILTERS: Array<Record<string, unknown>> = [
  { terms: 'invoic' },
  { terms: { $eq: '502' } },
  { terms: { $in: ['factur', 'erreur'] } },
  { terms: { $nin: ['502', 'z'] } },
  { terms: { $elemMatch: { $gte: 'ab', $lt: 'ab\u{10ffff}' } } },
  { terms: { $elemMatch: { $gt: 's:', $lte: 's:z' } } },
  { terms: { $elemMatch: { $gte: 'w4999' } } },
  { terms: { $elemMatch: { $lt: 'ab' } } },
  { terms: { $elemMatch: { $gt: '', $lt: '\u00e9' } } },
  { terms: '注文', n: { $gt: 2 } },
  { $and: [{ terms: 'a' }, { terms: { $in: ['abc', ''] } }, { n: { $lt: 8 } }] },
  { $nor: [{ $and: [{ terms: 's:invoic' }, { terms: { $elemMatch: { $gte: 'ser', $lt: 'ser\u{10ffff}' } } }] }], n: { $gte: 0 } },
  { $or: [{ terms: 'z' }, { n: 3 }] },
];

describe('conditions on arrays of strings', () => {
  it('takes only the shapes it knows, and leaves the rest to mingo', () => {
    const split = splitStringArrayConditions({ terms: 'x', n: 3, $and: [{ terms: { $in: ['a'] } }, { other: { $gt: 1 } }], $or: [{ a: 1 }], 'a.b': 'x', tags: { $all: ['x'] } });
    expect(split.conditions.map((c) => c.field)).toEqual(['terms', 'terms']);
    expect(split.rest).toEqual({ n: 3, $and: [{ other: { $gt: 1 } }], $or: [{ a: 1 }], 'a.b': 'x', tags: { $all: ['x'] } });
  });

  it('matches exactly as mingo does, on decoded arrays and on pending BSON bytes alike', () => {
    const r = rng(7);
    let checked = 0;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      // Up to 1,500 elements: keys of one to four digits.
      const length = i % 10 === 0 ? 0 : 1 + Math.floor(r() * (i % 3 === 0 ? (i % 2 === 0 ? 1500 : 400) : 8));
      const terms = Array.from({ length }, () => (r() < 0.3 ? WORDS[Math.floor(r() * WORDS.length)]! : `w${Math.floor(r() * 5000)}`));
      const shapes: Array<Record<string, unknown>> = [{ n: i % 10, terms }, { n: i % 10 }, { n: i % 10, terms: 'invoic' }, { n: i % 10, terms: [...terms, 5] }];
      for (const doc of shapes) {
        const bytes = Buffer.from(BSON.serialize(doc));
        const stored = decodeStoredDocument(bytes);
        for (const filter of FILTERS) {
          const want = new Query(toPlain(filter) as Record<string, unknown>, mingoOptions()).test(toPlain(structuredClone(doc)) as Record<string, unknown>);
          expect(compileFilter(filter)(toPlain(doc)), JSON.stringify(filter)).toBe(want);
          expect(compileFilter(filter)(toPlain(stored)), JSON.stringify(filter)).toBe(want);
          // The test on stored bytes only ever turns away a document the filter does not match.
          const raw = rawDocumentTest(splitStringArrayConditions(filter).conditions)?.(bytes) ?? true;
          if (!raw) expect(want, JSON.stringify(filter)).toBe(false);
          if (!raw) rejected++;
          checked++;
        }
      }
    }
    expect(checked).toBe(300 * 4 * FILTERS.length);
    expect(rejected).toBeGreaterThan(100);
  });

  it('tests a pending field without decoding it', () => {
    const terms = Array.from({ length: 500 }, (_, i) => `term${i}`);
    const stored = decodeStoredDocument(Buffer.from(BSON.serialize({ n: 1, terms })));
    const plain = toPlain(stored) as Record<string, unknown>;
    expect(compileFilter({ terms: 'term250', n: 1 })(plain)).toBe(true);
    expect(compileFilter({ terms: { $elemMatch: { $gte: 'term49', $lt: 'term49\u{10ffff}' } } })(plain)).toBe(true);
    expect(compileFilter({ terms: { $nin: ['term7'] } })(plain)).toBe(false);
    expect(isPendingField(stored, 'terms')).toBe(true);
  });
});
