import { ObjectId } from 'bson';
import type { EntrySpace, IndexEntryMeta } from './engine.js';
import { encodeKeyPrefix, prefixEnd, ridBytes, ridOf } from './key-encoding.js';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { compileFilter, validatePartialFilter, type Matcher } from './matcher.js';
import { collectKeyValues, isIndexPart, splitPath } from './paths.js';
import { bsonTag, isNumeric, isPlainObject, numberOf, type Doc } from './values.js';

/** A document's distinct keys in one index, and their index entries (same order). */
export interface KeyedEntries {
  keys: unknown[][];
  entries: Buffer[];
}

/** One distinct key of a document (see {@link Index.keyIds}), with its encoding when computed. */
export interface KeyById {
  key: unknown[];
  encoded?: Buffer;
}

/** One field of an index key pattern. */
export interface IndexField {
  path: string;
  parts: string[];
  dir: 1 | -1;
}

const allowedSpecKeys = new Set([
  'key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'background',
  'v', 'ns', 'collation', 'hidden', 'storageEngine',
]);

/** A secondary (or `_id_`) index: entries are the key's order-preserving bytes, then the record id. */
export class Index {
  readonly name: string;
  readonly fields: IndexField[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: Matcher | undefined;
  readonly expireAfterSeconds: number | undefined;
  /** The spec as listIndexes reports it. */
  readonly spec: Doc;
  /** Some document produced several keys (an array on an indexed path). */
  multikey = false;
  /** The index fields that ever held an array, as MongoDB's multikeyPaths. */
  readonly multikeyPaths = new Set<string>();
  /** Field directions, in key order. */
  readonly dirs: number[];
  /** Catalog id; set when the index joins a collection. */
  iid = 0;
  private space: EntrySpace | undefined;

  constructor(spec: Doc) {
    for (const k of Object.keys(spec)) {
      if (!allowedSpecKeys.has(k)) {
        throw new MongoError(197, `The field '${k}' is not valid for an index specification. Specification: ${JSON.stringify(spec)}`);
      }
    }
    const key = spec.key;
    if (!isPlainObject(key) || Object.keys(key).length === 0) throw new MongoError(ErrorCodes.CannotCreateIndex, 'Index keys cannot be empty.');
    this.fields = Object.entries(key).map(([path, d]) => {
      if (typeof d === 'string') throw fail.notSupported(`index type '${d}'`);
      const n = isNumeric(d) ? numberOf(d) : NaN;
      if (!(n > 0 || n < 0)) throw new MongoError(67, `Values in the index key pattern can only be numbers or strings, got ${String(d)}`);
      return { path, parts: splitPath(path), dir: n > 0 ? 1 : -1 };
    });
    const c = spec.collation;
    if (c !== undefined && !(isPlainObject(c) && c.locale === 'simple')) throw fail.notSupported('index collation');
    this.name = typeof spec.name === 'string' ? spec.name : defaultIndexName(key);
    this.unique = spec.unique === true || (this.name === '_id_');
    this.sparse = spec.sparse === true;
    const pfe = spec.partialFilterExpression;
    if (pfe !== undefined && !isPlainObject(pfe)) throw fail.badValue('partialFilterExpression must be an object');
    if (pfe !== undefined) validatePartialFilter(pfe);
    this.partial = pfe === undefined ? undefined : compileFilter(pfe);
    const ttl = spec.expireAfterSeconds;
    this.expireAfterSeconds = ttl === undefined ? undefined : numberOf(ttl);
    this.spec = { v: 2, key, name: this.name };
    if (spec.unique === true && this.name !== '_id_') this.spec.unique = true;
    if (this.sparse) this.spec.sparse = true;
    if (pfe !== undefined) this.spec.partialFilterExpression = pfe;
    if (ttl !== undefined) this.spec.expireAfterSeconds = ttl;
    if (spec.hidden === true) this.spec.hidden = true;
    this.dirs = this.fields.map((f) => f.dir);
  }

  /** An index as the catalog recorded it. */
  static restore(meta: IndexEntryMeta, entries: EntrySpace): Index {
    const ix = new Index(meta.spec);
    ix.attach(meta.iid, entries);
    ix.multikey = meta.multikey;
    for (const p of meta.multikeyPaths) ix.multikeyPaths.add(p);
    return ix;
  }

  /** Binds the index to its catalog id and entry storage. */
  attach(iid: number, entries: EntrySpace): void {
    this.iid = iid;
    this.space = entries;
  }

  /** The stored entries (encoded key + record id). */
  get entries(): EntrySpace {
    if (!this.space) throw new Error(`index ${this.name} is not attached to a collection`);
    return this.space;
  }

  /** What the catalog keeps of this index. */
  meta(): IndexEntryMeta {
    return { iid: this.iid, spec: this.spec, multikey: this.multikey, multikeyPaths: [...this.multikeyPaths] };
  }

  /** True when the other spec describes the same index (createIndexes is then a no-op). */
  sameAs(spec: Doc): boolean {
    const other = new Index(spec);
    return (
      other.name === this.name &&
      JSON.stringify(other.fields) === JSON.stringify(this.fields) &&
      other.unique === this.unique &&
      other.sparse === this.sparse &&
      JSON.stringify(other.spec.partialFilterExpression) === JSON.stringify(this.spec.partialFilterExpression) &&
      other.expireAfterSeconds === this.expireAfterSeconds
    );
  }

  /** Same key pattern (ignoring name and options). */
  sameKey(spec: Doc): boolean {
    return JSON.stringify(new Index({ key: spec.key, name: 'x' }).fields) === JSON.stringify(this.fields);
  }

  /** Index keys of a document (without record id), or null if the document is not indexed. */
  keysFor(doc: Doc, plain: () => unknown): unknown[][] | null {
    const ids = this.keyIds(doc, plain);
    return ids && [...ids.values()].map((k) => k.key);
  }

  /**
   * A document's distinct keys, each under an identity that is equal exactly when the keys compare
   * equal: in a one-field index whose keys here are all strings, the string itself (no encoding
   * needed, so an array of thousands of terms is cheap to compare with its previous version);
   * otherwise the key's encoding, kept for its entry. Null when the document is not indexed.
   */
  keyIds(doc: Doc, plain: () => unknown): Map<string, KeyById> | null {
    const keys = this.rawKeys(doc, plain);
    if (!keys) return null;
    const out = new Map<string, KeyById>();
    if (this.fields.length === 1 && keys.every((k) => typeof k[0] === 'string')) {
      for (const k of keys) {
        const id = `s${k[0] as string}`;
        if (!out.has(id)) out.set(id, { key: k });
      }
      return out;
    }
    for (const k of keys) {
      const encoded = encodeKeyPrefix(k, this.dirs);
      const id = `e${encoded.toString('latin1')}`;
      if (!out.has(id)) out.set(id, { key: k, encoded });
    }
    return out;
  }

  /** A document's distinct keys in this index with their entries for record `rid` (null: not indexed). */
  keyedEntries(doc: Doc, plain: () => unknown, rid: number): KeyedEntries | null {
    const ids = this.keyIds(doc, plain);
    if (!ids) return null;
    const out: KeyedEntries = { keys: [], entries: [] };
    for (const k of ids.values()) {
      out.keys.push(k.key);
      out.entries.push(this.entryOf(k.key, rid, k.encoded));
    }
    return out;
  }

  /** Keys of a document, one per array element (repeats included), or null if not indexed. */
  private rawKeys(doc: Doc, plain: () => unknown): unknown[][] | null {
    if (this.partial !== undefined && !this.partial(plain())) return null;
    const perField = this.fields.map((f) => collectKeyValues(doc, f.parts));
    if (this.sparse && this.fields.every((f) => !hasPath(doc, f.parts, 0))) return null;
    const arrays = perField.filter((kv) => kv.multikey);
    if (arrays.length > 1) {
      const names = this.fields.filter((_, i) => perField[i]?.multikey).map((f) => `[${f.path}]`);
      throw new MongoError(ErrorCodes.CannotIndexParallelArrays, `cannot index parallel arrays ${names.join(' ')}`);
    }
    if (arrays.length === 0) return [perField.map((kv) => kv.values[0])];
    this.multikey = true;
    for (const [i, f] of this.fields.entries()) if (perField[i]?.multikey) this.multikeyPaths.add(f.path);
    let keys: unknown[][] = [[]];
    for (const kv of perField) {
      const next: unknown[][] = [];
      for (const k of keys) for (const v of kv.values) next.push([...k, v]);
      keys = next;
    }
    return keys;
  }

  /** The stored entry of one key of a record (`encoded`: the key's encoding when already known). */
  entryOf(key: unknown[], rid: number, encoded?: Buffer): Buffer {
    return Buffer.concat([encoded ?? encodeKeyPrefix(key, this.dirs), ridBytes(rid)]);
  }

  /** The position in `entries` of the first key another record already holds, or -1. */
  conflictingEntry(entries: Buffer[], rid: number): number {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Buffer;
      const key = e.subarray(0, e.length - 8);
      for (const found of this.entries.range(key, prefixEnd(key), false)) {
        if (ridOf(found) !== rid) return i;
      }
    }
    return -1;
  }

  /** The E11000 error for a key of this index. */
  duplicateError(ns: string, key: unknown[]): MongoError {
    const keyPattern: Doc = {};
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => {
      keyPattern[f.path] = f.dir;
      keyValue[f.path] = key[i] === undefined ? null : key[i];
    });
    const shown = this.fields.map((f, i) => `${f.path}: ${formatKeyValue(key[i])}`).join(', ');
    return new MongoError(
      ErrorCodes.DuplicateKey,
      `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`,
      { keyPattern, keyValue },
    );
  }
}

function hasPath(v: unknown, parts: readonly string[], i: number): boolean {
  if (i === parts.length) return v !== undefined;
  if (Array.isArray(v)) {
    const part = parts[i] as string;
    if (isIndexPart(part)) return hasPath(v[Number(part)], parts, i + 1);
    return v.some((e) => hasPath(e, parts, i));
  }
  return isPlainObject(v) && hasPath(v[parts[i] as string], parts, i + 1);
}

/** `{a: 1, b: -1}` → `a_1_b_-1`, as the drivers and the server name indexes. */
export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${isNumeric(v) ? numberOf(v) : String(v)}`)
    .join('_');
}

/** Renders a key value the way MongoDB prints it in E11000 messages. */
export function formatKeyValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof ObjectId || bsonTag(v) === 'ObjectId') return `ObjectId('${(v as ObjectId).toHexString()}')`;
  if (isNumeric(v)) return String(numberOf(v));
  if (Array.isArray(v)) return `[ ${v.map(formatKeyValue).join(', ')} ]`;
  if (isPlainObject(v)) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${formatKeyValue(x)}`).join(', ')} }`;
  return String(v);
}
