import { Binary, Double, ObjectId, type Decimal128, type Long } from 'bson';
import { copyPendingField, isPendingField, pendingKeysOf } from './pending-fields.js';

/** A BSON document as held in memory. */
export type Doc = Record<string, unknown>;

/*
 * Canonical in-memory form of stored values ("typed" form):
 * - int32 is a plain JS number (integral, inside the int32 range);
 * - double is a plain JS number when BSON would serialise that number back as a double anyway
 *   (non-integral or outside the int32 range), otherwise a `Double` wrapper (e.g. 1.0, -0);
 * - int64 stays `Long`, decimal stays `Decimal128`; everything else as the `bson` package gives it.
 * This round-trips every numeric type exactly while most documents hold no wrapper at all, so the
 * "plain" view that mingo works on (wrappers turned into JS numbers) can share them unchanged.
 */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** True for a JS number that BSON serialises as int32. */
export function isInt32Number(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0);
}

/** The `_bsontype` tag of a bson class instance, if any. */
export function bsonTag(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

/** A plain object (document), not an array or a bson/JS class instance. */
export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Numeric BSON values: JS numbers and the Double/Int32/Long/Decimal128 wrappers. */
export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return true;
  const t = bsonTag(v);
  return t === 'Double' || t === 'Int32' || t === 'Long' || t === 'Decimal128';
}

/** Makes a double value canonical (wrapper only where a plain number would come back as int32). */
export function canonicalDouble(n: number): number | Double {
  return isInt32Number(n) || Object.is(n, -0) ? new Double(n) : n;
}

/** Converts a freshly deserialised value (promoteValues: false) to canonical form, in place where possible. */
export function canonicalize(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = canonicalize(v[i]);
    return v;
  }
  const tag = bsonTag(v);
  if (tag !== undefined) {
    if (tag === 'Int32') return (v as { value: number }).value;
    if (tag === 'Double') return canonicalDouble((v as Double).value);
    return v;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) v[k] = canonicalize(v[k]);
  }
  return v;
}

/** The JS number a numeric wrapper stands for (lossy for huge Long / Decimal128). */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  switch (bsonTag(v)) {
    case 'Double':
    case 'Int32':
      return (v as Double).value;
    case 'Long':
      return (v as Long).toNumber();
    case 'Decimal128':
      return Number((v as Decimal128).toString());
    default:
      return NaN;
  }
}

const origins = new WeakMap<object, object>();

/*
 * mingo compares objects of one class through toString(), which for Binary decodes UTF-8 and so
 * makes different byte strings equal; in the plain view binaries get an exact string form instead.
 */
class PlainBinary extends Binary {
  override toString(encoding?: 'hex' | 'base64' | 'utf8' | 'utf-8'): string {
    return encoding ? super.toString(encoding) : `${this.sub_type}:${super.toString('base64')}`;
  }
}

function isWrapper(tag: string | undefined): boolean {
  return tag === 'Double' || tag === 'Long' || tag === 'Decimal128' || tag === 'Int32';
}

/**
 * The view mingo works on: numeric wrappers become JS numbers. Subtrees without wrappers are
 * shared with the typed value; rebuilt objects remember their typed origin for {@link fromPlain}.
 */
export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const p = toPlain(v[i]);
      if (p !== v[i] && out === undefined) out = v.slice(0, i);
      if (out !== undefined) out.push(p);
    }
    if (out === undefined) return v;
    origins.set(out, v);
    return out;
  }
  const tag = bsonTag(v);
  if (tag === 'Binary' && !(v instanceof PlainBinary)) return new PlainBinary((v as Binary).value(), (v as Binary).sub_type);
  if (tag !== undefined) return isWrapper(tag) ? numberOf(v) : v;
  if (!isPlainObject(v)) return v;
  let out: Doc | undefined;
  const keys = Object.keys(v);
  const pending = pendingKeysOf(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    // A field not decoded yet is an array of strings (lazy-fields.ts): its plain view is itself, read when a filter reads it.
    if (pending?.has(k) && isPendingField(v, k)) {
      if (out !== undefined) copyPendingField(out, v, k);
      continue;
    }
    const p = toPlain(v[k]);
    if (p !== v[k] && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) {
        const earlier = keys[j] as string;
        if (pending?.has(earlier) && isPendingField(v, earlier)) copyPendingField(out, v, earlier);
        else out[earlier] = v[earlier];
      }
    }
    if (out !== undefined) out[k] = p;
  }
  if (out === undefined) return v;
  origins.set(out, v);
  return out;
}

/**
 * Converts a mingo result back to typed form: a number that is unchanged from the typed value at
 * the same place (known through {@link toPlain} origins or the hint) gets its wrapper back.
 */
export function fromPlain(v: unknown, hint?: unknown): unknown {
  if (typeof v === 'number') {
    if (hint !== undefined && isWrapper(bsonTag(hint)) && Object.is(numberOf(hint), v)) return hint;
    return v;
  }
  if (v === null || typeof v !== 'object') return v;
  const origin = origins.get(v) ?? hint;
  if (Array.isArray(v)) {
    const h = Array.isArray(origin) ? origin : undefined;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const t = fromPlain(v[i], h?.[i]);
      if (t !== v[i] && out === undefined) out = v.slice(0, i);
      if (out !== undefined) out.push(t);
    }
    return out ?? v;
  }
  if (!isPlainObject(v)) return v;
  const h = isPlainObject(origin) ? origin : undefined;
  let out: Doc | undefined;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const t = fromPlain(v[k], h?.[k]);
    if (t !== v[k] && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j] as string] = v[keys[j] as string];
    }
    if (out !== undefined) out[k] = t;
  }
  return out ?? v;
}

/** Deep copy of documents and arrays; bson values and dates are immutable here and shared. */
export function cloneDeep<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x: unknown) => cloneDeep(x)) as T;
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = cloneDeep(v[k]);
  const origin = origins.get(v);
  if (origin !== undefined) origins.set(out, origin);
  return out as T;
}

/** A copy of one document or array level (children shared), remembering the same typed origin. */
export function shallowCopy<T extends object>(v: T): T {
  const out = (Array.isArray(v) ? v.slice() : { ...v }) as T;
  const origin = origins.get(v);
  if (origin !== undefined) origins.set(out, origin);
  return out;
}

/** A deep copy of a plain view that keeps pointing at the same typed origin (for mingo stages that mutate). */
export function clonePlain(plain: unknown, typed: unknown): unknown {
  if (plain === null || typeof plain !== 'object') return plain;
  if (Array.isArray(plain)) {
    const t = Array.isArray(typed) ? typed : undefined;
    const out = plain.map((x: unknown, i) => clonePlain(x, t?.[i]));
    if (typed !== undefined && typeof typed === 'object') origins.set(out, typed as object);
    return out;
  }
  if (!isPlainObject(plain)) return plain;
  const t = isPlainObject(typed) ? typed : undefined;
  const out: Doc = {};
  for (const k of Object.keys(plain)) out[k] = clonePlain(plain[k], t?.[k]);
  if (t !== undefined) origins.set(out, t);
  return out;
}

/** A new ObjectId (for documents inserted without `_id`). */
export function newId(): ObjectId {
  return new ObjectId();
}

/** Returns `doc` with `_id` as its first field (MongoDB always stores it first). */
export function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}

