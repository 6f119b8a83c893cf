import { Decimal128, Long } from 'bson';
import { fail } from './errors.js';
import { bsonTag, canonicalDouble, isInt32Number, isNumeric, numberOf } from './values.js';

/** BSON numeric types in widening order. */
type NumKind = 0 | 1 | 2 | 3;
const INT = 0;
const LONG = 1;
const DOUBLE = 2;
const DECIMAL = 3;

function kindOf(v: unknown): NumKind {
  if (typeof v === 'number') return isInt32Number(v) ? INT : DOUBLE;
  switch (bsonTag(v)) {
    case 'Long':
      return LONG;
    case 'Decimal128':
      return DECIMAL;
    case 'Int32':
      return INT;
    default:
      return DOUBLE;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function toBig(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  return (v as Long).toBigInt();
}

/** A decimal as mantissa × 10^exp, enough for exact + and × of Decimal128 values. */
interface Dec {
  m: bigint;
  e: number;
}

function toDec(v: unknown): Dec {
  const s = bsonTag(v) === 'Decimal128' ? (v as Decimal128).toString() : kindOf(v) === LONG ? toBig(v).toString() : String(numberOf(v));
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) throw fail.badValue(`cannot do decimal arithmetic on ${s}`);
  const digits = `${m[2] ?? ''}${m[3] ?? ''}` || '0';
  const mant = BigInt(digits) * (m[1] === '-' ? -1n : 1n);
  return { m: mant, e: Number(m[4] ?? 0) - (m[3]?.length ?? 0) };
}

function decToValue(d: Dec): Decimal128 {
  return Decimal128.fromString(`${d.m.toString()}E${d.e}`);
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

function fromLong(b: bigint): unknown {
  if (b < INT64_MIN || b > INT64_MAX) return canonicalDouble(Number(b));
  return Long.fromBigInt(b);
}

/**
 * `a + b` (op 'add') or `a * b` (op 'mul') with MongoDB's result types: int32 stays int32 unless
 * it overflows (then int64), anything with a double is a double, anything with a decimal a decimal.
 */
export function arith(a: unknown, b: unknown, op: 'add' | 'mul'): unknown {
  const kind = Math.max(kindOf(a), kindOf(b)) as NumKind;
  switch (kind) {
    case INT: {
      const r = op === 'add' ? (a as number) + (b as number) : (a as number) * (b as number);
      if (isInt32Number(r) || r === 0) return r === 0 ? 0 : r;
      return fromLong(op === 'add' ? toBig(a) + toBig(b) : toBig(a) * toBig(b));
    }
    case LONG: {
      const x = toBig(kindOf(a) === LONG ? a : Math.trunc(numberOf(a)));
      const y = toBig(kindOf(b) === LONG ? b : Math.trunc(numberOf(b)));
      return fromLong(op === 'add' ? x + y : x * y);
    }
    case DOUBLE: {
      const x = numberOf(a);
      const y = numberOf(b);
      return canonicalDouble(op === 'add' ? x + y : x * y);
    }
    default: {
      const x = toDec(a);
      const y = toDec(b);
      if (op === 'mul') return decToValue({ m: x.m * y.m, e: x.e + y.e });
      const [p, q, e] = align(x, y);
      return decToValue({ m: p + q, e });
    }
  }
}

/** Zero of the same numeric type as `v` ($mul on a missing field). */
export function zeroLike(v: unknown): unknown {
  switch (kindOf(v)) {
    case LONG:
      return Long.fromInt(0);
    case DOUBLE:
      return canonicalDouble(0);
    case DECIMAL:
      return Decimal128.fromString('0');
    default:
      return 0;
  }
}

/** Bitwise and/or/xor for $bit (int32 and int64 only). */
export function bitwise(a: unknown, b: unknown, op: 'and' | 'or' | 'xor'): unknown {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka > LONG || kb > LONG || !isNumeric(a) || !isNumeric(b)) throw fail.badValue('$bit can only be applied to int or long values');
  const x = toBig(a);
  const y = toBig(b);
  const r = op === 'and' ? x & y : op === 'or' ? x | y : x ^ y;
  if (ka === INT && kb === INT) return Number(BigInt.asIntN(32, r));
  return Long.fromBigInt(BigInt.asIntN(64, r));
}

/** Name of the BSON type of a value, as MongoDB's error messages print it. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return isInt32Number(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  const tag = bsonTag(v);
  if (tag === 'Long') return 'long';
  if (tag === 'Decimal128') return 'decimal';
  if (tag === 'Double') return 'double';
  if (tag === 'ObjectId') return 'objectId';
  if (tag === 'Binary') return 'binData';
  if (tag === 'Timestamp') return 'timestamp';
  return 'object';
}
