import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { KEY_MAX, KEY_MIN, KeyBound, compareValues, typeRank } from '../../../src/devdb/compare.js';
import { encodeBound, encodeKeyPrefix, encodeValue, invert, prefixEnd, ridBytes, ridOf } from '../../../src/devdb/key-encoding.js';

/*
 * Property test: the byte encoding of index keys must order exactly like `compareValues`, the
 * server's BSON comparison (the oracle). Values come from a seeded generator that covers every
 * type rank and deliberately produces near neighbours (other representations of one number,
 * string prefixes, reordered fields, ±1 ulp, ...) so that ties and close calls are frequent.
 *
 * Excluded from generation (known, accepted divergences): strings with lone UTF-16 surrogates
 * (UTF-8 cannot hold them and BSON strings from the wire never contain them) and invalid Dates.
 */

const SEED = Number(process.env.KEY_ENCODING_SEED ?? 0x5eed_1dc5);
console.log(`key-encoding property test seed: ${SEED} (override with KEY_ENCODING_SEED=<n>)`);

/** Every type rank `compareValues` knows, ascending. */
const ALL_RANKS = [-1, 0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 47, 50, 55, 60, 65, 127];

/* Cut-off of long encodings in key-encoding.ts: above MAX bytes, the first CUT bytes + a 16-byte digest. */
const MAX_VALUE_BYTES = 560;
const CUT_BYTES = 560;
const DIGEST_BYTES = 16;

// ---------------------------------------------------------------------------------------------
// Seeded random numbers (mulberry32); each test derives its own stream so tests stay independent.

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  u32(): number {
    return (this.next() * 4294967296) >>> 0;
  }
  bytes(n: number, alphabet?: readonly number[]): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = alphabet ? this.pick(alphabet) : this.int(256);
    return b;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  }
}

function rngFor(name: string): Rng {
  let h = SEED >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x9e3779b1) >>> 0;
  return new Rng(h);
}

// ---------------------------------------------------------------------------------------------
// Value generator

/* Boundary characters of UTF-8 / UTF-16 (no lone surrogates: astral characters are whole pairs). */
const CHARS = [
  'a', 'b', 'z', 'A', '0', ' ', '\u0000', '\u0001', '\u007f', '\u0080', 'é', 'ÿ', '\u0100', 'ß', '\u07ff', '\u0800', '中', '日',
  '\ud7ff', '\ue000', '\uff5e', '\uffff', '😀', '😁', '\u{10000}', '\u{10ffff}',
];
const KEYS = ['a', 'b', 'c', 'aa', 'ab', 'b\u0000', '', 'é', '中', '😀', '_id', 'x.y', '1', '10'];
const REGEX_PIECES = ['a', 'b', 'é', '中', '😀', '.', '^', '$', '\\d', '[a-z]', 'x*', '(?:a|b)', '\\/', ' '];
const REGEX_FLAGS = ['', 'i', 'm', 's', 'u', 'im', 'is', 'ms', 'imsu'];
const BSON_ONLY_FLAGS = ['x', 'l', 'ix', 'lmx'];
const SUBTYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0xff];
const TIMES = [0, -1, 1, 1000, -1000, 86_400_000, 1_700_000_000_000, -62_135_596_800_000, 253_402_300_799_999, 8.64e15, -8.64e15];
const U32S = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

const SPECIAL_DOUBLES = [
  0, -0, 1, -1, 0.5, -0.5, 0.1, -0.1, 1 / 3, 2, 3, 10, 100, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 52, 2 ** 53 - 1,
  2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 54, 2 ** 62, 2 ** 63, -(2 ** 63), 2 ** 64, 1e20, 1e21, 1e300, -1e300, Number.MAX_VALUE,
  -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2 * Number.MIN_VALUE, 2.2250738585072014e-308, 2.225073858507201e-308,
  -2.2250738585072014e-308, Number.EPSILON, 1 + Number.EPSILON, 1 - Number.EPSILON / 2, Infinity, -Infinity, NaN,
];
const SPECIAL_LONGS = [
  0n, 1n, -1n, 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 2n, 2n ** 53n + 3n,
  -(2n ** 53n) - 1n, 2n ** 54n + 1n, 2n ** 62n, 2n ** 63n - 1n, 2n ** 63n - 2n, 2n ** 63n - 512n, 2n ** 63n - 513n, 2n ** 63n - 1024n,
  2n ** 63n - 1025n, -(2n ** 63n), -(2n ** 63n) + 1n, -(2n ** 63n) + 1024n,
];
const SPECIAL_DECIMALS = [
  '0', '-0', '0E+10', '1', '1.0', '1.00', '-1', '0.1', '0.5', '-0.5', '2147483647', '2147483648', '9007199254740992',
  '9007199254740993', '9223372036854775807', '9223372036854775808', '1E+308', '1.8E+308', '1E+400', '-1E+400', '1E-400', '5E-324',
  '123.456', '0.30000000000000004', 'NaN', '-NaN', 'Infinity', '-Infinity',
];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function clampInt64(b: bigint): bigint {
  return b < INT64_MIN ? INT64_MIN : b > INT64_MAX ? INT64_MAX : b;
}

function randomDouble(rng: Rng): number {
  switch (rng.int(5)) {
    case 0:
      return rng.range(-1000, 1000);
    case 1:
      return (rng.next() - 0.5) * 10 ** rng.range(-5, 25);
    case 2: {
      const b = rng.bytes(8); // any bit pattern: subnormals, huge, NaN payloads
      return b.readDoubleBE(0);
    }
    case 3:
      return rng.u32() - 2 ** 31;
    default:
      return (rng.u32() * 2 ** 21 + rng.int(2 ** 21)) * (rng.bool() ? 1 : -1); // up to 2^53
  }
}

function randomLong(rng: Rng): bigint {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(SPECIAL_LONGS);
    case 1:
      return BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
    case 2:
      return BigInt(rng.range(-1000, 1000));
    default: {
      // next to a double beyond 2^53, where doubles are sparse
      const d = rng.pick([2 ** 53, 2 ** 54, 2 ** 60, 2 ** 62, 2 ** 63 - 1024, -(2 ** 62), -(2 ** 63)]) + (rng.int(16) - 8) * 2 ** rng.range(1, 10);
      return clampInt64(BigInt(d) + BigInt(rng.range(-3, 3)));
    }
  }
}

function asDouble(rng: Rng, d: number): unknown {
  // the canonical form is a plain number or a Double for int32-valued doubles and -0; both are valid inputs
  return rng.bool(0.6) ? d : new Double(d);
}

function genNumber(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0:
    case 1:
      return asDouble(rng, rng.pick(SPECIAL_DOUBLES));
    case 2:
      return asDouble(rng, randomDouble(rng));
    case 3:
      return rng.range(-5, 5); // small int32s: many ties across representations
    case 4:
    case 5:
      return Long.fromBigInt(randomLong(rng));
    case 6:
      return Decimal128.fromString(rng.bool() ? rng.pick(SPECIAL_DECIMALS) : decimalString(rng));
    default:
      return new Int32(rng.u32() | 0);
  }
}

function decimalString(rng: Rng): string {
  const digits = String(rng.range(0, 99999));
  return `${rng.bool() ? '-' : ''}${digits}E${rng.range(-40, 40)}`;
}

function nextDouble(d: number, up: boolean): number {
  if (Number.isNaN(d) || d === (up ? Infinity : -Infinity)) return d;
  if (d === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const b = Buffer.alloc(8);
  b.writeDoubleBE(d);
  let bits = b.readBigUInt64BE();
  bits += d > 0 === up ? 1n : -1n;
  b.writeBigUInt64BE(bits);
  return b.readDoubleBE();
}

/** A numeric neighbour: the same value in another BSON type, or the next value up or down. */
function nearNumber(rng: Rng, v: unknown): unknown {
  const tag = v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
  if (tag === 'Long') {
    const b = (v as Long).toBigInt();
    switch (rng.int(4)) {
      case 0:
        return Number(b); // rounds beyond 2^53
      case 1:
        return Long.fromBigInt(clampInt64(b + BigInt(rng.range(-2, 2))));
      case 2:
        return Decimal128.fromString(b.toString());
      default:
        return new Double(Number(b));
    }
  }
  const d = tag === 'Decimal128' ? Number((v as Decimal128).toString()) : typeof v === 'number' ? v : (v as { value: number }).value;
  switch (rng.int(5)) {
    case 0:
      return typeof v === 'number' ? new Double(d) : d;
    case 1:
      return Number.isInteger(d) && Math.abs(d) <= 2 ** 63 ? Long.fromBigInt(clampInt64(BigInt(d))) : new Double(d);
    case 2:
      return Number.isFinite(d) ? Decimal128.fromString(String(d)) : Decimal128.fromString(String(d).replace('Infinity', 'Inf'));
    case 3:
      return nextDouble(d, rng.bool());
    default:
      return Object.is(d, 0) ? -0 : Object.is(d, -0) ? 0 : Number.isInteger(d) && Math.abs(d) < 2 ** 31 ? new Int32(d) : d;
  }
}

function genString(rng: Rng, maxLen = 6): string {
  let s = '';
  const n = rng.int(maxLen + 1);
  for (let i = 0; i < n; i++) s += rng.pick(CHARS);
  return s;
}

function nearString(rng: Rng, s: string): string {
  const cps = [...s];
  switch (rng.int(5)) {
    case 0:
      return cps.slice(0, rng.int(cps.length + 1)).join(''); // a prefix
    case 1:
      return s + genString(rng, 2); // an extension
    case 2:
      if (cps.length > 0) cps[rng.int(cps.length)] = rng.pick(CHARS);
      return cps.join('');
    case 3:
      return s + '\u0000';
    default:
      return s;
  }
}

function genPattern(rng: Rng): string {
  let p = '';
  const n = rng.int(4);
  for (let i = 0; i < n; i++) p += rng.pick(REGEX_PIECES);
  return p;
}

function makeRegex(rng: Rng, pattern: string, flags: string): unknown {
  if (rng.bool(0.5)) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // e.g. not valid with the u flag: fall through to the BSON form, which does not parse patterns
    }
  }
  return new BSONRegExp(pattern, flags);
}

function regexParts(v: unknown): { pattern: string; flags: string } {
  if (v instanceof RegExp) return { pattern: v.source, flags: v.flags };
  const r = v as BSONRegExp;
  return { pattern: r.pattern, flags: r.options };
}

function genBinary(rng: Rng, maxLen = 12): unknown {
  const bytes = rng.bytes(rng.int(maxLen + 1), rng.bool() ? [0, 1, 0x7f, 0x80, 0xff] : undefined);
  if (rng.bool(0.2)) return rng.bool() ? bytes : new Uint8Array(bytes);
  return new Binary(bytes, rng.pick(SUBTYPES));
}

function binaryParts(v: unknown): { bytes: Buffer; subtype: number } {
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v), subtype: 0 };
  return { bytes: Buffer.from((v as Binary).value()), subtype: (v as Binary).sub_type };
}

function genObjectId(rng: Rng): ObjectId {
  return new ObjectId(rng.bytes(12, rng.bool() ? [0, 1, 0xfe, 0xff] : undefined));
}

function genTimestamp(rng: Rng): Timestamp {
  return new Timestamp({ t: rng.bool() ? rng.pick(U32S) : rng.u32(), i: rng.bool() ? rng.pick(U32S) : rng.u32() });
}

function fakeDbPointer(rng: Rng): unknown {
  // the bson package has no DBPointer class (it reads one as a DBRef); compareValues ranks any `_bsontype: 'DBPointer'`
  return { _bsontype: 'DBPointer', namespace: rng.pick(['db.a', 'db.b']), oid: genObjectId(rng) };
}

function genObject(rng: Rng, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = rng.int(4);
  for (let i = 0; i < n; i++) o[rng.pick(KEYS)] = gen(rng, depth - 1);
  return o;
}

function genArray(rng: Rng, depth: number): unknown[] {
  const n = rng.int(5);
  const a: unknown[] = [];
  for (let i = 0; i < n; i++) a.push(gen(rng, depth - 1));
  return a;
}

/** A random value of a random type rank (containers nest up to `depth`). */
function gen(rng: Rng, depth = 3): unknown {
  const r = rng.int(depth > 0 ? 34 : 28);
  switch (r) {
    case 0:
      return new MinKey();
    case 1:
      return undefined;
    case 2:
      return null;
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
      return genNumber(rng);
    case 8:
    case 9:
    case 10:
      return genString(rng);
    case 11:
      return new BSONSymbol(genString(rng));
    case 12:
    case 13:
      return genBinary(rng, rng.bool(0.9) ? 6 : 40);
    case 14:
      return genObjectId(rng);
    case 15:
      return rng.bool();
    case 16:
    case 17:
      return new Date(rng.bool() ? rng.pick(TIMES) : Math.round((rng.next() - 0.5) * 2 * 8.64e15));
    case 18:
      return genTimestamp(rng);
    case 19:
    case 20:
      return makeRegex(rng, genPattern(rng), rng.bool(0.85) ? rng.pick(REGEX_FLAGS) : '');
    case 21:
      return new BSONRegExp(genPattern(rng), rng.pick(BSON_ONLY_FLAGS));
    case 22:
      return fakeDbPointer(rng);
    case 23:
      return new Code(genString(rng, 4));
    case 24:
      return new Code(genString(rng, 4), rng.bool() ? {} : { a: rng.int(3) });
    case 25:
      return new MaxKey();
    case 26:
      return rng.bool() ? {} : [];
    case 27:
      return new DBRef(rng.pick(['a', 'b']), genObjectId(rng));
    case 28:
    case 29:
    case 30:
      return genObject(rng, depth);
    default:
      return genArray(rng, depth);
  }
}

/** A value close to `v`: equal in another form, or differing in one small place. */
function near(rng: Rng, v: unknown, depth = 3): unknown {
  if (rng.bool(0.1)) return gen(rng, depth); // occasionally anything
  const rank = typeRank(v);
  switch (rank) {
    case 10:
      return nearNumber(rng, v);
    case 15: {
      const s = String(v);
      const t = rng.bool(0.3) ? s : nearString(rng, s);
      return rng.bool(0.2) ? new BSONSymbol(t) : t;
    }
    case 20: {
      const doc = v instanceof DBRef ? (v.toJSON() as unknown as Record<string, unknown>) : (v as Record<string, unknown>);
      const entries = Object.entries(doc);
      switch (rng.int(6)) {
        case 0:
          rng.shuffle(entries); // other field order
          break;
        case 1:
          entries.pop();
          break;
        case 2:
          entries.push([rng.pick(KEYS), gen(rng, depth - 1)]);
          break;
        case 3:
          if (entries.length > 0) (entries[rng.int(entries.length)] as [string, unknown])[0] = rng.pick(KEYS);
          break;
        case 4:
          if (entries.length > 0) {
            const e = entries[rng.int(entries.length)] as [string, unknown];
            e[1] = near(rng, e[1], depth - 1);
          }
          break;
        default:
          break; // equal, maybe as a DBRef vs a plain document
      }
      return Object.fromEntries(entries);
    }
    case 25: {
      const a = [...(v as unknown[])];
      switch (rng.int(5)) {
        case 0:
          return a.slice(0, rng.int(a.length + 1)); // a prefix
        case 1:
          return [...a, gen(rng, depth - 1)];
        case 2:
          if (a.length > 0) {
            const i = rng.int(a.length);
            a[i] = near(rng, a[i], depth - 1);
          }
          return a;
        case 3:
          return a.map((x) => near(rng, x, depth - 1));
        default:
          return a;
      }
    }
    case 30: {
      const { bytes, subtype } = binaryParts(v);
      switch (rng.int(5)) {
        case 0:
          return subtype === 0 && rng.bool() ? bytes : new Binary(bytes, subtype);
        case 1:
          return new Binary(bytes, rng.pick(SUBTYPES));
        case 2: {
          const b = Buffer.from(bytes);
          if (b.length > 0) b[rng.int(b.length)] = rng.int(256);
          return new Binary(b, subtype);
        }
        case 3:
          return new Binary(bytes.subarray(0, rng.int(bytes.length + 1)), subtype);
        default:
          return new Binary(Buffer.concat([bytes, rng.bytes(rng.range(1, 2))]), subtype);
      }
    }
    case 35: {
      const id = Buffer.from((v as ObjectId).id);
      const at = rng.range(8, 11);
      if (rng.bool()) id[at] = (id[at] as number) ^ (1 << rng.int(8));
      return new ObjectId(id);
    }
    case 40:
      return rng.bool() ? v : !v;
    case 45: {
      const t = (v as Date).getTime();
      const u = t + rng.range(-1, 1);
      return new Date(Math.abs(u) <= 8.64e15 ? u : t);
    }
    case 47: {
      const ts = v as Timestamp;
      const bump = (n: number): number => Math.min(0xffffffff, Math.max(0, n + rng.range(-1, 1)));
      return rng.bool() ? new Timestamp({ t: bump(ts.t), i: ts.i }) : new Timestamp({ t: ts.t, i: bump(ts.i) });
    }
    case 50: {
      const { pattern, flags } = regexParts(v);
      const okFlags = /^[imsu]*$/.test(flags) ? flags : '';
      switch (rng.int(3)) {
        case 0:
          return makeRegex(rng, pattern, okFlags); // the same regex, maybe in the other class
        case 1:
          return makeRegex(rng, pattern, rng.pick(REGEX_FLAGS));
        default:
          return makeRegex(rng, pattern + rng.pick(REGEX_PIECES), okFlags);
      }
    }
    case 60:
    case 65: {
      const c = v as Code;
      const code = rng.bool() ? c.code : nearString(rng, c.code);
      return new Code(code, rank === 65 ? (rng.bool() ? c.scope : { other: 1 }) : null);
    }
    default:
      return v; // MinKey, undefined, null, DBPointer, MaxKey: one value per rank
  }
}

/** A value whose encoding is not cut (the exact-order guarantee applies). */
function genShort(rng: Rng, depth = 3): unknown {
  for (;;) {
    const v = gen(rng, depth);
    if (encodeBound(v).exact) return v;
  }
}

function nearShort(rng: Rng, v: unknown): unknown {
  for (;;) {
    const w = near(rng, v);
    if (encodeBound(w).exact) return w;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function show(v: unknown): string {
  if (v instanceof KeyBound) return `KeyBound(${v.rank}, ${v.high ? 'high' : 'low'})`;
  return inspect(v, { depth: 10, breakLength: Infinity });
}

function hex(b: Buffer): string {
  return b.length > 80 ? `${b.subarray(0, 80).toString('hex')}…(${b.length} bytes)` : b.toString('hex');
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Collects counterexamples and reports the first few with their encodings. */
class Failures {
  readonly list: string[] = [];
  count = 0;
  add(msg: string): void {
    this.count++;
    if (this.list.length < 5) this.list.push(msg);
  }
  pair(what: string, a: unknown, b: unknown, expected: number, actual: number, ea?: Buffer, eb?: Buffer): void {
    this.add(
      `${what}: expected sign ${expected}, bytes gave ${actual}\n  a = ${show(a)}${ea ? `\n      ${hex(ea)}` : ''}\n  b = ${show(b)}${eb ? `\n      ${hex(eb)}` : ''}`,
    );
  }
  assertNone(): void {
    expect(this.list, `${this.count} counterexample(s), seed ${SEED}`).toEqual([]);
  }
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function startsWith(b: Buffer, prefix: Buffer): boolean {
  return b.length >= prefix.length && b.subarray(0, prefix.length).equals(prefix);
}

// ---------------------------------------------------------------------------------------------

describe('key encoding: byte order equals compareValues', () => {
  it('generates values of every type rank compareValues knows', () => {
    const rng = rngFor('coverage');
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(typeRank(gen(rng)));
    expect([...seen].sort((x, y) => x - y)).toEqual(ALL_RANKS);
  });

  it('orders random and neighbouring pairs like compareValues (equality both ways), 40 000 pairs', () => {
    const rng = rngFor('pairs');
    const failures = new Failures();
    let equal = 0;
    for (let i = 0; i < 40_000; i++) {
      const a = genShort(rng);
      const b = rng.bool(0.6) ? nearShort(rng, a) : genShort(rng);
      const expected = sign(compareValues(a, b));
      if (sign(compareValues(b, a)) !== -expected) failures.add(`oracle not antisymmetric: ${show(a)} vs ${show(b)}`);
      const ea = encodeValue(a);
      const eb = encodeValue(b);
      const actual = sign(Buffer.compare(ea, eb));
      if (actual !== expected) failures.pair('pair', a, b, expected, actual, ea, eb);
      // equality both ways: equal values give identical bytes, identical bytes mean equal values
      if ((expected === 0) !== ea.equals(eb)) failures.pair('equality', a, b, expected, actual, ea, eb);
      if (!encodeValue(a).equals(ea)) failures.add(`encoding not deterministic: ${show(a)}`);
      if (expected === 0) equal++;
    }
    failures.assertNone();
    expect(equal).toBeGreaterThan(2000); // the neighbour generator really produces ties
  });

  it('orders the tricky numeric neighbours exactly (Long beyond 2^53, -0, NaN, infinities, subnormals)', () => {
    const L = (b: bigint): Long => Long.fromBigInt(b);
    const D = (s: string): Decimal128 => Decimal128.fromString(s);
    // each inner list is ascending; values inside a tuple are equal
    const ladder: unknown[][] = [
      [NaN, new Double(NaN), D('NaN'), D('-NaN')],
      [-Infinity, new Double(-Infinity), D('-Infinity'), D('-1E+400')],
      [-Number.MAX_VALUE],
      [L(-(2n ** 63n)), -(2 ** 63), D('-9223372036854775808')],
      [L(-(2n ** 63n) + 1n)],
      [L(-(2n ** 53n) - 1n)],
      [-(2 ** 53), L(-(2n ** 53n))],
      [-1, new Double(-1), L(-1n), new Int32(-1), D('-1.0')],
      [-Number.MIN_VALUE],
      [0, -0, new Double(-0), new Double(0), L(0n), new Int32(0), D('0'), D('-0'), D('0E+10'), D('1E-400')],
      [Number.MIN_VALUE, D('5E-324')],
      [2.225073858507201e-308],
      [2.2250738585072014e-308],
      [0.5, D('0.5')],
      [1, new Double(1), L(1n), D('1.00')],
      [1 + Number.EPSILON],
      [2 ** 31 - 1, new Int32(2 ** 31 - 1), L(2n ** 31n - 1n)],
      [2 ** 31, new Double(2 ** 31), L(2n ** 31n)],
      [2 ** 53 - 1, L(2n ** 53n - 1n)],
      [2 ** 53, L(2n ** 53n), D('9007199254740992'), D('9007199254740993')], // that decimal is read as a double
      [L(2n ** 53n + 1n)],
      [2 ** 53 + 2, L(2n ** 53n + 2n)],
      [L(2n ** 53n + 3n)],
      [L(2n ** 63n - 1025n)],
      [2 ** 63 - 1024, L(2n ** 63n - 1024n)],
      [L(2n ** 63n - 513n)],
      [L(2n ** 63n - 512n)],
      [L(2n ** 63n - 2n)],
      [L(2n ** 63n - 1n)],
      [2 ** 63, new Double(2 ** 63), D('9223372036854775808')],
      [2 ** 64],
      [Number.MAX_VALUE],
      [Infinity, D('Infinity'), D('1E+400')],
    ];
    const failures = new Failures();
    const flat = ladder.flatMap((group, g) => group.map((v) => ({ v, g })));
    for (const x of flat) {
      for (const y of flat) {
        const truth = sign(x.g - y.g);
        const oracle = sign(compareValues(x.v, y.v));
        if (oracle !== truth) failures.add(`compareValues disagrees with the ladder: ${show(x.v)} vs ${show(y.v)}`);
        const ex = encodeValue(x.v);
        const ey = encodeValue(y.v);
        const actual = sign(Buffer.compare(ex, ey));
        if (actual !== truth) failures.pair('numeric ladder', x.v, y.v, truth, actual, ex, ey);
      }
    }
    failures.assertNone();
  });

  it('orders strings by code point: NUL, prefixes, accents, CJK, astral characters', () => {
    const ladder = [
      '',
      '\u0000',
      '\u0000\u0000',
      '\u0000a',
      '\u0001',
      'a',
      'a\u0000',
      'a\u0000\u0000',
      'a\u0000b',
      'a\u0001',
      'aa',
      'ab',
      'b',
      '\u007f',
      '\u0080',
      'é',
      'éa',
      'ÿ',
      '\u0100',
      '\u07ff',
      '\u0800',
      '中',
      '\ud7ff',
      '\ue000',
      '\uffff',
      '\uffff\u0000',
      '\u{10000}',
      '😀',
      '😀a',
      '😁',
      '\u{10ffff}',
    ];
    const failures = new Failures();
    for (let i = 0; i < ladder.length; i++) {
      for (let j = 0; j < ladder.length; j++) {
        const [a, b] = [ladder[i] as string, ladder[j] as string];
        const truth = sign(i - j);
        if (sign(compareValues(a, b)) !== truth) failures.add(`compareValues disagrees with the ladder: ${show(a)} vs ${show(b)}`);
        const actual = sign(Buffer.compare(encodeValue(a), encodeValue(b)));
        if (actual !== truth) failures.pair('string ladder', a, b, truth, actual, encodeValue(a), encodeValue(b));
        // a BSONSymbol is a string for comparison
        const symbol = sign(Buffer.compare(encodeValue(new BSONSymbol(a)), encodeValue(b)));
        if (symbol !== truth) failures.pair('symbol vs string', new BSONSymbol(a), b, truth, symbol);
      }
    }
    failures.assertNone();
  });

  it('sorting by encoded bytes gives the compareValues order (equal up to ties)', () => {
    const rng = rngFor('sort');
    const failures = new Failures();
    for (let round = 0; round < 40; round++) {
      const values: unknown[] = [];
      for (let i = 0; i < 300; i++) values.push(i > 0 && rng.bool(0.4) ? nearShort(rng, rng.pick(values)) : genShort(rng));
      // (wrapped: Array.prototype.sort puts undefined elements last without asking the comparator)
      const byOracle = values
        .map((v) => ({ v }))
        .sort((x, y) => compareValues(x.v, y.v))
        .map((x) => x.v);
      const byBytes = values
        .map((v) => ({ v, e: encodeValue(v) }))
        .sort((x, y) => Buffer.compare(x.e, y.e))
        .map((x) => x.v);
      for (let i = 0; i < values.length; i++) {
        if (compareValues(byOracle[i], byBytes[i]) !== 0) {
          failures.add(`round ${round}, position ${i}: compareValues order has ${show(byOracle[i])}, byte order has ${show(byBytes[i])}`);
          break;
        }
      }
      // and the oracle's order is non-decreasing in bytes
      for (let i = 1; i < byOracle.length; i++) {
        const c = Buffer.compare(encodeValue(byOracle[i - 1]), encodeValue(byOracle[i]));
        if (c > 0) failures.pair('sorted neighbours', byOracle[i - 1], byOracle[i], -1, 1);
      }
    }
    failures.assertNone();
  });

  it('is prefix-free: no encoding is a proper prefix of another value’s encoding', () => {
    // If x were a proper prefix of y, every byte string between them also starts with x, so x's
    // successor in sorted order starts with x: checking sorted neighbours covers all pairs.
    const rng = rngFor('prefix-free');
    const set = new Map<string, Buffer>();
    for (let i = 0; i < 30_000; i++) {
      const v = i % 3 === 0 && i > 0 ? nearShort(rng, genShort(rng)) : genShort(rng);
      const e = encodeValue(v);
      set.set(e.toString('hex'), e);
    }
    for (let i = 0; i < 300; i++) {
      const e = encodeValue(genLong(rng));
      set.set(e.toString('hex'), e);
    }
    const sorted = [...set.values()].sort(Buffer.compare);
    const failures = new Failures();
    for (let i = 1; i < sorted.length; i++) {
      const [x, y] = [sorted[i - 1] as Buffer, sorted[i] as Buffer];
      if (startsWith(y, x)) failures.add(`${hex(x)} is a proper prefix of ${hex(y)}`);
    }
    failures.assertNone();
    expect(sorted.length).toBeGreaterThan(10_000);
  });

  it('inverted (descending) encodings reverse the order', () => {
    const rng = rngFor('invert');
    const failures = new Failures();
    for (let i = 0; i < 20_000; i++) {
      const a = genShort(rng);
      const b = rng.bool(0.6) ? nearShort(rng, a) : genShort(rng);
      const expected = -sign(compareValues(a, b));
      const ia = invert(encodeValue(a));
      const ib = invert(encodeValue(b));
      const actual = sign(Buffer.compare(ia, ib));
      if (actual !== expected) failures.pair('descending', a, b, expected, actual, ia, ib);
    }
    failures.assertNone();
    const e = encodeValue({ a: [1, 'x'] });
    const copy = Buffer.from(e);
    expect(invert(e)).toBe(e); // in place
    expect(invert(e)).toEqual(copy); // an involution
  });

  it('compound keys with mixed directions order lexicographically, field by field', () => {
    const rng = rngFor('compound');
    const failures = new Failures();
    for (let i = 0; i < 20_000; i++) {
      const n = rng.range(1, 4);
      const dirs = Array.from({ length: n }, () => (rng.bool() ? 1 : -1));
      const a = Array.from({ length: n }, () => genShort(rng, 2));
      // b mostly ties a's leading fields, so later fields and their directions decide
      const b = a.map((x) => (rng.bool(0.5) ? x : rng.bool(0.7) ? nearShort(rng, x) : genShort(rng, 2)));
      let expected = 0;
      for (let j = 0; j < n && expected === 0; j++) expected = sign(compareValues(a[j], b[j])) * (dirs[j] as number);
      const ka = encodeKeyPrefix(a, dirs);
      const kb = encodeKeyPrefix(b, dirs);
      const actual = sign(Buffer.compare(ka, kb));
      if (actual !== expected) failures.pair(`compound dirs=${dirs.join(',')}`, a, b, expected, actual, ka, kb);
      // leading fields encode as a prefix of the whole key (what a scan over an index prefix uses)
      const k = rng.range(0, n);
      if (!startsWith(ka, encodeKeyPrefix(a.slice(0, k), dirs))) failures.add(`prefix of ${k} fields is not a key prefix: ${show(a)}`);
      // index entries (key + record id) sort by key, then by record id
      const [ra, rb] = [rng.int(1000), rng.int(1000)];
      const entryOrder = sign(Buffer.compare(Buffer.concat([ka, ridBytes(ra)]), Buffer.concat([kb, ridBytes(rb)])));
      const expectedEntry = expected !== 0 ? expected : sign(ra - rb);
      if (entryOrder !== expectedEntry) failures.pair(`entry rids ${ra}/${rb}`, a, b, expectedEntry, entryOrder);
    }
    failures.assertNone();
  });
});

describe('key encoding: bounds', () => {
  const bounds = (): KeyBound[] => [KEY_MIN, ...ALL_RANKS.flatMap((r) => [new KeyBound(r, false), new KeyBound(r, true)]), KEY_MAX];

  it('KeyBound(rank, low/high) sorts just below/above every value of its rank, between neighbouring ranks; KEY_MIN/KEY_MAX outside everything', () => {
    const rng = rngFor('bounds');
    const failures = new Failures();
    const all = bounds();
    for (const kb of all) {
      const enc = encodeBound(kb);
      if (!enc.exact) failures.add(`${show(kb)} is not exact`);
    }
    // bounds against each other
    for (const x of all) {
      for (const y of all) {
        const expected = sign(compareValues(x, y));
        const actual = sign(Buffer.compare(encodeBound(x).bytes, encodeBound(y).bytes));
        if (actual !== expected) failures.pair('bound vs bound', x, y, expected, actual, encodeBound(x).bytes, encodeBound(y).bytes);
      }
    }
    // bounds against values of every rank (each rank's only values included: MinKey, null, ...)
    const values: unknown[] = [new MinKey(), undefined, null, fakeDbPointer(rng), new MaxKey(), {}, [], '', 0, NaN, -Infinity];
    for (let i = 0; i < 4000; i++) values.push(genShort(rng));
    for (const v of values) {
      const ev = encodeValue(v);
      for (const kb of all) {
        const expected = sign(compareValues(kb, v));
        const eb = encodeBound(kb).bytes;
        const actual = sign(Buffer.compare(eb, ev));
        if (actual !== expected) failures.pair('bound vs value', kb, v, expected, actual, eb, ev);
        // a descending field inverts both
        const inverted = sign(Buffer.compare(invert(Buffer.from(eb)), invert(Buffer.from(ev))));
        if (inverted !== -expected) failures.pair('inverted bound vs value', kb, v, -expected, inverted);
      }
    }
    failures.assertNone();
    for (let i = 1; i < ALL_RANKS.length; i++) {
      const hiPrev = encodeBound(new KeyBound(ALL_RANKS[i - 1] as number, true)).bytes;
      const loNext = encodeBound(new KeyBound(ALL_RANKS[i] as number, false)).bytes;
      expect(Buffer.compare(hiPrev, loNext), `ranks ${ALL_RANKS[i - 1]} < ${ALL_RANKS[i]}`).toBe(-1);
    }
  });

  it('a value bound is the value’s own encoding when short, and a widenable prefix when long', () => {
    const rng = rngFor('value-bounds');
    for (let i = 0; i < 3000; i++) {
      const v = genShort(rng);
      expect(encodeBound(v)).toEqual({ bytes: encodeValue(v), exact: true });
    }
    const failures = new Failures();
    const longs = Array.from({ length: 200 }, () => genLong(rng));
    const others = [...longs.flatMap((v) => [nearLong(rng, v), nearLong(rng, v)]), ...Array.from({ length: 500 }, () => genShort(rng))];
    for (const v of longs) {
      const { bytes, exact } = encodeBound(v);
      const full = encodeValue(v);
      if (exact) {
        if (!bytes.equals(full)) failures.add(`exact bound differs from the value: ${show(v)}`);
        continue;
      }
      if (bytes.length !== CUT_BYTES || !startsWith(full, bytes)) failures.add(`cut bound is not the ${CUT_BYTES}-byte prefix: ${hex(bytes)}`);
      const end = prefixEnd(bytes) as Buffer;
      for (const w of others) {
        const c = compareValues(w, v);
        const ew = encodeValue(w);
        // as an inclusive lower bound: nothing >= v is below it; widened upper bound prefixEnd: nothing <= v is above it
        if (c >= 0 && Buffer.compare(ew, bytes) < 0) failures.pair('value >= v below the cut bound', w, v, 1, -1);
        if (c <= 0 && Buffer.compare(ew, end) >= 0) failures.pair('value <= v above prefixEnd(cut bound)', w, v, -1, 1);
      }
    }
    failures.assertNone();
  });
});

describe('prefixEnd', () => {
  it('is the smallest byte string greater than every string starting with the prefix', () => {
    const rng = rngFor('prefix-end');
    const failures = new Failures();
    expect(prefixEnd(Buffer.alloc(0))).toBeUndefined();
    expect(prefixEnd(Buffer.from([0xff, 0xff]))).toBeUndefined();
    expect(prefixEnd(Buffer.from([0x01, 0xff, 0xff]))).toEqual(Buffer.from([0x02]));
    expect(prefixEnd(Buffer.from([0x14, 0x61]))).toEqual(Buffer.from([0x14, 0x62]));
    for (let i = 0; i < 5000; i++) {
      const p = rng.bytes(rng.range(1, 6), [0x00, 0x01, 0x7f, 0xfe, 0xff]);
      const end = prefixEnd(p);
      if (end === undefined) {
        if (!p.every((b) => b === 0xff)) failures.add(`no end for ${hex(p)}`);
        continue;
      }
      if (startsWith(end, p)) failures.add(`prefixEnd(${hex(p)}) = ${hex(end)} starts with the prefix`);
      for (let j = 0; j < 20; j++) {
        const x = rng.bool(0.5) ? Buffer.concat([p, rng.bytes(rng.range(0, 4), [0x00, 0xff, 0x80])]) : rng.bytes(rng.range(0, 7), [0x00, 0x01, 0x02, 0x7f, 0xfe, 0xff]);
        const greaterThanAll = !startsWith(x, p) && Buffer.compare(x, p) > 0; // above every string starting with p
        if (startsWith(x, p) && Buffer.compare(x, end) >= 0) failures.add(`${hex(x)} starts with ${hex(p)} but is not below ${hex(end)}`);
        if (greaterThanAll && Buffer.compare(x, end) < 0) failures.add(`${hex(x)} is above all of ${hex(p)}… but below prefixEnd ${hex(end)}`);
        if (!startsWith(x, p) && !greaterThanAll && Buffer.compare(x, end) >= 0) failures.add(`${hex(x)} < ${hex(p)} but not below its end`);
      }
    }
    failures.assertNone();
  });

  it('bounds exactly the strings that start with a given string (a prefix regex scan)', () => {
    const rng = rngFor('string-prefix');
    const failures = new Failures();
    for (let i = 0; i < 1000; i++) {
      const q = genString(rng, 3);
      const eq = encodeValue(q);
      const lo = eq.subarray(0, eq.length - 2); // the encoding without the 00 00 terminator
      const hi = prefixEnd(lo) as Buffer;
      for (let j = 0; j < 30; j++) {
        const s = rng.bool() ? q + genString(rng, 3) : nearString(rng, q);
        const es = encodeValue(s);
        const inside = Buffer.compare(es, lo) >= 0 && Buffer.compare(es, hi) < 0;
        if (inside !== s.startsWith(q)) failures.add(`${show(s)} ${inside ? 'inside' : 'outside'} the range of prefix ${show(q)}`);
      }
    }
    failures.assertNone();
  });
});

describe('record ids', () => {
  it('round-trip through ridBytes/ridOf and sort numerically, up to 2^53 - 1', () => {
    const rng = rngFor('rids');
    const special = [0, 1, 255, 256, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52, 2 ** 53 - 2, Number.MAX_SAFE_INTEGER];
    const rids = [...special, ...Array.from({ length: 5000 }, () => (rng.bool() ? rng.int(2 ** 32) : Math.floor(rng.next() * Number.MAX_SAFE_INTEGER)))];
    for (const r of rids) {
      const b = ridBytes(r);
      expect(b.length).toBe(8);
      expect(ridOf(b)).toBe(r);
      // ridOf reads the last 8 bytes of an entry, wherever the entry sits in its buffer
      const backing = Buffer.concat([Buffer.from([9, 9, 9]), encodeValue('key'), b, Buffer.from([7])]);
      expect(ridOf(backing.subarray(3, backing.length - 1))).toBe(r);
      expect(ridOf(new Uint8Array(backing.buffer, backing.byteOffset + 3, backing.length - 4))).toBe(r);
    }
    for (let i = 0; i < 5000; i++) {
      const [a, b] = [rng.pick(rids), rng.pick(rids)];
      expect(sign(Buffer.compare(ridBytes(a), ridBytes(b)))).toBe(sign(a - b));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Long values (encodings above 560 bytes end in a digest)

function genLongString(rng: Rng): string {
  let s = '';
  const n = rng.range(200, 500);
  for (let i = 0; i < n; i++) s += rng.pick(CHARS);
  return s;
}

function genLong(rng: Rng): unknown {
  switch (rng.int(7)) {
    case 0:
      return genLongString(rng);
    case 1:
      return Array.from({ length: rng.range(45, 90) }, () => rng.range(0, 3)); // 13+1 bytes per number
    case 2:
      return new Binary(rng.bytes(rng.range(560, 1200), [0, 1, 0xff]), rng.pick([0, 4, 0x80]));
    case 3: {
      const o: Record<string, unknown> = {};
      const n = rng.range(40, 70);
      for (let i = 0; i < n; i++) o[`f${i}`] = rng.bool() ? rng.range(0, 3) : genString(rng, 3);
      return o;
    }
    case 4:
      return { a: genLongString(rng), b: rng.range(0, 3) };
    case 5:
      return new Code(genLongString(rng));
    default:
      return [rng.range(0, 2), genLongString(rng)];
  }
}

/** Another form of the same value (other numeric types, symbol for string, Buffer for Binary 0). */
function sameLong(v: unknown): unknown {
  if (typeof v === 'string') return new BSONSymbol(v);
  if (typeof v === 'number') return Long.fromNumber(v);
  if (Array.isArray(v)) return v.map(sameLong);
  if (v instanceof Binary) return v.sub_type === 0 ? Buffer.from(v.value()) : new Binary(Buffer.from(v.value()), v.sub_type);
  if (v instanceof Code) return new Code(v.code);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sameLong(x)]));
  return v;
}

/** Changes `v` at a random place: early (within the first few hundred bytes) or late (near the end). */
function changeLong(rng: Rng, v: unknown, late: boolean): unknown {
  const at = (n: number): number => (late ? n - 1 - rng.int(Math.min(3, n)) : rng.int(Math.min(20, n)));
  if (typeof v === 'string') {
    const cps = [...v];
    if (late && rng.bool(0.3)) return v + rng.pick(CHARS);
    cps[at(cps.length)] = rng.pick(CHARS);
    return cps.join('');
  }
  if (Array.isArray(v)) {
    const a = [...v];
    if (late && rng.bool(0.3)) return [...a, 1];
    const i = at(a.length);
    a[i] = changeLong(rng, a[i], late);
    return a;
  }
  if (typeof v === 'number') return v + (rng.bool() ? 1 : -1);
  if (v instanceof Binary) {
    const b = Buffer.from(v.value());
    const i = at(b.length);
    b[i] = (b[i] as number) ^ 1;
    return new Binary(b, v.sub_type);
  }
  if (v instanceof Code) return new Code(changeLong(rng, v.code, late) as string);
  const entries = Object.entries(v as Record<string, unknown>);
  const i = at(entries.length);
  const e = entries[i] as [string, unknown];
  e[1] = changeLong(rng, e[1], late);
  return Object.fromEntries(entries);
}

function nearLong(rng: Rng, v: unknown): unknown {
  switch (rng.int(3)) {
    case 0:
      return sameLong(v);
    case 1:
      return changeLong(rng, v, false);
    default:
      return changeLong(rng, v, true);
  }
}

describe('key encoding: long values', () => {
  it(`cuts encodings above ${MAX_VALUE_BYTES} bytes to ${CUT_BYTES} bytes + a ${DIGEST_BYTES}-byte digest, keeping equality exact`, () => {
    const rng = rngFor('long-equality');
    const failures = new Failures();
    let cut = 0;
    let distinctSharingPrefix = 0;
    for (let i = 0; i < 2000; i++) {
      const a = genLong(rng);
      const ea = encodeValue(a);
      if (ea.length > MAX_VALUE_BYTES && ea.length !== CUT_BYTES + DIGEST_BYTES) failures.add(`long encoding of ${ea.length} bytes`);
      if (ea.length === CUT_BYTES + DIGEST_BYTES) cut++;
      for (const b of [sameLong(a), changeLong(rng, a, false), changeLong(rng, a, true)]) {
        const eb = encodeValue(b);
        const equal = compareValues(a, b) === 0;
        // distinct values -> distinct encodings, equal values -> identical encodings
        if (equal !== ea.equals(eb)) failures.pair('long equality', a, b, equal ? 0 : 1, ea.equals(eb) ? 0 : 1, ea, eb);
        if (!equal && firstDifference(ea, eb) >= CUT_BYTES) distinctSharingPrefix++;
      }
    }
    failures.assertNone();
    expect(cut).toBeGreaterThan(1000);
    expect(distinctSharingPrefix).toBeGreaterThan(500); // told apart by the digest alone
  });

  it(`preserves order when two long values' encodings differ within their first ${CUT_BYTES} bytes`, () => {
    const rng = rngFor('long-order');
    const failures = new Failures();
    const longs: unknown[] = [];
    const pool: unknown[] = [];
    for (let i = 0; i < 400; i++) {
      const a = genLong(rng);
      longs.push(a);
      pool.push(a, nearLong(rng, a), changeLong(rng, a, false), genShort(rng));
    }
    let checked = 0;
    for (let i = 0; i < 40_000; i++) {
      const a = rng.bool(0.5) ? rng.pick(longs) : rng.pick(pool);
      const b = rng.bool(0.5) && longs.includes(a) ? nearLong(rng, a) : rng.pick(pool);
      const ea = encodeValue(a);
      const eb = encodeValue(b);
      if (firstDifference(ea, eb) >= CUT_BYTES) continue; // shared cut prefix: see the next test
      checked++;
      const expected = sign(compareValues(a, b));
      const actual = sign(Buffer.compare(ea, eb));
      if (actual !== expected) failures.pair('long order', a, b, expected, actual, ea, eb);
    }
    failures.assertNone();
    expect(checked).toBeGreaterThan(20_000);
  });

  it(`does not preserve order among long values sharing a ${CUT_BYTES}-byte encoded prefix (by design: the planner re-checks filters)`, () => {
    // What still holds for them: they are told apart exactly, and every one of them lies inside the
    // widened range [cut bound, prefixEnd(cut bound)) of any of them, so range scans still find them.
    const rng = rngFor('long-shared-prefix');
    const failures = new Failures();
    let pairs = 0;
    for (let i = 0; i < 1000; i++) {
      const a = genLong(rng);
      const b = changeLong(rng, a, true);
      const ea = encodeValue(a);
      const eb = encodeValue(b);
      if (firstDifference(ea, eb) < CUT_BYTES) continue;
      pairs++;
      if ((compareValues(a, b) === 0) !== ea.equals(eb)) failures.pair('shared prefix equality', a, b, compareValues(a, b), Buffer.compare(ea, eb), ea, eb);
      const { bytes, exact } = encodeBound(a);
      if (exact) {
        // a short value next to a long one: ordered by its real bytes against a's digest, nothing more
        continue;
      }
      const end = prefixEnd(bytes) as Buffer;
      if (Buffer.compare(eb, bytes) < 0 || Buffer.compare(eb, end) >= 0) failures.add(`${hex(eb)} outside the widened range of ${hex(bytes)}`);
    }
    failures.assertNone();
    expect(pairs).toBeGreaterThan(300);
  });
});
