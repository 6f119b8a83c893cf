import { compareValues, parseSort, sortDocs } from './compare.js';
import { fail } from './errors.js';
import { compileFilter } from './matcher.js';
import { typeName } from './numeric.js';
import { isNumeric, isPlainObject, numberOf, toPlain, type Doc } from './values.js';

function notArray(op: string, path: string, cur: unknown, doc: Doc): Error {
  if (op === '$pop') return fail.typeMismatch(`Path '${path}' contains an element of non-array type '${typeName(cur)}'`);
  if (op === '$pull' || op === '$pullAll') return fail.badValue('Cannot apply $pull to a non-array value');
  return fail.badValue(`The field '${path}' must be an array but is of type ${typeName(cur)} in document {_id: ${String(doc._id)}}`);
}

function contains(arr: unknown[], v: unknown): boolean {
  return arr.some((x) => compareValues(x, v) === 0);
}

function allStrings(values: unknown[]): boolean {
  for (const v of values) if (typeof v !== 'string') return false;
  return true;
}

interface PushSpec {
  each: unknown[];
  slice?: number;
  sort?: unknown;
  position?: number;
}

function pushSpec(arg: unknown, op: string): PushSpec {
  if (!isPlainObject(arg) || !('$each' in arg)) return { each: [arg] };
  const spec: PushSpec = { each: [] };
  for (const [k, v] of Object.entries(arg)) {
    if (k === '$each') {
      if (!Array.isArray(v)) throw fail.badValue(`The argument to $each in ${op} must be an array but it was of type: ${typeName(v)}`);
      spec.each = v;
    } else if (op === '$push' && k === '$slice' && isNumeric(v)) spec.slice = numberOf(v);
    else if (op === '$push' && k === '$position' && isNumeric(v)) spec.position = numberOf(v);
    else if (op === '$push' && k === '$sort') spec.sort = v;
    else throw fail.badValue(`Unrecognized clause in ${op}: ${k}`);
  }
  return spec;
}

function sortArray(arr: unknown[], sort: unknown): void {
  if (isNumeric(sort)) {
    const dir = numberOf(sort) < 0 ? -1 : 1;
    arr.sort((a, b) => compareValues(a, b) * dir);
    return;
  }
  if (!isPlainObject(sort)) throw fail.badValue('The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
  sortDocs(arr, parseSort(sort));
}

function pullPredicate(cond: unknown): (el: unknown) => boolean {
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$') && k !== '$and' && k !== '$or' && k !== '$nor')) {
      const m = compileFilter({ v: cond });
      return (el) => m({ v: toPlain(el) });
    }
    const m = compileFilter(cond);
    return (el) => isPlainObject(el) && m(toPlain(el));
  }
  return (el) => compareValues(el, cond) === 0;
}

/**
 * $push, $addToSet, $pull, $pullAll and $pop on the current value of a field (undefined when
 * missing); returns the new array, or undefined to leave the field as it is.
 */
export function applyArrayOp(op: string, cur: unknown, arg: unknown, path: string, doc: Doc): unknown[] | undefined {
  if (cur !== undefined && !Array.isArray(cur)) throw notArray(op, path, cur, doc);
  const arr = (cur as unknown[] | undefined) ?? [];
  switch (op) {
    case '$push': {
      const spec = pushSpec(arg, op);
      let out = [...arr];
      let pos = spec.position ?? out.length;
      if (pos < 0) pos = Math.max(0, out.length + pos);
      out.splice(Math.min(pos, out.length), 0, ...spec.each);
      if (spec.sort !== undefined) sortArray(out, spec.sort);
      if (spec.slice !== undefined) out = spec.slice >= 0 ? out.slice(0, spec.slice) : out.slice(Math.max(0, out.length + spec.slice));
      return out;
    }
    case '$addToSet': {
      const spec = pushSpec(arg, op);
      const out = [...arr];
      if (allStrings(spec.each) && allStrings(arr)) {
        // Strings equal each other only when identical: a set check instead of comparing every pair.
        const have = new Set(arr as string[]);
        for (const v of spec.each as string[]) {
          if (have.has(v)) continue;
          have.add(v);
          out.push(v);
        }
        return out;
      }
      for (const v of spec.each) if (!contains(out, v)) out.push(v);
      return out;
    }
    case '$pop': {
      if (cur === undefined || arr.length === 0) return undefined;
      return numberOf(arg) > 0 ? arr.slice(0, -1) : arr.slice(1);
    }
    case '$pull': {
      if (cur === undefined) return undefined;
      const pred = pullPredicate(arg);
      return arr.filter((el) => !pred(el));
    }
    case '$pullAll': {
      if (cur === undefined) return undefined;
      return arr.filter((el) => !contains(arg as unknown[], el));
    }
    default:
      throw fail.parse(`Unknown modifier: ${op}`);
  }
}
