import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbEngine } from '../../../src/devdb/lmdb-engine.js';
import { Store } from '../../../src/devdb/storage.js';
import { rawDocumentTest, splitStringArrayConditions } from '../../../src/devdb/string-array-conditions.js';

/*
 * The durable engine remembers which of a stored document's arrays hold only strings once a test
 * on its bytes has walked them, and forgets it when the document is written: a stale memo would
 * let a needle found inside another type's bytes count as a term.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tl-raw-memo-'));
const engine = new LmdbEngine({ dir });
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const terms = Array.from({ length: 300 }, (_, i) => `term${i}`);

describe('the memo of arrays of strings on stored bytes', () => {
  it('is kept after a walk that found only strings, and forgotten when the document is written', () => {
    const write = <T>(fn: () => T): T => engine.write(fn, () => {});
    const coll = write(() => new Store(engine).db('memo').getOrCreate('tickets'));
    const rec = write(() => coll.insert({ _id: 1, searchTerms: terms }));
    const test = rawDocumentTest(splitStringArrayConditions({ searchTerms: { $nin: ['term7'] } }).conditions)!;
    const key = `${coll.meta().cid}/${rec.rid}`;
    engine.cache.clear();
    // term7 is there: the $nin fails, which needs the walk that checks every element is a string.
    expect(coll.getIf(rec.rid, test)).toBe(false);
    expect([...(engine.cache.verified.get(key) ?? [])]).toEqual(['searchTerms']);
    write(() => coll.replace(coll.get(rec.rid)!, { _id: 1, searchTerms: [...terms.filter((t) => t !== 'term7'), 5] }));
    expect(engine.cache.verified.has(key)).toBe(false);
    engine.cache.clear();
    // Mixed now, and without term7: the document matches, and nothing is remembered of it.
    expect(coll.getIf(rec.rid, test)).not.toBe(false);
    expect(engine.cache.verified.get(key)?.has('searchTerms') ?? false).toBe(false);
  });
});
