import { ObjectId } from 'bson';
import { Query } from 'mingo/query';
import { describe, expect, it } from 'vitest';
import { compileFilter, mingoOptions } from '../../../src/devdb/matcher.js';
import { splitObjectIdIn } from '../../../src/devdb/object-id-in.js';
import { toPlain } from '../../../src/devdb/values.js';

const ids = Array.from({ length: 6 }, (_, i) => new ObjectId(`65a0000000000000000000${String(i).padStart(2, '0')}`));

describe('$in lists of ObjectIds', () => {
  it('takes top-level lists of ids only, and leaves the rest to mingo', () => {
    const split = splitObjectIdIn({ ticketId: { $in: [ids[0]] }, other: { $in: [ids[1], 'x'] }, 'a.b': { $in: [ids[2]] }, n: { $in: [] }, $or: [{ x: 1 }] });
    expect(split.conditions.map((c) => c.field)).toEqual(['ticketId']);
    expect(Object.keys(split.rest)).toEqual(['other', 'a.b', 'n', '$or']);
  });

  it('matches exactly as mingo does, whatever the field holds', () => {
    const filter = { ticketId: { $in: [ids[0], ids[2], ids[4]] }, k: { $ne: 3 } };
    const values: unknown[] = [ids[0], ids[1], ids[4], undefined, null, [ids[1], ids[2]], [ids[3]], ids[0]!.toHexString(), 7, { a: 1 }, new ObjectId(ids[2]!.toHexString())];
    let matched = 0;
    for (const [i, v] of values.entries()) {
      for (const k of [1, 3]) {
        const doc: Record<string, unknown> = { _id: i, k };
        if (v !== undefined) doc.ticketId = v;
        const want = new Query(toPlain(filter) as Record<string, unknown>, mingoOptions()).test(toPlain(doc) as Record<string, unknown>);
        expect(compileFilter(filter)(toPlain(doc)), JSON.stringify(doc)).toBe(want);
        if (want) matched++;
      }
    }
    // ids[0], ids[4], the array holding ids[2], and the copy of ids[2]: each with k 1 only.
    expect(matched).toBe(4);
  });
});
