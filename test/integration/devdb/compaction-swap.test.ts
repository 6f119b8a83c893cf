import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { removeCompactionLeftovers, writeCompactCopy } from '../../../src/devdb/compaction.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeWithFreePages(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-compaction-swap-'));
  dirs.push(dir);
  const env = open({ path: dir, maxDbs: 4 });
  const docs = env.openDB<string, number>({ name: 'docs' });
  for (let i = 0; i < 2000; i++) docs.putSync(i, `${i}:${'x'.repeat(2000)}`);
  for (let i = 0; i < 2000; i += 2) docs.removeSync(i);
  return dir;
}

describe('the swap of a compacted copy', () => {
  it('keeps the replaced file linked in the work directory, and a crash before it is removed leaves the new file and a work directory the next start removes', async () => {
    const dir = storeWithFreePages();
    let env = open({ path: dir, maxDbs: 4 });
    const before = statSync(path.join(dir, 'data.mdb')).size;
    const copy = await writeCompactCopy(env, dir);
    await env.close();
    copy.swap();
    // The crash: discard() never runs. The old file is still on disk, under the work directory only.
    const work = readdirSync(dir).filter((n) => n.startsWith('compact-'));
    expect(work).toHaveLength(1);
    expect(readdirSync(path.join(dir, work[0]!))).toEqual(['retired.mdb']);
    expect(statSync(path.join(dir, work[0]!, 'retired.mdb')).size).toBe(before);
    expect(statSync(path.join(dir, 'data.mdb')).size).toBeLessThan(before);

    removeCompactionLeftovers(dir);
    expect(readdirSync(dir).filter((n) => n.startsWith('compact-'))).toEqual([]);
    env = open({ path: dir, maxDbs: 4 });
    const docs = env.openDB<string, number>({ name: 'docs' });
    expect(docs.get(1)).toBe(`1:${'x'.repeat(2000)}`);
    expect(docs.get(1999)).toBe(`1999:${'x'.repeat(2000)}`);
    expect(docs.get(2)).toBeUndefined();
    expect(docs.getCount()).toBe(1000);
    await env.close();
  });

  it('removes the work directory, the replaced file with it, once discarded', async () => {
    const dir = storeWithFreePages();
    const env = open({ path: dir, maxDbs: 4 });
    const copy = await writeCompactCopy(env, dir);
    await env.close();
    copy.swap();
    await copy.discard();
    expect(readdirSync(dir).filter((n) => n.startsWith('compact-'))).toEqual([]);
  });
});
