import { UUID } from 'bson';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { Index } from './indexes.js';
import { collectKeyValues } from './paths.js';
import { compareValues } from './compare.js';
import { idFirst, newId, toPlain, type Doc } from './values.js';

/** A stored document. `rid` is the record id that index entries point at. */
export interface Rec {
  readonly rid: number;
  doc: Doc;
  plain: unknown;
}

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

/** One collection: records in natural (insertion) order plus its indexes. */
export class Collection {
  readonly records = new Map<number, Rec>();
  readonly indexes: Index[];
  readonly uuid = new UUID();
  readonly stats: QueryStats = { docsExamined: 0, keysExamined: 0, lastPlan: '' };
  private nextRid = 1;
  private lastTtlSweep = 0;

  constructor(
    readonly db: Database,
    public name: string,
    readonly options: Doc = {},
  ) {
    this.indexes = [new Index({ key: { _id: 1 }, name: '_id_' })];
  }

  get ns(): string {
    return `${this.db.name}.${this.name}`;
  }

  get size(): number {
    return this.records.size;
  }

  /** Inserts a document (given `_id` first); throws E11000 and leaves nothing behind on conflict. */
  insert(doc: Doc): Rec {
    if (doc._id === undefined) doc = { _id: newId(), ...doc };
    else doc = idFirst(doc);
    if (Array.isArray(doc._id)) throw new MongoError(ErrorCodes.InvalidIdField, "The '_id' value cannot be of type array");
    const rec: Rec = { rid: this.nextRid++, doc, plain: undefined };
    const keys = this.keysOf(rec);
    this.checkUnique(keys, rec.rid);
    this.indexes.forEach((ix, i) => {
      const k = keys[i];
      if (k) ix.add(rec.rid, k);
    });
    this.records.set(rec.rid, rec);
    return rec;
  }

  /** Replaces a record's document, keeping every index in step; unchanged on E11000. */
  replace(rec: Rec, doc: Doc): void {
    const next: Rec = { rid: rec.rid, doc: idFirst(doc), plain: undefined };
    const oldKeys = this.keysOf(rec);
    const newKeys = this.keysOf(next);
    this.checkUnique(newKeys, rec.rid);
    this.indexes.forEach((ix, i) => {
      const before = oldKeys[i];
      const after = newKeys[i];
      if (before && after && sameKeys(before, after)) return;
      if (before) ix.remove(rec.rid, before);
      if (after) ix.add(rec.rid, after);
    });
    rec.doc = next.doc;
    rec.plain = undefined;
  }

  remove(rec: Rec): void {
    const keys = this.keysOf(rec);
    this.indexes.forEach((ix, i) => {
      const k = keys[i];
      if (k) ix.remove(rec.rid, k);
    });
    this.records.delete(rec.rid);
  }

  /** Adds an index built from the current documents; fails (and adds nothing) on duplicates. */
  addIndex(ix: Index): void {
    for (const rec of this.records.values()) {
      const keys = ix.keysFor(rec.doc, () => plainOf(rec));
      if (!keys) continue;
      const dup = ix.conflict(keys, rec.rid);
      if (dup) throw ix.duplicateError(this.ns, dup);
      ix.add(rec.rid, keys);
    }
    this.indexes.push(ix);
    if (ix.expireAfterSeconds !== undefined) this.lastTtlSweep = 0;
  }

  dropIndex(ix: Index): void {
    const i = this.indexes.indexOf(ix);
    if (i > 0) this.indexes.splice(i, 1);
  }

  /** Deletes documents past their TTL (lazily, at most once a second). */
  sweepExpired(now = Date.now()): void {
    if (now - this.lastTtlSweep < 1000) return;
    this.lastTtlSweep = now;
    for (const ix of this.indexes) {
      if (ix.expireAfterSeconds === undefined || ix.fields.length !== 1) continue;
      const parts = (ix.fields[0] as { parts: string[] }).parts;
      const limit = now - ix.expireAfterSeconds * 1000;
      for (const rec of [...this.records.values()]) {
        const dates = collectKeyValues(rec.doc, parts).values.filter((v): v is Date => v instanceof Date);
        if (dates.length > 0 && Math.min(...dates.map((d) => d.getTime())) <= limit) this.remove(rec);
      }
    }
  }

  private keysOf(rec: Rec): Array<unknown[][] | null> {
    return this.indexes.map((ix) => ix.keysFor(rec.doc, () => plainOf(rec)));
  }

  private checkUnique(keys: Array<unknown[][] | null>, rid: number): void {
    this.indexes.forEach((ix, i) => {
      const k = keys[i];
      if (!k || !ix.unique) return;
      const dup = ix.conflict(k, rid);
      if (dup) throw ix.duplicateError(this.ns, dup);
    });
  }
}

function sameKeys(a: unknown[][], b: unknown[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as unknown[];
    const y = b[i] as unknown[];
    for (let j = 0; j < x.length; j++) if (compareValues(x[j], y[j]) !== 0) return false;
  }
  return true;
}

/** A database: a set of named collections. */
export class Database {
  readonly collections = new Map<string, Collection>();
  constructor(readonly name: string) {}

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
}

function validateCollectionName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid collection name: ${String(name)}`);
  }
}

/** All databases of one devdb server. */
export class Store {
  readonly databases = new Map<string, Database>();

  db(name: string): Database {
    let d = this.databases.get(name);
    if (!d) {
      if (!name || /[/\\. "$\0]/.test(name)) throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid database name: '${name}'`);
      d = new Database(name);
      this.databases.set(name, d);
    }
    return d;
  }

  dropDatabase(name: string): void {
    this.databases.delete(name);
  }
}

/** Work counters of every collection in a store, by namespace (for tests and debugging). */
export function statsOf(store: Store): Record<string, QueryStats> {
  const out: Record<string, QueryStats> = {};
  for (const db of store.databases.values()) for (const c of db.collections.values()) out[c.ns] = { ...c.stats };
  return out;
}

