import { isPlainObject, type Doc } from './values.js';

const splitCache = new Map<string, string[]>();

/** `a.b.c` → `['a','b','c']` (memoised: the same paths come back for every document). */
export function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(path, parts);
  }
  return parts;
}

/** A path component that addresses an array element. */
export function isIndexPart(part: string): boolean {
  if (part.length === 0 || part.length > 9) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Value at a path without array expansion (numeric components index arrays); undefined when missing. */
export function getPath(doc: unknown, parts: readonly string[]): unknown {
  let v: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(v)) {
      if (!isIndexPart(part)) return undefined;
      v = v[Number(part)];
    } else if (isPlainObject(v)) {
      v = v[part];
    } else {
      return undefined;
    }
    if (v === undefined) return undefined;
  }
  return v;
}

/** Result of {@link collectKeyValues}. */
export interface KeyValues {
  values: unknown[];
  /** An array was traversed or found at the end of the path. */
  multikey: boolean;
}

/**
 * The index/sort keys of a document for one path, as MongoDB generates them: arrays on the way are
 * expanded, an array at the end gives one key per element (`undefined` for an empty array), and a
 * missing field gives `null`.
 */
export function collectKeyValues(doc: unknown, parts: readonly string[]): KeyValues {
  const out: KeyValues = { values: [], multikey: false };
  collect(doc, parts, 0, out);
  if (out.values.length === 0) out.values.push(null);
  return out;
}

function collect(v: unknown, parts: readonly string[], i: number, out: KeyValues): void {
  if (i === parts.length) {
    if (Array.isArray(v)) {
      out.multikey = true;
      if (v.length === 0) out.values.push(undefined);
      for (const e of v) out.values.push(e);
    } else {
      out.values.push(v === undefined ? null : v);
    }
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(v)) {
    if (isIndexPart(part) && Number(part) < v.length) {
      collect(v[Number(part)], parts, i + 1, out);
      return;
    }
    out.multikey = true;
    let found = false;
    for (const e of v) {
      if (isPlainObject(e)) {
        found = true;
        collect(e, parts, i, out);
      }
    }
    if (!found) out.values.push(null);
    return;
  }
  if (isPlainObject(v)) {
    const child = v[part];
    if (child === undefined) out.values.push(null);
    else collect(child, parts, i + 1, out);
    return;
  }
  out.values.push(null);
}

/** Sets a value at a dotted path, creating intermediate documents (used for upsert seeds and projections). */
export function setPathCreate(doc: Doc, parts: readonly string[], value: unknown): void {
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    let next = cur[part];
    if (!isPlainObject(next)) {
      next = {};
      cur[part] = next;
    }
    cur = next as Doc;
  }
  cur[parts[parts.length - 1] as string] = value;
}
