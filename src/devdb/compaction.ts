import { closeSync, fsyncSync, linkSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RootDatabase } from 'lmdb';

/*
 * Compaction of the durable store (see lmdb-engine.ts). LMDB never gives freed pages back to the file
 * system, and a freed page keeps the bytes of what was deleted until it is reused; so after an
 * erasure the file is rewritten. LMDB's compacting copy writes only the live pages into a work
 * directory beside the store; the copy is flushed, and then renamed over `data.mdb` in one step.
 * A process killed at any point leaves either the old file or the complete new one, and at worst a
 * work directory, removed at the next start.
 */

const DATA_FILE = 'data.mdb';
const LOCK_FILE = 'lock.mdb';
const WORK_PREFIX = 'compact-';
/** The replaced data file, kept linked in the work directory until it is removed off the event loop. */
const RETIRED_FILE = 'retired.mdb';

/** Flushes a file or directory entry to disk, so a renamed or copied file survives a power cut. */
export function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link fsyncPath} off the event loop (libuv's thread pool): flushing a compacted copy of hundreds of
 * MB takes a noticeable while, during which the server still answers `hello` and `ping`.
 */
async function fsyncPathInBackground(p: string): Promise<void> {
  const file = await open(p, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Removes work directories left by a compaction that was cut short (call while owning the store). */
export function removeCompactionLeftovers(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(WORK_PREFIX)) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Size of the store's data file. */
export function dataFileBytes(dir: string): number {
  return statSync(path.join(dir, DATA_FILE)).size;
}

/**
 * Bytes of the data file that compaction would give back: pages up to the last one used, less the
 * pages of every tree (the unnamed root, each named database, the free list) and the two meta pages.
 */
export function reclaimableBytes(env: RootDatabase, dbs: ReadonlyArray<{ getStats(): unknown }>): number {
  type TreeStats = { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  const root = env.getStats() as TreeStats & { pageSize: number; lastPageNumber: number; free?: TreeStats };
  const pagesOf = (s: TreeStats | undefined) => (s ? s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages : 0);
  let used = 2 + pagesOf(root) + pagesOf(root.free);
  for (const db of dbs) used += pagesOf(db.getStats() as TreeStats);
  return Math.max(0, (root.lastPageNumber + 1 - used) * root.pageSize);
}

/** A compacted copy of the store, flushed to disk, waiting to replace it. */
export interface CompactCopy {
  /** Puts the copy in place of `data.mdb` (the environment must be closed). */
  swap(): void;
  /** Removes the work directory, and with it the replaced data file after a swap, off the event loop. */
  discard(): Promise<void>;
}

/** Writes a compacted copy of the open environment `env` of the store in `dir`. */
export async function writeCompactCopy(env: RootDatabase, dir: string): Promise<CompactCopy> {
  const work = mkdtempSync(path.join(dir, WORK_PREFIX));
  const discard = () => rm(work, { recursive: true, force: true });
  try {
    await env.backup(work, true);
    await fsyncPathInBackground(path.join(work, DATA_FILE));
  } catch (err) {
    await discard();
    throw err;
  }
  return {
    swap() {
      const live = path.join(dir, DATA_FILE);
      // Freeing the old file's blocks takes the file system about 0.2 s a GB, inside whatever call drops
      // its last name: still linked here, it is not the rename that does, but discard(), off the event
      // loop. A crash between the two leaves it in the work directory, removed at the next start.
      try {
        linkSync(live, path.join(work, RETIRED_FILE));
      } catch {
        // A file system without hard links: the rename frees it, and waits.
      }
      renameSync(path.join(work, DATA_FILE), live);
      fsyncPath(dir);
      // The lock file describes the old file's transactions; the next open starts a fresh one.
      rmSync(path.join(dir, LOCK_FILE), { force: true });
    },
    discard,
  };
}
