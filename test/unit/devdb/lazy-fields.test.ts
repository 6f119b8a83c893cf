import { BSON, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { decodeStoredDocument, LAZY_MIN_BYTES } from '../../../src/devdb/lazy-fields.js';
import { isPendingField } from '../../../src/devdb/pending-fields.js';
import { canonicalize, toPlain } from '../../../src/devdb/values.js';

const terms = Array.from({ length: 400 }, (_, i) => `term${i}`);
const stored = (doc: Record<string, unknown>) => Buffer.from(BSON.serialize(doc));
const decodedAsBefore = (bytes: Buffer) => canonicalize(BSON.deserialize(bytes, { promoteValues: false }));

describe('decodeStoredDocument', () => {
  it('leaves a large array of strings undecoded until it is read, and then it is the same array', () => {
    const doc = { _id: new ObjectId(), number: 7, searchTerms: terms, tags: ['a', 'b'], subject: 'Hello' };
    const bytes = stored(doc);
    expect(bytes.length).toBeGreaterThan(LAZY_MIN_BYTES);
    const lazy = decodeStoredDocument(bytes);
    expect(Object.keys(lazy)).toEqual(['_id', 'number', 'searchTerms', 'tags', 'subject']);
    expect(isPendingField(lazy, 'searchTerms')).toBe(true);
    expect(isPendingField(lazy, 'tags')).toBe(false);
    expect(lazy.subject).toBe('Hello');
    // A plain view (what filters read) does not decode it either.
    const plain = toPlain(lazy) as Record<string, unknown>;
    expect(isPendingField(lazy, 'searchTerms')).toBe(true);
    expect(plain.searchTerms).toEqual(terms);
    expect(isPendingField(lazy, 'searchTerms')).toBe(false);
    expect(lazy).toEqual(decodedAsBefore(bytes));
  });

  it('decodes everything at once when no array qualifies: small, mixed or nested ones', () => {
    for (const doc of [
      { _id: 1, small: ['a', 'b'] },
      { _id: 2, mixed: [...terms, 5] },
      { _id: 3, nested: { deep: terms } },
      { _id: 4, docs: terms.map((t) => ({ t })) },
    ]) {
      const bytes = stored(doc);
      const decoded = decodeStoredDocument(bytes);
      expect(Object.keys(decoded).some((k) => isPendingField(decoded, k))).toBe(false);
      expect(decoded).toEqual(decodedAsBefore(bytes));
    }
  });

  it('keeps other types around a deferred array exact (numbers, dates, binary, regex, null)', () => {
    const doc = { _id: new ObjectId(), n: 1.5, i: 3, big: BSON.Long.fromNumber(2 ** 40), at: new Date('2026-12-06T00:00:00Z'), re: /x+/i, none: null, bin: new BSON.Binary(Buffer.from('hi')), terms, after: { k: 'v' } };
    const bytes = stored(doc);
    const lazy = decodeStoredDocument(bytes);
    expect(isPendingField(lazy, 'terms')).toBe(true);
    expect(lazy).toEqual(decodedAsBefore(bytes));
    // A write replaces the pending field without decoding it.
    lazy.terms = ['x'];
    expect(lazy.terms).toEqual(['x']);
  });
});
