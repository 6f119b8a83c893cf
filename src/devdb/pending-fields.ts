/*
 * Which fields of a decoded document are still pending (see lazy-fields.ts), with their BSON bytes:
 * kept apart so that values.ts can leave them unread while it builds a document's plain view, and
 * the matcher can test a pending array of strings on its bytes (string-array-conditions.ts).
 */

type Doc = Record<string, unknown>;

const pending = new WeakMap<object, Map<string, Buffer>>();

/** A data property holding `value`, as a pending field becomes once read or written. */
export const plainProperty = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: true, configurable: true });

/** Records the fields of `doc` whose getters decode them on first read, each with its array's BSON bytes. */
export function markPending(doc: object, fields: Map<string, Buffer>): void {
  pending.set(doc, fields);
}

/** The fields of `doc` that were pending when it was decoded (some may have been read since). */
export function pendingKeysOf(doc: object): Map<string, Buffer> | undefined {
  return pending.get(doc);
}

/** Whether `key` of `doc` is still pending: reading it would decode it. */
export function isPendingField(doc: object, key: string): boolean {
  return pending.get(doc)?.has(key) === true && typeof Object.getOwnPropertyDescriptor(doc, key)?.get === 'function';
}

/** The BSON bytes of a field still pending (an array of strings), or undefined. */
export function pendingBytes(doc: object, key: string): Buffer | undefined {
  return isPendingField(doc, key) ? pending.get(doc)?.get(key) : undefined;
}

/** Copies a pending field onto another object (a plain view of the document) without reading it. */
export function copyPendingField(to: Doc, from: Doc, key: string): void {
  Object.defineProperty(to, key, { enumerable: true, configurable: true, get: () => from[key], set: (v: unknown) => Object.defineProperty(to, key, plainProperty(v)) });
  const bytes = pending.get(from)?.get(key);
  if (!bytes) return;
  let fields = pending.get(to);
  if (!fields) pending.set(to, (fields = new Map()));
  fields.set(key, bytes);
}
