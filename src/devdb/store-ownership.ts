import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processIsAlive } from './process-alive.js';

/** The process that holds the store in `dir` (the pid in its `owner.pid`, when that process is alive), else undefined. */
export function storeOwner(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'owner.pid'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const owner = Number(text.trim());
  return Number.isInteger(owner) && owner > 0 && processIsAlive(owner) ? owner : undefined;
}

/**
 * Takes the store in `dir` for this process (its `owner.pid`) and returns the lock file's path. One
 * process per store: the catalog and record cache live in that process, so a second one would work
 * from stale copies. A lock left by a killed process (its pid is gone) is taken over.
 */
export function takeOwnership(dir: string): string {
  const lock = path.join(dir, 'owner.pid');
  const mine = path.join(dir, `owner.${process.pid}.tmp`);
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(mine, lock);
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = storeOwner(dir);
      if (owner !== undefined) {
        throw new Error(`the store in ${dir} is in use by process ${owner}; run one Threadline process on the built-in database (or set MONGODB_URI). If no such process runs, delete ${lock}`);
      }
      unlinkSync(lock);
    }
    throw new Error(`could not take the lock ${lock}`);
  } finally {
    unlinkSync(mine);
  }
}
