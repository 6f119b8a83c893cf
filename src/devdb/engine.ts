import BTreeModule from 'sorted-btree';
import type { Doc } from './values.js';

/** A stored document. `rid` is the record id that index entries point at. */
export interface Rec {
  readonly rid: number;
  doc: Doc;
  plain: unknown;
}

/**
 * A test of a stored document's BSON bytes (string-array-conditions.ts): false only when the
 * document cannot match. `verified` remembers, per stored document, the fields already found to
 * hold only strings; the engine forgets it whenever the document may have changed.
 */
export type RawTest = (bytes: Buffer, verified?: Set<string>) => boolean;

/** The documents of one collection, by record id (natural order = record id order). */
export interface RecordSpace {
  get(rid: number): Rec | undefined;
  /**
   * The record, unless its stored BSON bytes fail `rawTest` (then false, nothing decoded): for an
   * engine that decodes stored bytes on read. `rawTest` must not keep the bytes.
   */
  getIf?(rid: number, rawTest: RawTest): Rec | false | undefined;
  scan(reverse: boolean): Iterable<Rec>;
  /** Inserts or replaces the record's current document. */
  put(rec: Rec): void;
  delete(rid: number): void;
  drop(): void;
}

/** The entries of one index: byte strings (encoded key, then record id), kept in byte order. */
export interface EntrySpace {
  put(entry: Buffer): void;
  delete(entry: Buffer): void;
  /** Entries `lower <= e < upper` (no upper: to the end), ascending or descending. */
  range(lower: Buffer, upper: Buffer | undefined, reverse: boolean): Iterable<Buffer>;
  /** How many entries `lower <= e < upper` there are, counting no further than `cap`. */
  count(lower: Buffer, upper: Buffer | undefined, cap: number): number;
  drop(): void;
}

/** What the catalog remembers of one index. */
export interface IndexEntryMeta {
  iid: number;
  spec: Doc;
  multikeyPaths: string[];
  multikey: boolean;
}

/** What the catalog remembers of one collection. */
export interface CollectionMeta {
  cid: number;
  db: string;
  name: string;
  uuid: Uint8Array;
  options: Doc;
  nextRid: number;
  count: number;
  indexes: IndexEntryMeta[];
}

/**
 * Where collections keep their documents and index entries. The in-memory engine is for tests; the
 * LMDB engine keeps everything on disk and commits each {@link StorageEngine.write} durably.
 */
export interface StorageEngine {
  readonly kind: 'memory' | 'lmdb';
  /** Collections recorded by earlier runs (empty for a new or in-memory store). */
  loadCatalog(): CollectionMeta[];
  records(cid: number): RecordSpace;
  entries(iid: number): EntrySpace;
  /** A new collection or index id, unique for the life of the store. */
  allocateId(): number;
  saveCollection(meta: CollectionMeta): void;
  deleteCollection(cid: number): void;
  /**
   * Runs `fn` as one atomic change, visible when this returns and durable once {@link whenDurable}
   * settles (nested calls join the outer one).
   * If `fn` throws, nothing it wrote is kept and `onAbort` runs so callers drop cached state.
   */
  write<T>(fn: () => T, onAbort: () => void): T;
  /** True inside {@link write}. */
  readonly writing: boolean;
  /**
   * Null when everything written is already durable; else a promise that settles once it is on
   * disk. Writes commit without waiting for the disk, so writes that arrive together share one sync.
   */
  whenDurable(): Promise<void> | null;
  /** A consistent copy of the whole store at `file` (LMDB only). */
  backup(file: string): Promise<void>;
  /**
   * Gives the space of deleted data back to the file system when at least `minFreeBytes` would be
   * freed; resolves to the bytes freed. Must run outside {@link write}, with no write meanwhile.
   */
  compact(minFreeBytes: number): Promise<number>;
  close(): Promise<void>;
}

type BTreeClass = typeof BTreeModule.default;
/* CommonJS interop differs between Node (module.exports) and bundler-style loaders (the class itself). */
const BTree: BTreeClass = (BTreeModule as unknown as { default?: BTreeClass }).default ?? (BTreeModule as unknown as BTreeClass);

class MemoryRecords implements RecordSpace {
  private readonly recs = new Map<number, Rec>();
  get(rid: number): Rec | undefined {
    return this.recs.get(rid);
  }
  scan(reverse: boolean): Iterable<Rec> {
    return reverse ? [...this.recs.values()].reverse() : this.recs.values();
  }
  put(rec: Rec): void {
    this.recs.set(rec.rid, rec);
  }
  delete(rid: number): void {
    this.recs.delete(rid);
  }
  drop(): void {
    this.recs.clear();
  }
}

class MemoryEntries implements EntrySpace {
  private readonly tree = new BTree<Buffer, undefined>(undefined, Buffer.compare);
  put(entry: Buffer): void {
    this.tree.set(entry, undefined);
  }
  delete(entry: Buffer): void {
    this.tree.delete(entry);
  }
  *range(lower: Buffer, upper: Buffer | undefined, reverse: boolean): Iterable<Buffer> {
    if (!reverse) {
      for (const [k] of this.tree.entries(lower)) {
        if (upper && Buffer.compare(k, upper) >= 0) return;
        yield k;
      }
      return;
    }
    const start = upper ? this.tree.nextLowerKey(upper) : this.tree.maxKey();
    if (start === undefined) return;
    for (const [k] of this.tree.entriesReversed(start)) {
      if (Buffer.compare(k, lower) < 0) return;
      yield k;
    }
  }
  count(lower: Buffer, upper: Buffer | undefined, cap: number): number {
    let n = 0;
    for (const [k] of this.tree.entries(lower)) {
      if (n >= cap || (upper && Buffer.compare(k, upper) >= 0)) break;
      n++;
    }
    return n;
  }
  drop(): void {
    this.tree.clear();
  }
}

/** Keeps everything in the JavaScript heap: fast, and gone when the process exits. */
export class MemoryEngine implements StorageEngine {
  readonly kind = 'memory';
  private ids = 1;
  private depth = 0;

  get writing(): boolean {
    return this.depth > 0;
  }
  loadCatalog(): CollectionMeta[] {
    return [];
  }
  records(): RecordSpace {
    return new MemoryRecords();
  }
  entries(): EntrySpace {
    return new MemoryEntries();
  }
  allocateId(): number {
    return this.ids++;
  }
  saveCollection(): void {}
  deleteCollection(): void {}
  whenDurable(): null {
    return null;
  }
  write<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
  backup(): Promise<void> {
    return Promise.reject(new Error('the in-memory store has nothing to back up'));
  }
  compact(): Promise<number> {
    return Promise.resolve(0);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
