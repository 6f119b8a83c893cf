import { UUID } from 'bson';
import { KeyBound } from './compare.js';
import { MemoryEngine, type CollectionMeta, type RawTest, type Rec, type RecordSpace, type StorageEngine } from './engine.js';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { scanIndex } from './index-scan.js';
import { identical } from './identical.js';
import { Index, type KeyById, type KeyedEntries } from './indexes.js';
import { idFirst, isPlainObject, newId, toPlain, type Doc } from './values.js';

export type { Rec } from './engine.js';

/** The plain (mingo) view of a record, computed once per document version. */
export function plainOf(rec: Rec): unknown {
  if (rec.plain === undefined) rec.plain = toPlain(rec.doc);
  return rec.plain;
}

/** Work counters, per collection, so tests can see which plan a query used. */
export interface QueryStats {
  docsExamined: number;
  keysExamined: number;
  lastPlan: string;
}

const DATE_RANK = 45;

/** One collection: records in natural (insertion) order plus its indexes. */
export class Collection {
  readonly indexes: Index[];
  readonly uuid: UUID;
  readonly stats: QueryStats;
  readonly cid: number;
  readonly options: Doc;
  private readonly records: RecordSpace;
  private count: number;
  private nextRid: number;
  private lastTtlSweep = 0;

  constructor(
    readonly db: Database,
    public name: string,
    meta?: CollectionMeta,
    /** The counters of this collection's previous in-memory object (kept when the catalog is read back). */
    stats: QueryStats = { docsExamined: 0, keysExamined: 0, lastPlan: '' },
  ) {
    this.stats = stats;
    const engine = db.store.engine;
    this.cid = meta?.cid ?? engine.allocateId();
    this.uuid = meta ? new UUID(meta.uuid) : new UUID();
    this.records = engine.records(this.cid);
    this.count = meta?.count ?? 0;
    this.nextRid = meta?.nextRid ?? 1;
    this.options = meta?.options ?? {};
    if (meta) {
      this.indexes = meta.indexes.map((m) => Index.restore(m, engine.entries(m.iid)));
    } else {
      const id = new Index({ key: { _id: 1 }, name: '_id_' });
      const iid = engine.allocateId();
      id.attach(iid, engine.entries(iid));
      this.indexes = [id];
      this.changed();
    }
  }

  get ns(): string {
    return `${this.db.name}.${this.name}`;
  }

  get size(): number {
    return this.count;
  }

  /** The record with this id. */
  get(rid: number): Rec | undefined {
    return this.records.get(rid);
  }

  /** The record with this id, or false when its stored bytes fail `rawTest` (see RecordSpace.getIf; without it, the record). */
  getIf(rid: number, rawTest: RawTest): Rec | false | undefined {
    return this.records.getIf ? this.records.getIf(rid, rawTest) : this.records.get(rid);
  }

  /** Every record in natural order (or reversed). */
  scan(reverse = false): Iterable<Rec> {
    return this.records.scan(reverse);
  }

  /** Inserts a document (given `_id` first); throws E11000 and leaves nothing behind on conflict. */
  insert(doc: Doc): Rec {
    if (doc._id === undefined) doc = { _id: newId(), ...doc };
    else doc = idFirst(doc);
    if (Array.isArray(doc._id)) throw new MongoError(ErrorCodes.InvalidIdField, "The '_id' value cannot be of type array");
    const rec: Rec = { rid: this.nextRid, doc, plain: undefined };
    const keyed = this.entriesOf(rec);
    this.checkUnique(keyed, rec.rid);
    this.nextRid++;
    this.count++;
    this.records.put(rec);
    this.indexes.forEach((ix, i) => keyed[i]?.entries.forEach((e) => ix.entries.put(e)));
    this.changed();
    return rec;
  }

  /**
   * Replaces a record's document, keeping every index in step; unchanged on E11000. An index whose
   * key paths hold the same values (usually the same objects: updates share untouched subtrees) is
   * skipped; otherwise only the entries that disappeared are deleted and only new ones are put.
   */
  replace(rec: Rec, doc: Doc): void {
    const next: Rec = { rid: rec.rid, doc: idFirst(doc), plain: undefined };
    const changes: EntryChange[] = [];
    for (const ix of this.indexes) {
      // A partial index's filter may read any field, so only the key paths cannot tell.
      if (!ix.partial && ix.fields.every((f) => sameAtPath(rec.doc, next.doc, f.parts, 0))) continue;
      const before = ix.keyIds(rec.doc, () => plainOf(rec));
      const after = this.noteMultikey(ix, () => ix.keyIds(next.doc, () => plainOf(next)));
      const change = diffKeys(ix, rec.rid, before, after);
      if (change.gone.length > 0 || change.added.length > 0) changes.push(change);
    }
    for (const c of changes) {
      if (!c.ix.unique) continue;
      const dup = c.ix.conflictingEntry(c.added, rec.rid);
      if (dup >= 0) throw c.ix.duplicateError(this.ns, c.addedKeys[dup] as unknown[]);
    }
    for (const c of changes) {
      for (const e of c.gone) c.ix.entries.delete(e);
      for (const e of c.added) c.ix.entries.put(e);
    }
    rec.doc = next.doc;
    rec.plain = undefined;
    this.records.put(rec);
    this.changed();
  }

  remove(rec: Rec): void {
    const keyed = this.entriesOf(rec);
    this.indexes.forEach((ix, i) => keyed[i]?.entries.forEach((e) => ix.entries.delete(e)));
    this.records.delete(rec.rid);
    this.count--;
    this.changed();
  }

  /** Adds an index built from the current documents; fails (and adds nothing) on duplicates. */
  addIndex(ix: Index): void {
    const iid = this.db.store.engine.allocateId();
    ix.attach(iid, this.db.store.engine.entries(iid));
    try {
      for (const rec of this.records.scan(false)) {
        const keyed = ix.keyedEntries(rec.doc, () => plainOf(rec), rec.rid);
        if (!keyed) continue;
        const dup = ix.unique ? ix.conflictingEntry(keyed.entries, rec.rid) : -1;
        if (dup >= 0) throw ix.duplicateError(this.ns, keyed.keys[dup] as unknown[]);
        for (const e of keyed.entries) ix.entries.put(e);
      }
    } catch (err) {
      ix.entries.drop();
      throw err;
    }
    this.indexes.push(ix);
    if (ix.expireAfterSeconds !== undefined) this.lastTtlSweep = 0;
    this.changed();
  }

  dropIndex(ix: Index): void {
    const i = this.indexes.indexOf(ix);
    if (i <= 0) return;
    this.indexes.splice(i, 1);
    ix.entries.drop();
    this.changed();
  }

  /** Removes every document and index entry (the collection itself is dropped by its database). */
  dropData(): void {
    this.records.drop();
    for (const ix of this.indexes) ix.entries.drop();
    this.count = 0;
  }

  /** Deletes documents past their TTL (lazily, at most once a second), walking the TTL index. */
  sweepExpired(now = Date.now()): void {
    if (now - this.lastTtlSweep < 1000) return;
    this.lastTtlSweep = now;
    for (const ix of this.indexes) {
      if (ix.expireAfterSeconds === undefined || ix.fields.length !== 1) continue;
      const limit = new Date(now - ix.expireAfterSeconds * 1000);
      const range = { lo: new KeyBound(DATE_RANK, false), loInc: true, hi: limit, hiInc: true };
      const rids = new Set(scanIndex({ index: ix, prefix: [], range, reverse: false, ordered: false }, { keys: 0 }));
      if (rids.size === 0) continue;
      this.db.store.write(() => {
        for (const rid of rids) {
          const rec = this.records.get(rid);
          if (rec) this.remove(rec);
        }
      });
    }
  }

  /** The catalog entry of this collection. */
  meta(): CollectionMeta {
    return {
      cid: this.cid, db: this.db.name, name: this.name, uuid: this.uuid.buffer, options: this.options,
      nextRid: this.nextRid, count: this.count, indexes: this.indexes.map((ix) => ix.meta()),
    };
  }

  /** Marks the catalog entry for saving at the end of the current write. */
  changed(): void {
    this.db.store.dirty.add(this);
  }

  private entriesOf(rec: Rec): Array<KeyedEntries | null> {
    return this.indexes.map((ix) => this.noteMultikey(ix, () => ix.keyedEntries(rec.doc, () => plainOf(rec), rec.rid)));
  }

  /** Computes a record's keys in one index, noting in the catalog an index that became multikey. */
  private noteMultikey<T>(ix: Index, compute: () => T): T {
    const multikeyPaths = ix.multikeyPaths.size;
    const out = compute();
    if (ix.multikeyPaths.size !== multikeyPaths) this.changed();
    return out;
  }

  private checkUnique(keyed: Array<KeyedEntries | null>, rid: number): void {
    this.indexes.forEach((ix, i) => {
      const k = keyed[i];
      if (!k || !ix.unique) return;
      const dup = ix.conflictingEntry(k.entries, rid);
      if (dup >= 0) throw ix.duplicateError(this.ns, k.keys[dup] as unknown[]);
    });
  }
}

/** What a replace changes in one index: entries to delete, entries to put (with their keys). */
interface EntryChange {
  ix: Index;
  gone: Buffer[];
  added: Buffer[];
  addedKeys: unknown[][];
}

/*
 * True when the values at a key path are certainly the same in both documents: the same object
 * (an update shares what it did not touch), or equal down to types and field order. Cheap, and
 * only ever wrong towards "changed".
 */
function sameAtPath(a: unknown, b: unknown, parts: readonly string[], i: number): boolean {
  if (a === b) return true;
  if (i < parts.length && isPlainObject(a) && isPlainObject(b)) return sameAtPath(a[parts[i] as string], b[parts[i] as string], parts, i + 1);
  return identical(a, b);
}

/*
 * The set difference of a record's keys before and after, by key identity; only the keys that
 * differ are encoded. Identities of two kinds (strings, encodings) never match each other, so a
 * key may then be deleted and put back: deletes are applied before puts.
 */
function diffKeys(ix: Index, rid: number, before: Map<string, KeyById> | null, after: Map<string, KeyById> | null): EntryChange {
  const change: EntryChange = { ix, gone: [], added: [], addedKeys: [] };
  for (const [id, k] of after ?? []) {
    if (before?.has(id)) continue;
    change.added.push(ix.entryOf(k.key, rid, k.encoded));
    change.addedKeys.push(k.key);
  }
  for (const [id, k] of before ?? []) if (!after?.has(id)) change.gone.push(ix.entryOf(k.key, rid, k.encoded));
  return change;
}

/** A database: a set of named collections. */
export class Database {
  readonly collections = new Map<string, Collection>();
  constructor(
    readonly store: Store,
    readonly name: string,
  ) {}

  get(name: string): Collection | undefined {
    return this.collections.get(name);
  }

  /** The collection, created on first use as MongoDB does for writes. */
  getOrCreate(name: string): Collection {
    let c = this.collections.get(name);
    if (!c) {
      validateCollectionName(name);
      c = new Collection(this, name);
      this.collections.set(name, c);
    }
    return c;
  }

  /** The collection or a NamespaceNotFound error. */
  require(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw fail.nsNotFound(`${this.name}.${name}`);
    return c;
  }

  /** Drops a collection with its documents and indexes. */
  drop(name: string): void {
    const c = this.collections.get(name);
    if (!c) return;
    c.dropData();
    this.collections.delete(name);
    this.store.dirty.delete(c);
    this.store.engine.deleteCollection(c.cid);
  }

  /** Renames a collection within this database (the target must not exist). */
  rename(from: string, to: string): void {
    const c = this.require(from);
    validateCollectionName(to);
    this.collections.delete(from);
    c.name = to;
    this.collections.set(to, c);
    c.changed();
  }

  /** Registers a collection loaded from the catalog. */
  attach(c: Collection): void {
    this.collections.set(c.name, c);
  }
}

function validateCollectionName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid collection name: ${String(name)}`);
  }
}

/** All databases of one devdb server, on one storage engine. */
export class Store {
  readonly databases = new Map<string, Database>();
  /** Collections whose catalog entry changed in the current write. */
  readonly dirty = new Set<Collection>();

  constructor(readonly engine: StorageEngine = new MemoryEngine()) {
    this.load();
  }

  db(name: string): Database {
    let d = this.databases.get(name);
    if (!d) {
      if (!name || /[/\\. "$\0]/.test(name)) throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid database name: '${name}'`);
      d = new Database(this, name);
      this.databases.set(name, d);
    }
    return d;
  }

  dropDatabase(name: string): void {
    const d = this.databases.get(name);
    if (!d) return;
    for (const c of [...d.collections.keys()]) d.drop(c);
    this.databases.delete(name);
  }

  /**
   * Runs `fn` as one atomic, durable change. On an error nothing of it is kept, and the catalog is
   * read back so the in-memory objects match what is stored.
   */
  write<T>(fn: () => T): T {
    if (this.engine.writing) return fn();
    return this.engine.write(
      () => {
        const out = fn();
        for (const c of this.dirty) this.engine.saveCollection(c.meta());
        this.dirty.clear();
        return out;
      },
      () => {
        this.dirty.clear();
        this.load();
      },
    );
  }

  private load(): void {
    // A command that failed is rolled back and the catalog read again; the work counters stay.
    const previous = new Map([...this.databases.values()].flatMap((d) => [...d.collections.values()].map((c) => [c.cid, c.stats] as const)));
    this.databases.clear();
    for (const meta of this.engine.loadCatalog()) {
      const d = this.db(meta.db);
      d.attach(new Collection(d, meta.name, meta, previous.get(meta.cid)));
    }
  }

}

/** Work counters of every collection in a store, by namespace (for tests and debugging). */
export function statsOf(store: Store): Record<string, QueryStats> {
  const out: Record<string, QueryStats> = {};
  for (const db of store.databases.values()) for (const c of db.collections.values()) out[c.ns] = { ...c.stats };
  return out;
}
