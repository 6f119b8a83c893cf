import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { bsonTag, isPlainObject, type Doc } from './values.js';
import { collectKeyValues, splitPath } from './paths.js';
import { fail } from './errors.js';

/*
 * MongoDB's canonical BSON type order. Numbers of every BSON type share one bracket and compare
 * by value; strings compare by code point (= UTF-8 byte order).
 */
const enum Rank {
  MinKey = -1,
  Undefined = 0,
  Null = 5,
  Number = 10,
  String = 15,
  Object = 20,
  Array = 25,
  BinData = 30,
  ObjectId = 35,
  Bool = 40,
  Date = 45,
  Timestamp = 47,
  RegExp = 50,
  DBPointer = 55,
  Code = 60,
  CodeWScope = 65,
  MaxKey = 127,
}

/** Sentinel that sorts just below (high=false) or above (high=true) every value of a type rank. */
export class KeyBound {
  constructor(
    readonly rank: number,
    readonly high: boolean,
  ) {}
}

/** Below every value. */
export const KEY_MIN = new KeyBound(-Infinity, false);
/** Above every value. */
export const KEY_MAX = new KeyBound(Infinity, true);

/** MongoDB's canonical type rank of a value (used for type brackets and sort). */
export function typeRank(v: unknown): number {
  if (v === undefined) return Rank.Undefined;
  if (v === null) return Rank.Null;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'string':
      return Rank.String;
    case 'boolean':
      return Rank.Bool;
    case 'object':
      break;
    default:
      return Rank.Object;
  }
  if (Array.isArray(v)) return Rank.Array;
  if (v instanceof Date) return Rank.Date;
  if (v instanceof RegExp) return Rank.RegExp;
  switch (bsonTag(v)) {
    case undefined:
      return Buffer.isBuffer(v) || v instanceof Uint8Array ? Rank.BinData : Rank.Object;
    case 'Double':
    case 'Int32':
    case 'Long':
    case 'Decimal128':
      return Rank.Number;
    case 'BSONSymbol':
      return Rank.String;
    case 'Binary':
      return Rank.BinData;
    case 'ObjectId':
      return Rank.ObjectId;
    case 'Timestamp':
      return Rank.Timestamp;
    case 'BSONRegExp':
      return Rank.RegExp;
    case 'Code':
      return (v as { scope?: unknown }).scope ? Rank.CodeWScope : Rank.Code;
    case 'MinKey':
      return Rank.MinKey;
    case 'MaxKey':
      return Rank.MaxKey;
    case 'DBPointer':
      return Rank.DBPointer;
    default:
      return Rank.Object;
  }
}

function numericValue(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  switch (bsonTag(v)) {
    case 'Long':
      return (v as Long).toBigInt();
    case 'Decimal128':
      return Number((v as Decimal128).toString());
    default:
      return (v as { value: number }).value;
  }
}

function compareNumbers(a: unknown, b: unknown): number {
  const x = numericValue(a);
  const y = numericValue(b);
  if (typeof x === 'number' && typeof y === 'number') {
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === y) return 0;
    // NaN sorts below every other number and equals itself
    return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
  }
  if (typeof x === 'number' && Number.isNaN(x)) return -1;
  if (typeof y === 'number' && Number.isNaN(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares strings by Unicode code point, like MongoDB's binary comparison of UTF-8. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // surrogates (astral code points) must sort after U+E000..U+FFFF
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return Buffer.compare(a, b);
}

function compareObjects(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i] as string];
    const vb = b[kb[i] as string];
    const r = typeRank(va) - typeRank(vb);
    if (r !== 0) return r < 0 ? -1 : 1;
    const f = compareStrings(ka[i] as string, kb[i] as string);
    if (f !== 0) return f;
    const c = compareValues(va, vb);
    if (c !== 0) return c;
  }
  return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function asDoc(v: unknown): Doc {
  if (isPlainObject(v)) return v;
  const json = (v as { toJSON?: () => unknown }).toJSON?.();
  return isPlainObject(json) ? json : {};
}

/** Total order over BSON values following MongoDB's comparison rules (returns -1, 0 or 1). */
export function compareValues(a: unknown, b: unknown): number {
  if (a instanceof KeyBound || b instanceof KeyBound) return compareBound(a, b);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case Rank.Number:
      return compareNumbers(a, b);
    case Rank.String:
      return compareStrings(String(a), String(b));
    case Rank.Object:
      return compareObjects(asDoc(a), asDoc(b));
    case Rank.Array:
      return compareArrays(a as unknown[], b as unknown[]);
    case Rank.BinData: {
      const x = a as Binary;
      const y = b as Binary;
      const bx = bsonTag(x) ? x.value() : (a as Uint8Array);
      const by = bsonTag(y) ? y.value() : (b as Uint8Array);
      if (bx.length !== by.length) return bx.length < by.length ? -1 : 1;
      const st = (bsonTag(x) ? x.sub_type : 0) - (bsonTag(y) ? y.sub_type : 0);
      return st !== 0 ? (st < 0 ? -1 : 1) : compareBytes(bx, by);
    }
    case Rank.ObjectId:
      return Buffer.compare((a as ObjectId).id, (b as ObjectId).id);
    case Rank.Bool:
      return a === b ? 0 : a ? 1 : -1;
    case Rank.Date: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Rank.Timestamp: {
      const x = a as Timestamp;
      const y = b as Timestamp;
      return x.t !== y.t ? (x.t < y.t ? -1 : 1) : x.i < y.i ? -1 : x.i > y.i ? 1 : 0;
    }
    case Rank.RegExp: {
      const x = a as RegExp & { pattern?: string; options?: string };
      const y = b as RegExp & { pattern?: string; options?: string };
      const s = compareStrings(x.source ?? x.pattern ?? '', y.source ?? y.pattern ?? '');
      return s !== 0 ? s : compareStrings(x.flags ?? x.options ?? '', y.flags ?? y.options ?? '');
    }
    case Rank.Code:
    case Rank.CodeWScope:
      return compareStrings(String((a as { code: unknown }).code), String((b as { code: unknown }).code));
    default:
      return 0;
  }
}

function compareBound(a: unknown, b: unknown): number {
  if (a instanceof KeyBound && b instanceof KeyBound) {
    return a.rank !== b.rank ? (a.rank < b.rank ? -1 : 1) : a.high === b.high ? 0 : a.high ? 1 : -1;
  }
  if (a instanceof KeyBound) {
    const r = typeRank(b);
    if (r !== a.rank) return a.rank < r ? -1 : 1;
    return a.high ? 1 : -1;
  }
  return -compareBound(b, a);
}

/** A sort specification as an ordered list of `[path parts, direction]`. */
export type SortSpec = Array<[string[], 1 | -1]>;

/** Parses `{field: 1 | -1}`; `$meta` and other forms fail loudly. */
export function parseSort(sort: unknown): SortSpec {
  if (sort === undefined || sort === null) return [];
  if (!isPlainObject(sort)) throw fail.badValue('sort must be an object');
  const spec: SortSpec = [];
  for (const [k, v] of Object.entries(sort)) {
    if (isPlainObject(v)) throw fail.notSupported(`sort by ${JSON.stringify(v)}`);
    const n = typeof v === 'number' ? v : Number((v as { valueOf(): unknown } | null)?.valueOf());
    if (n !== 1 && n !== -1) throw fail.badValue('$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    spec.push([splitPath(k), n]);
  }
  return spec;
}

/** The value MongoDB sorts a document by for one key: the min (ascending) or max (descending) of its keys. */
export function sortKeyOf(doc: unknown, parts: readonly string[], dir: 1 | -1): unknown {
  const { values } = collectKeyValues(doc, parts);
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const c = compareValues(values[i], best);
    if (dir === 1 ? c < 0 : c > 0) best = values[i];
  }
  return best;
}

/** Sorts documents in place (stable) by a sort spec using MongoDB semantics. */
export function sortDocs<T>(docs: T[], spec: SortSpec, view: (d: T) => unknown = (d) => d): T[] {
  if (spec.length === 0) return docs;
  const keyed = docs.map((d, i) => ({ d, i, k: spec.map(([parts, dir]) => sortKeyOf(view(d), parts, dir)) }));
  keyed.sort((x, y) => {
    for (let j = 0; j < spec.length; j++) {
      const c = compareValues(x.k[j], y.k[j]);
      if (c !== 0) return c * (spec[j] as [string[], 1 | -1])[1];
    }
    return x.i - y.i;
  });
  for (let i = 0; i < keyed.length; i++) docs[i] = (keyed[i] as { d: T }).d;
  return docs;
}
