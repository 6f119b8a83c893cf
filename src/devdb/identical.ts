import { bsonTag, isPlainObject } from './values.js';
import { compareValues } from './compare.js';

/**
 * Exact equality as stored bytes would see it: same types, same values, same field order
 * (an update that changes 1 into 1.0 or reorders nothing is a modification only in the first case).
 */
export function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!identical(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) || isPlainObject(b)) {
    if (!isPlainObject(a) || !isPlainObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) {
      const k = ka[i] as string;
      if (k !== kb[i] || !identical(a[k], b[k])) return false;
    }
    return true;
  }
  if (bsonTag(a) !== bsonTag(b) || a.constructor !== b.constructor) return false;
  return compareValues(a, b) === 0;
}
