import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { BSON } from 'bson';
import { open, type Database as LmdbDatabase } from 'lmdb';
import { fsyncPath } from './compaction.js';
import { storeOwner } from './store-ownership.js';

/*
 * Backups of the durable store (see lmdb-engine.ts for its layout). LMDB lets another process read
 * an environment while its owner writes, so a backup is a read-only open plus LMDB's own compacting
 * copy, which sees one committed transaction. An environment cannot be opened twice in one process:
 * call these from a process that does not serve the store (a CLI).
 */

/** Why a backup or restore was refused. */
export type StoreBackupReason = 'missing' | 'exists' | 'in-use' | 'invalid';

/** A backup or restore that was refused; nothing was changed. */
export class StoreBackupError extends Error {
  constructor(
    readonly reason: StoreBackupReason,
    message: string,
  ) {
    super(message);
    this.name = 'StoreBackupError';
  }
}

/** What a store snapshot holds, read from its catalog. */
export interface StoreSummary {
  collections: number;
  documents: number;
  indexes: number;
  /** Size of the snapshot file. */
  bytes: number;
}

/** The outcome of {@link restoreStore}. */
export interface RestoreResult extends StoreSummary {
  /** Where the store that was there before went, if there was one. */
  movedAside: string | undefined;
}

const DATA_FILE = 'data.mdb';
const LOCK_FILE = 'lock.mdb';
const BINARY = { keyEncoding: 'binary', encoding: 'binary' } as const;
// noSubdir is explicit: lmdb guesses it from the path, and a name with a dot would read as a file.
const READ_ONLY = { maxDbs: 4, readOnly: true, noSubdir: false } as const;
// Offsets in an LMDB meta page (the first two pages of the file), as this lmdb build writes them.
const LMDB_MAGIC = 0xbeefc0de;
const META_MAGIC = 0x18;
const META_PAGE_SIZE = 0x30;
const META_LAST_PAGE = 0x90;
const META_BYTES = 0xa0;

/*
 * Opening something that is not an LMDB file can crash the process inside the native module, so the
 * two meta pages are checked first: the magic number, and a last page that lies within the file.
 */
function checkHeader(file: string, shownAs = file): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const read = (at: number, length: number) => {
    const buf = Buffer.alloc(length);
    return readSync(fd, buf, 0, length, at) === length ? buf : undefined;
  };
  try {
    const first = read(0, META_BYTES);
    const pageSize = first?.readUInt32LE(META_PAGE_SIZE) ?? 0;
    const metas = pageSize >= 512 && (pageSize & (pageSize - 1)) === 0 ? [first, read(pageSize, META_BYTES)] : [];
    const ok = metas.length === 2 && metas.every((m) => m && m.readUInt32LE(META_MAGIC) === LMDB_MAGIC && (Number(m.readBigUInt64LE(META_LAST_PAGE)) + 1) * pageSize <= size);
    if (!ok) throw new StoreBackupError('invalid', `${shownAs} is not a backup of the built-in database (not an LMDB file, or cut short)`);
  } finally {
    closeSync(fd);
  }
}

/** Reads a snapshot's catalog, and checks it against the documents stored (their counts commit together). */
async function inspect(dir: string, file = path.join(dir, DATA_FILE)): Promise<Omit<StoreSummary, 'bytes'>> {
  checkHeader(path.join(dir, DATA_FILE), file);
  let env;
  try {
    env = open({ path: dir, ...READ_ONLY });
  } catch (err) {
    throw new StoreBackupError('invalid', `${file} does not open as an LMDB database: ${(err as Error).message}`);
  }
  try {
    // in read-only mode a missing database comes back undefined rather than throwing
    const db = (name: string) => env.openDB<Buffer, Buffer>({ name, ...BINARY }) as LmdbDatabase<Buffer, Buffer> | undefined;
    const [docs, index, catalog] = [db('docs'), db('index'), db('catalog')];
    if (!docs || !index || !catalog) throw new StoreBackupError('invalid', `${file} is an LMDB database but not Threadline's built-in database (it has no catalog)`);
    const summary = { collections: 0, documents: 0, indexes: 0 };
    for (const { value } of catalog.getRange({ start: Buffer.from('c'), end: Buffer.from('d') })) {
      const meta = BSON.deserialize(value) as { count?: unknown; indexes?: unknown };
      if (typeof meta.count !== 'number' || !Array.isArray(meta.indexes)) throw new StoreBackupError('invalid', `${file} has a catalog entry that cannot be read`);
      summary.collections++;
      summary.documents += meta.count;
      summary.indexes += meta.indexes.length;
    }
    const stored = (docs.getStats() as { entryCount: number }).entryCount;
    if (stored !== summary.documents) {
      throw new StoreBackupError('invalid', `${file} holds ${stored} documents but its catalog counts ${summary.documents}: the copy is not consistent`);
    }
    return summary;
  } finally {
    await env.close();
  }
}

/**
 * Writes a compacted, consistent copy of the store in `dir` to `file`, also while another process
 * serves it and writes. The copy is made next to `file`, checked, then renamed into place, so `file`
 * is never a partial copy. An existing `file` is refused unless `force`.
 */
export async function backupStore(dir: string, file: string, opts: { force?: boolean } = {}): Promise<StoreSummary> {
  if (!existsSync(path.join(dir, DATA_FILE))) throw new StoreBackupError('missing', `there is no built-in database in ${dir}`);
  const target = path.resolve(file);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new StoreBackupError('invalid', `${target} is a directory: give the backup's file name`);
    if (!opts.force) throw new StoreBackupError('exists', `${target} exists: give another file name, or --force to replace it`);
  }
  mkdirSync(path.dirname(target), { recursive: true });
  const work = mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.tmp-`));
  try {
    const env = open({ path: dir, ...READ_ONLY });
    try {
      await env.backup(work, true);
    } finally {
      await env.close();
    }
    const copy = path.join(work, DATA_FILE);
    fsyncPath(copy);
    const summary = await inspect(work);
    if (opts.force) renameSync(copy, target);
    else {
      // a hard link does not replace a file that appeared meanwhile, as rename would
      try {
        linkSync(copy, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new StoreBackupError('exists', `${target} exists: give another file name, or --force to replace it`);
        throw err;
      }
    }
    fsyncPath(path.dirname(target));
    return { ...summary, bytes: statSync(target).size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `dir` + suffix + a UTC timestamp, made unique with a counter if needed. */
function besideName(dir: string, suffix: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  let name = `${dir}.${suffix}-${stamp}`;
  for (let n = 2; existsSync(name); n++) name = `${dir}.${suffix}-${stamp}-${n}`;
  return name;
}

function inUse(dir: string, owner: number): StoreBackupError {
  return new StoreBackupError('in-use', `the store in ${dir} is in use by process ${owner}: stop Threadline (or whatever holds it) before restoring`);
}

/**
 * Replaces the store in `dir` with the snapshot `file` (from {@link backupStore}). Refuses while a
 * live process holds the store. The snapshot is copied and checked beside `dir` first; the current
 * store is then moved to `dir.before-restore-<UTC time>`, never deleted.
 */
export async function restoreStore(file: string, dir: string, opts: { now?: Date } = {}): Promise<RestoreResult> {
  const source = path.resolve(file);
  if (!existsSync(source) || !statSync(source).isFile()) throw new StoreBackupError('missing', `${source} is not a file`);
  const owner = storeOwner(dir);
  if (owner !== undefined) throw inUse(dir, owner);
  checkHeader(source);
  const now = opts.now ?? new Date();
  mkdirSync(path.dirname(dir), { recursive: true });
  const staged = mkdtempSync(`${dir}.restoring-`);
  try {
    copyFileSync(source, path.join(staged, DATA_FILE));
    fsyncPath(path.join(staged, DATA_FILE));
    const summary = await inspect(staged, source);
    rmSync(path.join(staged, LOCK_FILE), { force: true });
    let movedAside: string | undefined;
    if (existsSync(dir)) {
      movedAside = besideName(dir, 'before-restore', now);
      renameSync(dir, movedAside);
      // a process that took the store between the check and the move has it open still
      const late = storeOwner(movedAside);
      if (late !== undefined) {
        renameSync(movedAside, dir);
        throw inUse(dir, late);
      }
    }
    try {
      renameSync(staged, dir);
    } catch (err) {
      const where = movedAside ? `; the previous store is in ${movedAside}` : '';
      throw new Error(`could not put the restored store in ${dir}: ${(err as Error).message}${where}`, { cause: err });
    }
    fsyncPath(path.dirname(dir));
    return { ...summary, bytes: statSync(path.join(dir, DATA_FILE)).size, movedAside };
  } finally {
    if (existsSync(staged)) rmSync(staged, { recursive: true, force: true });
  }
}
