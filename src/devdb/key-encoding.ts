import { createHash } from 'node:crypto';
import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { KeyBound, typeRank } from './compare.js';
import { bsonTag, isPlainObject, type Doc } from './values.js';

/*
 * Index keys as bytes whose unsigned lexicographic order (what LMDB and Buffer.compare use) equals
 * MongoDB's BSON comparison order as `compareValues` implements it. Every value's encoding is
 * prefix-free (no encoding is a proper prefix of another), so compound keys concatenate field
 * encodings and a descending field simply inverts its bytes.
 */

const RANK_BYTE = new Map<number, number>([
  [-1, 0x04], // MinKey
  [0, 0x08], // undefined (an empty array in an index)
  [5, 0x0c], // null and missing
  [10, 0x10], // numbers of every BSON type
  [15, 0x14], // strings and symbols
  [20, 0x18], // objects
  [25, 0x1c], // arrays
  [30, 0x20], // binary
  [35, 0x24], // ObjectId
  [40, 0x28], // bool
  [45, 0x2c], // date
  [47, 0x30], // timestamp
  [50, 0x34], // regexp
  [55, 0x38], // DBPointer
  [60, 0x3c], // code
  [65, 0x40], // code with scope
  [127, 0x7c], // MaxKey
]);
const END = 0x00;

/*
 * A value's encoding longer than this is cut to this length and followed by a 16-byte digest: still
 * exact for equality, and never equal to (or a prefix of) an uncut encoding, which is shorter.
 */
const MAX_VALUE_BYTES = 560;
const CUT_BYTES = MAX_VALUE_BYTES;

/** Growable byte buffer for building keys. */
class Bytes {
  buf = Buffer.allocUnsafe(64);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u32(n: number): void {
    this.room(4);
    this.buf.writeUInt32BE(n >>> 0, this.len);
    this.len += 4;
  }
  f64(n: number): void {
    this.room(8);
    this.buf.writeDoubleBE(n, this.len);
    // IEEE-754 to sortable: flip the sign bit of positives, every bit of negatives
    if ((this.buf[this.len] as number) & 0x80) for (let i = 0; i < 8; i++) this.buf[this.len + i] = ~(this.buf[this.len + i] as number) & 0xff;
    else this.buf[this.len] = (this.buf[this.len] as number) ^ 0x80;
    this.len += 8;
  }
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

function rankByte(v: unknown): number {
  return RANK_BYTE.get(typeRank(v)) as number;
}

/* Strings: UTF-8 (its byte order is code point order), 0x00 escaped as 00 FF, ended by 00 00. */
function writeString(out: Bytes, s: string): void {
  const b = Buffer.from(s, 'utf8');
  let from = 0;
  for (let i = b.indexOf(0); i >= 0; i = b.indexOf(0, from)) {
    out.bytes(b.subarray(from, i));
    out.byte(0x00);
    out.byte(0xff);
    from = i + 1;
  }
  out.bytes(b.subarray(from));
  out.byte(0x00);
  out.byte(0x00);
}

/*
 * Numbers of all BSON types compare by value: a sortable double, then for an int64 that the double
 * rounds, the exact remainder (|remainder| < 2^11 for 64-bit values). NaN sorts below all numbers.
 */
function writeNumber(out: Bytes, v: unknown): void {
  let exact: bigint | undefined;
  let d: number;
  if (typeof v === 'number') d = v;
  else if (typeof v === 'bigint') exact = v;
  else {
    const tag = bsonTag(v);
    if (tag === 'Long') exact = (v as Long).toBigInt();
    else if (tag === 'Decimal128') d = Number((v as Decimal128).toString());
    else d = (v as { value: number }).value;
  }
  let rest = 0;
  if (exact !== undefined) {
    d = Number(exact);
    rest = Number(exact - BigInt(d));
  }
  if (Number.isNaN(d!)) {
    out.byte(0x01);
    return;
  }
  out.byte(0x02);
  out.f64(d! === 0 ? 0 : d!);
  out.u32(rest + 0x80000000);
}

function asDoc(v: unknown): Doc {
  if (isPlainObject(v)) return v;
  const json = (v as { toJSON?: () => unknown }).toJSON?.();
  return isPlainObject(json) ? json : {};
}

function writeValue(out: Bytes, v: unknown): void {
  if (v instanceof KeyBound) throw new Error('a key bound is not a value');
  const rb = rankByte(v);
  out.byte(rb);
  switch (typeRank(v)) {
    case 10:
      writeNumber(out, v);
      return;
    case 15:
      writeString(out, String(v));
      return;
    case 20: {
      const d = asDoc(v);
      for (const k of Object.keys(d)) {
        out.byte(rankByte(d[k]));
        writeString(out, k);
        writeValue(out, d[k]);
      }
      out.byte(END);
      return;
    }
    case 25:
      for (const e of v as unknown[]) writeValue(out, e);
      out.byte(END);
      return;
    case 30: {
      const tagged = bsonTag(v) !== undefined;
      const bytes = tagged ? (v as Binary).value() : (v as Uint8Array);
      out.u32(bytes.length);
      out.byte(tagged ? (v as Binary).sub_type : 0);
      out.bytes(bytes);
      return;
    }
    case 35:
      out.bytes((v as ObjectId).id);
      return;
    case 40:
      out.byte(v ? 1 : 0);
      return;
    case 45: {
      const t = (v as Date).getTime();
      out.f64(Number.isNaN(t) ? 0 : t);
      return;
    }
    case 47:
      out.u32((v as Timestamp).t);
      out.u32((v as Timestamp).i);
      return;
    case 50: {
      const r = v as RegExp & { pattern?: string; options?: string };
      writeString(out, r.source ?? r.pattern ?? '');
      writeString(out, r.flags ?? r.options ?? '');
      return;
    }
    case 60:
    case 65:
      writeString(out, String((v as { code: unknown }).code));
      return;
    default:
      return; // MinKey, undefined, null, DBPointer, MaxKey: the rank byte says it all
  }
}

/** The order-preserving bytes of one value (ascending). Long encodings end in a digest. */
export function encodeValue(v: unknown): Buffer {
  const out = new Bytes();
  writeValue(out, v);
  const b = out.take();
  if (b.length <= MAX_VALUE_BYTES) return b;
  const digest = createHash('sha256').update(b).digest().subarray(0, 16);
  return Buffer.concat([b.subarray(0, CUT_BYTES), digest]);
}

/**
 * Bytes for a range bound: exact for short values; for a long value the cut prefix, which callers
 * widen to an inclusive bound (the filter is always re-checked, so only extra candidates result).
 */
export function encodeBound(v: unknown): { bytes: Buffer; exact: boolean } {
  if (v instanceof KeyBound) {
    if (v.rank === -Infinity) return { bytes: Buffer.from([0x00]), exact: true };
    if (v.rank === Infinity) return { bytes: Buffer.from([0xff]), exact: true };
    // strictly between ranks: [rb] itself is the whole encoding of MinKey, undefined, null, DBPointer, MaxKey
    const rb = RANK_BYTE.get(v.rank) as number;
    return { bytes: Buffer.from([v.high ? rb + 1 : rb - 1]), exact: true };
  }
  const out = new Bytes();
  writeValue(out, v);
  const b = out.take();
  return b.length <= MAX_VALUE_BYTES ? { bytes: b, exact: true } : { bytes: b.subarray(0, CUT_BYTES), exact: false };
}

/** Inverts bytes (for descending index fields), in place. */
export function invert(b: Buffer): Buffer {
  for (let i = 0; i < b.length; i++) b[i] = ~(b[i] as number) & 0xff;
  return b;
}

/** Encodes the leading key values of an index with its field directions. */
export function encodeKeyPrefix(values: readonly unknown[], dirs: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < values.length; i++) {
    const b = encodeValue(values[i]);
    parts.push(dirs[i] === -1 ? invert(b) : b);
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/** Bytes of a record id (8 bytes, big-endian), the last part of every index entry. */
export function ridBytes(rid: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(rid / 0x100000000), 0);
  b.writeUInt32BE(rid >>> 0, 4);
  return b;
}

/** The record id at the end of an index entry. */
export function ridOf(entry: Uint8Array): number {
  const n = entry.length;
  const b = Buffer.from(entry.buffer, entry.byteOffset + n - 8, 8);
  return b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4);
}

/** The smallest byte string greater than every string starting with `prefix` (undefined: none). */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if ((out[i] as number) < 0xff) {
      out[i] = (out[i] as number) + 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
