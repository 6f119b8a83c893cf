import { compileFilter } from './matcher.js';
import { getPath } from './paths.js';
import { isPlainObject, type Doc } from './values.js';

function conditionsOn(filter: Doc, prefix: string, out: Doc[]): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const c of v) if (isPlainObject(c)) conditionsOn(c, prefix, out);
    } else if (k === prefix || k.startsWith(`${prefix}.`)) {
      out.push({ [k]: v });
    }
  }
}

/** `doc` with the array at `parts` replaced by `value` (copies only along the path). */
function withArray(doc: unknown, parts: readonly string[], i: number, value: unknown[]): unknown {
  if (!isPlainObject(doc)) return doc;
  const key = parts[i] as string;
  return { ...doc, [key]: i === parts.length - 1 ? value : withArray(doc[key], parts, i + 1, value) };
}

/**
 * Index of the first element of the array at `arrayParts` that satisfies the query's conditions on
 * that array — what the positional `$` stands for in updates and projections.
 */
export function firstMatchingIndex(filter: Doc, plainDoc: unknown, arrayParts: readonly string[]): number | undefined {
  const arr = getPath(plainDoc, arrayParts);
  if (!Array.isArray(arr)) return undefined;
  const conds: Doc[] = [];
  conditionsOn(filter, arrayParts.join('.'), conds);
  if (conds.length === 0) return undefined;
  const match = compileFilter(conds.length === 1 ? conds[0] : { $and: conds });
  for (let i = 0; i < arr.length; i++) {
    if (match(withArray(plainDoc, arrayParts, 0, [arr[i]]))) return i;
  }
  return undefined;
}
