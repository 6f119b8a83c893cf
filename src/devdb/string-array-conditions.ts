import type { RawTest } from './engine.js';
import { int32At, keyEnd, stringsOnly, valueSize } from './lazy-fields.js';
import { pendingBytes } from './pending-fields.js';
import { isPlainObject, type Doc } from './values.js';

/*
 * Conditions on a top-level array of strings (a ticket's search terms), tested without mingo and,
 * when the array is still pending (lazy-fields.ts), on its BSON bytes without decoding it: a search
 * checks its other words on every ticket an index finds, and decoding ~800 terms to test one cost
 * more than the rest of the read. Only these shapes, ANDed at the top level or in a top-level
 * `$and`, are taken; anything else stays with mingo. On a document whose field is not an array of
 * strings (missing, a scalar like a status, mixed), that condition is matched by mingo alone, so
 * results never depend on this path.
 *
 *   {f: 's'}  {f: {$eq: 's'}}  {f: {$in: ['s', …]}}  {f: {$nin: ['s', …]}}
 *   {f: {$elemMatch: {$gte|$gt: 'a', $lt|$lte: 'b'}}}
 *   {$nor: [{$and: [<any of the positive shapes above, on one field>]}]}
 */

type Test = (values: StringArray) => boolean;

/** An array of strings, decoded or as BSON bytes. */
interface StringArray {
  has(s: string): boolean;
  someBetween(lo: Bound | null, hi: Bound | null): boolean;
}

interface Bound {
  /** The bound as UTF-8 bytes (for a pending array's bytes) and as a string (for a decoded array). */
  value: Buffer;
  text: string;
  inclusive: boolean;
}

/** One condition this module tests: its field, its test, and the condition as written (for mingo). */
export interface StringArrayCondition {
  field: string;
  test: Test;
  source: Doc;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');

/* The test of one positive field condition, or null for a shape left to mingo. */
function positive(value: unknown): Test | null {
  if (typeof value === 'string') return (a) => a.has(value);
  if (!isPlainObject(value)) return null;
  const ops = Object.keys(value);
  if (ops.length !== 1) return null;
  const [op] = ops;
  const arg = value[op as string];
  if (op === '$eq' && typeof arg === 'string') return (a) => a.has(arg);
  if (op === '$in' && isStringList(arg)) return (a) => arg.some((s) => a.has(s));
  if (op === '$elemMatch' && isPlainObject(arg)) {
    let lo: Bound | null = null;
    let hi: Bound | null = null;
    for (const [k, v] of Object.entries(arg)) {
      if (typeof v !== 'string') return null;
      const b = { value: Buffer.from(v, 'utf8'), text: v, inclusive: k === '$gte' || k === '$lte' };
      if ((k === '$gte' || k === '$gt') && !lo) lo = b;
      else if ((k === '$lte' || k === '$lt') && !hi) hi = b;
      else return null;
    }
    return lo || hi ? (a) => a.someBetween(lo, hi) : null;
  }
  return null;
}

/* The conditions of one `{field: value}` pair (null: leave it to mingo). */
function fieldCondition(field: string, value: unknown): StringArrayCondition | null {
  if (field.startsWith('$') || field.includes('.')) return null;
  const pos = positive(value);
  if (pos) return { field, test: pos, source: { [field]: value } };
  if (isPlainObject(value) && Object.keys(value).length === 1 && isStringList(value.$nin)) {
    const nin = value.$nin;
    return { field, test: (a) => !nin.some((s) => a.has(s)), source: { [field]: value } };
  }
  return null;
}

/* `{$nor: [{$and: [...]}]}` of positive conditions on one field: not all of them. */
function norCondition(value: unknown): StringArrayCondition | null {
  if (!Array.isArray(value) || value.length !== 1 || !isPlainObject(value[0])) return null;
  const inner = value[0];
  const members = Object.keys(inner).length === 1 && Array.isArray(inner.$and) ? inner.$and : [inner];
  const tests: Test[] = [];
  let field: string | null = null;
  for (const m of members) {
    if (!isPlainObject(m) || Object.keys(m).length !== 1) return null;
    const [f, v] = Object.entries(m)[0]!;
    if (f.startsWith('$') || f.includes('.') || (field !== null && f !== field)) return null;
    const t = positive(v);
    if (!t) return null;
    field = f;
    tests.push(t);
  }
  if (field === null) return null;
  return { field, test: (a) => !tests.every((t) => t(a)), source: { $nor: value } };
}

/**
 * Splits a filter into the string-array conditions this module tests and the rest (for mingo):
 * top-level pairs and members of a top-level `$and` only. `conditions` is empty when none qualify.
 */
export function splitStringArrayConditions(filter: Doc): { conditions: StringArrayCondition[]; rest: Doc } {
  const conditions: StringArrayCondition[] = [];
  const rest: Doc = {};
  const restAnd: unknown[] = [];
  const take = (k: string, v: unknown): boolean => {
    const c = k === '$nor' ? norCondition(v) : fieldCondition(k, v);
    if (c) conditions.push(c);
    return c !== null;
  };
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const m of v) {
        if (isPlainObject(m) && Object.keys(m).length === 1 && take(...(Object.entries(m)[0] as [string, unknown]))) continue;
        restAnd.push(m);
      }
      continue;
    }
    if (!take(k, v)) rest[k] = v;
  }
  if (restAnd.length > 0) rest.$and = restAnd;
  return { conditions, rest };
}

class DecodedArray implements StringArray {
  private set: Set<string> | undefined;
  constructor(private readonly values: readonly string[]) {}
  has(s: string): boolean {
    if (this.values.length < 16) return this.values.includes(s);
    this.set ??= new Set(this.values);
    return this.set.has(s);
  }
  someBetween(lo: Bound | null, hi: Bound | null): boolean {
    return this.values.some((v) => (!lo || passes(compareCodePoints(v, lo.text), lo.inclusive, 1)) && (!hi || passes(compareCodePoints(v, hi.text), hi.inclusive, -1)));
  }
}

/* `c` (value against bound) on the right side of a lower (sign 1) or upper (sign -1) bound. */
const passes = (c: number, inclusive: boolean, sign: 1 | -1) => c * sign > 0 || (c === 0 && inclusive);

/*
 * Compares strings by code point, as MongoDB (UTF-8 bytes) does, without encoding them: UTF-16
 * code units order the same except that surrogates (astral code points) must sort above U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/* A BSON array of strings: `\x02 <index> \0 <int32 size> <bytes> \0` per element. */
class BsonStringArray implements StringArray {
  /** Set when an answer could not be given for sure (an element that is not a string, on an unverified array). */
  unsure = false;
  /**
   * `stringsOnly`: for bytes not yet known to hold only strings, how to find out (asked only when an
   * answer depends on it: a needle found may sit in another type's bytes, a needle not found is sure).
   */
  constructor(
    private readonly bytes: Buffer,
    private stringsOnly?: () => boolean,
  ) {}
  private verified(): boolean {
    if (!this.stringsOnly) return true;
    const ok = this.stringsOnly();
    this.stringsOnly = undefined;
    if (!ok) this.unsure = true;
    return ok;
  }
  has(s: string): boolean {
    const body = Buffer.from(s, 'utf8');
    const needle = Buffer.allocUnsafe(body.length + 5);
    needle.writeInt32LE(body.length + 1, 0);
    body.copy(needle, 4);
    needle[needle.length - 1] = 0;
    // The size and the terminator pin a whole element: a string holds no NUL, so a match can only
    // start right after an element's index (digits, then NUL).
    for (let at = this.bytes.indexOf(needle, 4); at >= 0; at = this.bytes.indexOf(needle, at + 1)) {
      if (this.bytes[at - 1] === 0 && isDigit(this.bytes[at - 2])) return this.verified();
    }
    return false;
  }
  someBetween(lo: Bound | null, hi: Bound | null): boolean {
    const b = this.bytes;
    const end = b.length - 1;
    // Every string between two bounds starts with what the bounds share (UTF-8 orders as its bytes):
    // a prefix range. Its bytes appear nowhere in most documents, which one native search tells;
    // elsewhere only the values starting with them are compared with the bounds.
    const shared = lo && hi ? sharedPrefix(lo.value, hi.value) : EMPTY;
    if (shared.length >= 2 && b.indexOf(shared, 4) < 0) return false;
    const first = lo && lo.value.length > 0 ? (lo.value[0] as number) : 0;
    const last = hi && hi.value.length > 0 ? (hi.value[0] as number) : 0xff;
    const checkTypes = this.stringsOnly !== undefined;
    let p = 4;
    for (let i = 0, digits = 1, next = 10; p < end; i++) {
      if (i === next) [digits, next] = [digits + 1, next * 10];
      if (checkTypes && b[p] !== 0x02) {
        this.unsure = true;
        return true;
      }
      p = keyEnd(b, p, digits) + 1;
      const size = int32At(b, p);
      if (startsWith(b, p + 4, size - 1, shared, first, last) && within(b, p + 4, p + 3 + size, lo, hi)) return true;
      p += 4 + size;
    }
    return false;
  }
}

const EMPTY = Buffer.alloc(0);

function sharedPrefix(a: Buffer, b: Buffer): Buffer {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return a.subarray(0, n);
}

/* Whether the value of `length` bytes at `at` may lie between the bounds: it starts with their shared bytes, and its first byte is within the bounds' first bytes. */
function startsWith(b: Buffer, at: number, length: number, shared: Buffer, first: number, last: number): boolean {
  if (length === 0) return shared.length === 0;
  const lead = b[at] as number;
  if (lead < first || lead > last || length < shared.length) return false;
  for (let k = 1; k < shared.length; k++) if (b[at + k] !== shared[k]) return false;
  return true;
}


const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/* Whether the string at b[start, end) is within the bounds: strings compare by code point, which is their UTF-8 byte order. */
function within(b: Buffer, start: number, end: number, lo: Bound | null, hi: Bound | null): boolean {
  // Each compare is bound-against-value, hence the negation.
  if (lo && !passes(-lo.value.compare(b, start, end), lo.inclusive, 1)) return false;
  if (hi && !passes(-hi.value.compare(b, start, end), hi.inclusive, -1)) return false;
  return true;
}

/** The field of a document as a string array to test, or null when it is not one (mingo decides). */
function stringArrayOf(doc: Doc, field: string): StringArray | null {
  const bytes = pendingBytes(doc, field);
  if (bytes) return new BsonStringArray(bytes);
  const v = doc[field];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? new DecodedArray(v as string[]) : null;
}

/**
 * Tests the conditions on a document, each on its field as an array of strings, or through
 * `fallback(i, doc)` (mingo with condition i alone) when that field is not one.
 */
export function testStringArrayConditions(conditions: readonly StringArrayCondition[], doc: Doc, fallback: (i: number, doc: Doc) => boolean): boolean {
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    const a = stringArrayOf(doc, c.field);
    if (!(a === null ? fallback(i, doc) : c.test(a))) return false;
  }
  return true;
}

/* An empty array's BSON: its size and terminator. */
const EMPTY_ARRAY_BYTES = 5;

/**
 * A test of a whole stored document's BSON bytes against the conditions, without decoding it: false
 * only when a condition fails on its field as the (non-empty) array of strings it holds; any other
 * field's condition is left to the full match. A walk that reads many documents to keep a few (a
 * search's other words, a word tested along the list, the access keys) so skips decoding the rest.
 */
export function rawDocumentTest(conditions: readonly StringArrayCondition[]): RawTest | null {
  if (conditions.length === 0) return null;
  const names = [...new Set(conditions.map((c) => c.field))].map((f) => ({ field: f, bytes: Buffer.from(f, 'utf8') }));
  return (b, verified) => {
    const arrays = new Map<string, BsonStringArray>();
    let p = 4;
    while (p < b.length - 1 && b[p] !== 0) {
      const type = b[p] as number;
      const nameEnd = b.indexOf(0, p + 1);
      if (nameEnd < 0) return true;
      const at = nameEnd + 1;
      const size = valueSize(type, b, at);
      if (size < 0) return true;
      if (type === 0x04 && size > EMPTY_ARRAY_BYTES) {
        const named = names.find((n) => n.bytes.length === nameEnd - p - 1 && n.bytes.equals(b.subarray(p + 1, nameEnd)));
        if (named) {
          const field = named.field;
          const check = verified?.has(field)
            ? undefined
            : () => {
                const ok = stringsOnly(b, at, size);
                if (ok) verified?.add(field);
                return ok;
              };
          arrays.set(field, new BsonStringArray(b.subarray(at, at + size), check));
        }
      }
      p = at + size;
    }
    for (const c of conditions) {
      const a = arrays.get(c.field);
      if (a === undefined) continue;
      const holds = c.test(a);
      if (a.unsure) return true;
      if (!holds) return false;
    }
    return true;
  };
}
