import { mkdirSync, unlinkSync } from 'node:fs';
import { BSON, Binary } from 'bson';
import { open, type Database as LmdbDatabase, type RootDatabase, type TransactionFlags } from 'lmdb';
import type { CollectionMeta, EntrySpace, RawTest, Rec, RecordSpace, StorageEngine } from './engine.js';
import { prefixEnd } from './key-encoding.js';
import { decodeStoredDocument } from './lazy-fields.js';
import { canonicalize, type Doc } from './values.js';
import { RecordCache } from './record-cache.js';
import { takeOwnership } from './store-ownership.js';
import { dataFileBytes, reclaimableBytes, removeCompactionLeftovers, writeCompactCopy } from './compaction.js';

/*
 * Layout: three LMDB databases in one environment (one file pair under the data directory).
 *   docs: collection id (4 bytes) + record id (8 bytes) → the document as BSON
 *   index: index id (4 bytes) + encoded key + record id → empty
 *   catalog: 'c' + collection id → collection metadata as BSON; 'seq' → the last id handed out
 * Every write runs in one synchronous LMDB transaction that commits without waiting for the disk
 * (lmdb's overlapping sync keeps the file consistent across a crash); one background sync then
 * covers every commit made so far, and the server answers a write only after that sync. So writes
 * that arrive together share one sync, an acknowledged write survives a power cut, and a write cut
 * short was never visible.
 */

type Bin = LmdbDatabase<Buffer, Buffer>;

const SEQ_KEY = Buffer.from('seq');
/* ABORTABLE | SYNCHRONOUS_COMMIT | NO_SYNC_FLUSH: commit now, without waiting for the disk (see whenDurable). */
const COMMIT_WITHOUT_SYNC = 0x10003 as TransactionFlags;
const EMPTY = Buffer.alloc(0);
const DESERIALIZE = { promoteValues: false } as const;
const SERIALIZE = { ignoreUndefined: true } as const;

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function docKey(cid: Buffer, rid: number): Buffer {
  const b = Buffer.allocUnsafe(12);
  cid.copy(b, 0);
  b.writeUInt32BE(Math.floor(rid / 0x100000000), 4);
  b.writeUInt32BE(rid >>> 0, 8);
  return b;
}

function ridOfDocKey(k: Buffer): number {
  return k.readUInt32BE(4) * 0x100000000 + k.readUInt32BE(8);
}

function catalogKey(cid: number): Buffer {
  return Buffer.concat([Buffer.from('c'), u32(cid)]);
}

class LmdbRecords implements RecordSpace {
  private readonly prefix: Buffer;
  constructor(
    private readonly engine: LmdbEngine,
    private readonly cid: number,
  ) {
    this.prefix = u32(cid);
  }

  private decode(rid: number, bytes: Buffer): Rec {
    const key = `${this.cid}/${rid}`;
    const cached = this.engine.cache.get(key);
    if (cached) return cached;
    const rec: Rec = { rid, doc: decodeStoredDocument(bytes), plain: undefined };
    this.engine.cache.set(key, rec, bytes.length);
    return rec;
  }

  get(rid: number): Rec | undefined {
    const cached = this.engine.cache.get(`${this.cid}/${rid}`);
    if (cached) return cached;
    const bytes = this.engine.docs.getBinary(docKey(this.prefix, rid));
    return bytes ? this.decode(rid, bytes) : undefined;
  }

  getIf(rid: number, rawTest: RawTest): Rec | false | undefined {
    const key = `${this.cid}/${rid}`;
    const cached = this.engine.cache.get(key);
    if (cached) return cached;
    // lmdb's own buffer, overwritten by the next read: tested in place, copied only when it passes.
    const bytes = this.engine.docs.getBinaryFast(docKey(this.prefix, rid));
    if (!bytes) return undefined;
    return rawTest(bytes, this.engine.cache.verifiedOf(key)) ? this.get(rid) : false;
  }

  *scan(reverse: boolean): Iterable<Rec> {
    const lower = this.prefix;
    const upper = prefixEnd(this.prefix);
    const range = reverse ? { start: upper, end: lower, reverse: true } : { start: lower, end: upper };
    for (const { key, value } of this.engine.docs.getRange(range)) {
      if (reverse && upper && Buffer.compare(key, upper) >= 0) continue;
      yield this.decode(ridOfDocKey(key), value);
    }
  }

  put(rec: Rec): void {
    const bytes = BSON.serialize(rec.doc, SERIALIZE);
    this.engine.mutate(() => this.engine.docs.putSync(docKey(this.prefix, rec.rid), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)));
    this.engine.cache.set(`${this.cid}/${rec.rid}`, rec, bytes.length);
  }

  delete(rid: number): void {
    this.engine.mutate(() => this.engine.docs.removeSync(docKey(this.prefix, rid)));
    this.engine.cache.delete(`${this.cid}/${rid}`);
  }

  drop(): void {
    this.engine.removeRange(this.engine.docs, this.prefix);
    this.engine.cache.clear();
  }
}

class LmdbEntries implements EntrySpace {
  private readonly prefix: Buffer;
  constructor(
    private readonly engine: LmdbEngine,
    iid: number,
  ) {
    this.prefix = u32(iid);
  }

  put(entry: Buffer): void {
    this.engine.mutate(() => this.engine.index.putSync(Buffer.concat([this.prefix, entry]), EMPTY));
  }

  delete(entry: Buffer): void {
    this.engine.mutate(() => this.engine.index.removeSync(Buffer.concat([this.prefix, entry])));
  }

  *range(lower: Buffer, upper: Buffer | undefined, reverse: boolean): Iterable<Buffer> {
    const lo = Buffer.concat([this.prefix, lower]);
    const hi = upper ? Buffer.concat([this.prefix, upper]) : prefixEnd(this.prefix);
    const keys = this.engine.index.getKeys(reverse ? { start: hi, end: lo, reverse: true } : { start: lo, end: hi });
    for (const k of keys) {
      // a reverse range includes its start; the upper bound is exclusive here
      if (reverse && hi && Buffer.compare(k, hi) >= 0) continue;
      yield k.subarray(4);
    }
  }

  count(lower: Buffer, upper: Buffer | undefined, cap: number): number {
    const hi = upper ? Buffer.concat([this.prefix, upper]) : prefixEnd(this.prefix);
    // Counted by lmdb's cursor without creating a key object per entry.
    return this.engine.index.getKeysCount({ start: Buffer.concat([this.prefix, lower]), end: hi, limit: cap });
  }

  drop(): void {
    this.engine.removeRange(this.engine.index, this.prefix);
  }
}


/** Options of {@link LmdbEngine}. */
export interface LmdbEngineOptions {
  /** Directory holding the store's files (created if missing). */
  dir: string;
  /** Bytes of decoded documents kept in memory for reuse (default 64 MiB). */
  cacheBytes?: number;
}

/** The durable engine: documents and index entries in LMDB, nothing that grows with the data in the heap. */
export class LmdbEngine implements StorageEngine {
  readonly kind = 'lmdb';
  // Replaced when a compaction reopens the environment; records and entries read them from here.
  docs!: Bin;
  index!: Bin;
  readonly cache: RecordCache;
  private env!: RootDatabase;
  private catalog!: Bin;
  private readonly dir: string;
  /** Committed writes that changed something, for the life of the engine. */
  private commits = 0;
  private seq: number;
  private depth = 0;
  /** Commits not yet covered by a finished sync. */
  private unsynced = 0;
  private syncing: Promise<void> | null = null;
  /** The removal of a compaction's work directory (with the replaced data file), while it runs. */
  private discarding: Promise<void> | null = null;

  private readonly lockFile: string;

  constructor(opts: LmdbEngineOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.lockFile = takeOwnership(opts.dir);
    this.dir = opts.dir;
    removeCompactionLeftovers(opts.dir);
    this.openEnv();
    this.cache = new RecordCache(opts.cacheBytes ?? 64 * 1024 * 1024);
    const seq = this.catalog.getBinary(SEQ_KEY);
    this.seq = seq ? seq.readUInt32BE(0) : 0;
  }

  private openEnv(): void {
    // noSubdir: lmdb would otherwise take a directory name with a dot in it for a single-file store
    this.env = open({ path: this.dir, maxDbs: 4, noSubdir: false });
    const binary = { keyEncoding: 'binary', encoding: 'binary' } as const;
    this.docs = this.env.openDB<Buffer, Buffer>({ name: 'docs', ...binary });
    this.index = this.env.openDB<Buffer, Buffer>({ name: 'index', ...binary });
    this.catalog = this.env.openDB<Buffer, Buffer>({ name: 'catalog', ...binary });
  }

  get writing(): boolean {
    return this.depth > 0;
  }

  /** Runs a change to LMDB, refusing one outside a write transaction (it would not be atomic). */
  mutate(fn: () => unknown): void {
    if (this.depth === 0) throw new Error('devdb: a write outside a transaction');
    this.touched = true;
    fn();
  }

  private touched = false;

  whenDurable(): Promise<void> | null {
    if (this.unsynced === 0) return null;
    if (this.syncing) return this.syncing.then(() => this.whenDurable() ?? undefined);
    const covered = this.unsynced;
    this.syncing = new Promise<void>((resolve, reject) => {
      (this.env as unknown as { sync(cb: (err?: Error) => void): void }).sync((err) => {
        this.syncing = null;
        if (err) return reject(err);
        this.unsynced -= covered;
        resolve();
      });
    });
    return this.syncing;
  }

  /** Removes every key that starts with `prefix`. */
  removeRange(db: Bin, prefix: Buffer): void {
    const end = prefixEnd(prefix);
    for (;;) {
      const keys = [...db.getKeys({ start: prefix, end, limit: 10_000 })];
      if (keys.length === 0) return;
      this.mutate(() => keys.forEach((k) => db.removeSync(k)));
    }
  }

  loadCatalog(): CollectionMeta[] {
    const out: CollectionMeta[] = [];
    for (const { value } of this.catalog.getRange({ start: Buffer.from('c'), end: Buffer.from('d') })) {
      const m = canonicalize(BSON.deserialize(value, DESERIALIZE)) as Doc;
      out.push({
        cid: m.cid as number, db: m.db as string, name: m.name as string, uuid: (m.uuid as Binary).value(),
        options: m.options as Doc, nextRid: m.nextRid as number, count: m.count as number,
        indexes: (m.indexes as Doc[]).map((ix) => ({
          iid: ix.iid as number, spec: ix.spec as Doc, multikey: ix.multikey === true, multikeyPaths: ix.multikeyPaths as string[],
        })),
      });
    }
    return out;
  }

  records(cid: number): RecordSpace {
    return new LmdbRecords(this, cid);
  }

  entries(iid: number): EntrySpace {
    return new LmdbEntries(this, iid);
  }

  allocateId(): number {
    this.seq++;
    this.mutate(() => this.catalog.putSync(SEQ_KEY, u32(this.seq)));
    return this.seq;
  }

  saveCollection(meta: CollectionMeta): void {
    const doc = { ...meta, uuid: new Binary(meta.uuid, 4) };
    const bytes = BSON.serialize(doc, SERIALIZE);
    this.mutate(() => this.catalog.putSync(catalogKey(meta.cid), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)));
  }

  deleteCollection(cid: number): void {
    this.mutate(() => this.catalog.removeSync(catalogKey(cid)));
  }

  write<T>(fn: () => T, onAbort: () => void): T {
    if (this.depth > 0) return fn();
    this.depth++;
    this.touched = false;
    let committed = false;
    try {
      const out = this.env.transactionSync(fn, COMMIT_WITHOUT_SYNC);
      committed = true;
      if (this.touched) {
        this.unsynced++;
        this.commits++;
      }
      return out;
    } finally {
      this.depth--;
      if (!committed) {
        this.cache.clear();
        this.seq = this.catalog.getBinary(SEQ_KEY)?.readUInt32BE(0) ?? 0;
        onAbort();
      }
    }
  }

  async backup(file: string): Promise<void> {
    await this.env.backup(file, true);
  }

  /**
   * Rewrites the data file with only its live pages, when at least `minFreeBytes` (and at least one
   * page) would be given back; returns the bytes the file shrank by. The caller keeps every write
   * away until this settles; a write that slips in anyway makes it give up, so nothing is lost.
   */
  async compact(minFreeBytes: number): Promise<number> {
    if (this.depth > 0) throw new Error('devdb: compaction inside a write');
    if (reclaimableBytes(this.env, [this.docs, this.index, this.catalog]) < Math.max(1, minFreeBytes)) return 0;
    await this.whenDurable();
    const before = dataFileBytes(this.dir);
    const commits = this.commits;
    const copy = await writeCompactCopy(this.env, this.dir);
    await this.whenDurable();
    if (this.commits !== commits) {
      await copy.discard();
      return 0;
    }
    await this.env.close();
    try {
      copy.swap();
    } finally {
      // On a failed swap the old file is still whole; either way the environment opens again.
      this.openEnv();
      this.cache.clear();
    }
    // The replaced file is removed while the store serves again; close() waits for it.
    this.discarding = copy.discard().catch(() => undefined);
    return Math.max(0, before - dataFileBytes(this.dir));
  }

  async close(): Promise<void> {
    await this.whenDurable();
    await this.discarding;
    await this.env.close();
    try {
      unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
  }
}
