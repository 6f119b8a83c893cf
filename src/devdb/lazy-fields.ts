import { BSON } from 'bson';
import { markPending, plainProperty } from './pending-fields.js';
import { canonicalize, type Doc } from './values.js';

/*
 * A stored document's large top-level arrays of strings (a ticket's search terms: hundreds of
 * them, most of its bytes) are decoded only when something reads them. A list walk reads a few
 * fields of many documents and a projection leaves the terms out, so decoding them every time cost
 * most of the read (15 KB and ~0.3 ms a ticket, against a few µs without). The field is an own
 * enumerable property whose getter decodes it once and then becomes a plain value, so everything
 * that reads it (a filter on it, a write, a reply without projection) sees the array as before.
 */

/** Arrays of strings at least this many BSON bytes are decoded on first read. */
export const LAZY_MIN_BYTES = 2048;
const DESERIALIZE = { promoteValues: false } as const;

/** The size of a BSON value of this type starting at `at`, or -1 for a type this reader does not skip. */
export function valueSize(type: number, b: Buffer, at: number): number {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8;
    case 0x02: case 0x0d: case 0x0e: return 4 + b.readInt32LE(at);
    case 0x03: case 0x04: case 0x0f: return b.readInt32LE(at);
    case 0x05: return 5 + b.readInt32LE(at);
    case 0x06: case 0x0a: case 0xff: case 0x7f: return 0;
    case 0x07: return 12;
    case 0x08: return 1;
    case 0x10: return 4;
    case 0x13: return 16;
    case 0x0b: {
      const first = b.indexOf(0, at);
      return b.indexOf(0, first + 1) + 1 - at;
    }
    default: return -1;
  }
}

/** Whether the array (BSON document bytes at [at, at + size)) holds strings only. */
export function stringsOnly(b: Buffer, at: number, size: number): boolean {
  let p = at + 4;
  const end = at + size - 1;
  for (let i = 0, digits = 1, next = 10; p < end; i++) {
    if (i === next) [digits, next] = [digits + 1, next * 10];
    if (b[p] !== 0x02) return false;
    p = keyEnd(b, p, digits) + 1;
    p += 4 + int32At(b, p);
  }
  return p === end;
}

/** The little-endian int32 at `p` (Buffer's readInt32LE, without its checks: the callers stay within the document). */
export const int32At = (b: Buffer, p: number): number => (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24);

/**
 * The NUL ending the key of the array element whose type byte is at `p`: an array's keys are its
 * indexes ("0", "1", …), so the key is looked for where an index of `digits` digits ends, else searched for.
 */
export function keyEnd(b: Buffer, p: number, digits: number): number {
  if (b[p + 1 + digits] !== 0) return b.indexOf(0, p + 1);
  for (let k = 1; k <= digits; k++) if (b[p + k] === 0) return b.indexOf(0, p + 1);
  return p + 1 + digits;
}

interface Element {
  name: string;
  /** Where the whole element (type byte, name, value) starts and ends. */
  start: number;
  end: number;
  /** For a deferred array: where its value starts. */
  valueAt?: number;
}

/**
 * Decodes a stored document like `BSON.deserialize` + `canonicalize`, except that its large
 * top-level arrays of strings are left to decode when first read.
 */
export function decodeStoredDocument(bytes: Buffer): Doc {
  const elements: Element[] = [];
  let deferred = 0;
  let p = 4;
  while (p < bytes.length - 1 && bytes[p] !== 0) {
    const type = bytes[p]!;
    const nameEnd = bytes.indexOf(0, p + 1);
    const at = nameEnd + 1;
    const size = valueSize(type, bytes, at);
    if (nameEnd < 0 || size < 0) return canonicalize(BSON.deserialize(bytes, DESERIALIZE)) as Doc;
    const element: Element = { name: bytes.toString('utf8', p + 1, nameEnd), start: p, end: at + size };
    if (type === 0x04 && size >= LAZY_MIN_BYTES && stringsOnly(bytes, at, size)) {
      element.valueAt = at;
      deferred += element.end - element.start;
    }
    elements.push(element);
    p = at + size;
  }
  if (deferred === 0) return canonicalize(BSON.deserialize(bytes, DESERIALIZE)) as Doc;
  const rest = Buffer.allocUnsafe(bytes.length - deferred);
  let w = 4;
  for (const e of elements) if (e.valueAt === undefined) w += bytes.copy(rest, w, e.start, e.end);
  rest[w] = 0;
  rest.writeInt32LE(w + 1, 0);
  const base = canonicalize(BSON.deserialize(rest.subarray(0, w + 1), DESERIALIZE)) as Doc;
  const doc: Doc = {};
  const fields = new Map<string, Buffer>();
  for (const e of elements) {
    if (e.valueAt === undefined) {
      doc[e.name] = base[e.name];
      continue;
    }
    // A copy: the engine may reuse the buffer it read the document into.
    const raw = Buffer.from(bytes.subarray(e.valueAt, e.end));
    const name = e.name;
    fields.set(name, raw);
    Object.defineProperty(doc, name, {
      enumerable: true,
      configurable: true,
      get(this: Doc) {
        const value = Object.values(BSON.deserialize(raw, DESERIALIZE));
        Object.defineProperty(this, name, plainProperty(value));
        return value;
      },
      set(this: Doc, value: unknown) {
        Object.defineProperty(this, name, plainProperty(value));
      },
    });
  }
  markPending(doc, fields);
  return doc;
}
