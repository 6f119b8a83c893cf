import { KeyBound, compareValues, typeRank } from './compare.js';
import { bsonTag, isPlainObject, type Doc } from './values.js';

/*
 * What a query filter says about its fields for the planner, in value space: equality points and
 * bounds, per condition (a top-level field or an `$and` member) and merged per field.
 */

/** What a filter says about one field, in value space. */
export interface FieldPred {
  points?: unknown[];
  lo?: unknown;
  loInc?: boolean;
  hi?: unknown;
  hiInc?: boolean;
  /**
   * Bounds from an `$elemMatch`, element-wise: both hold for one same element, so they can be
   * intersected even on a multikey field (where `lo`/`hi` may each be met by a different element).
   */
  elem?: FieldPred;
}

function isScalarKey(v: unknown): boolean {
  if (v === undefined || Array.isArray(v) || isPlainObject(v) || v instanceof RegExp) return false;
  const tag = bsonTag(v);
  return tag !== 'BSONRegExp' && tag !== 'MinKey' && tag !== 'MaxKey' && tag !== 'DBRef' && tag !== 'Code';
}

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$');
}

function distinctPoints(values: unknown[]): unknown[] {
  const sorted = [...values].sort(compareValues);
  return sorted.filter((v, i) => i === 0 || compareValues(v, sorted[i - 1]) !== 0);
}

function merge(preds: Map<string, FieldPred>, path: string, p: FieldPred): void {
  const cur = preds.get(path);
  if (!cur) {
    preds.set(path, p);
    return;
  }
  if (p.points && (!cur.points || p.points.length < cur.points.length)) cur.points = p.points;
  if (p.elem && !cur.elem) cur.elem = p.elem;
  if (p.lo !== undefined && (cur.lo === undefined || tighter(p.lo, cur.lo, 1))) [cur.lo, cur.loInc] = [p.lo, p.loInc];
  if (p.hi !== undefined && (cur.hi === undefined || tighter(p.hi, cur.hi, -1))) [cur.hi, cur.hiInc] = [p.hi, p.hiInc];
}

function tighter(a: unknown, b: unknown, sign: 1 | -1): boolean {
  if (b instanceof KeyBound) return true;
  if (a instanceof KeyBound) return false;
  return typeRank(a) === typeRank(b) && compareValues(a, b) * sign > 0;
}

const ELEM_MATCH_OPS = new Set(['$eq', '$gt', '$gte', '$lt', '$lte', '$in']);

/*
 * `{$elemMatch: {$gte: a, $lt: b}}` on an array of scalars: equality points and element-wise bounds.
 * Only for comparison operators (whose scalar arguments conditionPred turns into bounds); an argument
 * it cannot use is left out, which only widens the scan.
 */
function elemMatchPred(arg: unknown): FieldPred | undefined {
  if (!isOperatorObject(arg) || !Object.keys(arg).every((op) => ELEM_MATCH_OPS.has(op))) return undefined;
  const p = conditionPred(arg);
  if (!p) return undefined;
  const out: FieldPred = {};
  if (p.points) out.points = p.points;
  if (p.lo !== undefined && p.hi !== undefined) out.elem = { lo: p.lo, loInc: p.loInc, hi: p.hi, hiInc: p.hiInc };
  return out;
}

/* What one condition on a field (`value` or `{$op: arg, ...}`) says about it, its operators merged. */
function conditionPred(v: unknown): FieldPred | undefined {
  const one = new Map<string, FieldPred>();
  const add = (p: FieldPred): void => merge(one, '', p);
  if (!isOperatorObject(v)) {
    if (isScalarKey(v)) add({ points: [v] });
    return one.get('');
  }
  for (const [op, arg] of Object.entries(v)) {
    if (op === '$eq' && isScalarKey(arg)) add({ points: [arg] });
    else if (op === '$in' && Array.isArray(arg) && arg.length > 0 && arg.every(isScalarKey)) add({ points: distinctPoints(arg) });
    else if (op === '$elemMatch') {
      const p = elemMatchPred(arg);
      if (p) add(p);
    } else if ((op === '$gt' || op === '$gte') && isScalarKey(arg) && arg !== null) {
      add({ lo: arg, loInc: op === '$gte' });
      add({ hi: new KeyBound(typeRank(arg), true), hiInc: true });
    } else if ((op === '$lt' || op === '$lte') && isScalarKey(arg) && arg !== null) {
      add({ hi: arg, hiInc: op === '$lte' });
      add({ lo: new KeyBound(typeRank(arg), false), loInc: true });
    }
  }
  return one.get('');
}

/**
 * Index-usable conditions of a filter, per field: one entry per top-level field and per `$and`
 * member naming it, in filter order (anything else is only re-checked). Each alone narrows a walk
 * correctly, since the documents must meet all of them.
 */
export function extractConditions(filter: Doc | undefined, out = new Map<string, FieldPred[]>()): Map<string, FieldPred[]> {
  if (!filter) return out;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const c of v) if (isPlainObject(c)) extractConditions(c, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    const p = conditionPred(v);
    if (p) out.set(k, [...(out.get(k) ?? []), p]);
  }
  return out;
}

/** Every condition on a field merged into one (the fewest points, the tightest bounds). */
export function mergeConditions(conditions: Map<string, FieldPred[]>): Map<string, FieldPred> {
  const preds = new Map<string, FieldPred>();
  for (const [path, list] of conditions) for (const p of list) merge(preds, path, { ...p });
  return preds;
}

/**
 * Whether a document meeting this (merged) condition must hold the field: an equality point other
 * than null, a bound (`$gt`… never match null or a missing field) or an `$elemMatch`. Only then may a
 * sparse index on the field answer the query, as MongoDB's planner decides: the index lacks the
 * documents without the field, which `{field: null}` or `$ne`/`$nin`/`$exists: false` would match.
 */
export function requiresField(p: FieldPred | undefined): boolean {
  if (!p) return false;
  if (p.lo !== undefined || p.hi !== undefined || p.elem !== undefined) return true;
  return p.points !== undefined && p.points.length > 0 && !p.points.some((v) => v === null);
}

/**
 * Whether a filter can match no document at all: a field with `$in: []`, at the top level or in an
 * `$and` member. MongoDB reads nothing for it (empty index bounds); without a shortcut the planner,
 * which draws no bounds from an empty list, would read the whole collection to find nothing.
 */
export function matchesNothing(filter: Doc | undefined): boolean {
  if (!filter) return false;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v) && v.some((c) => isPlainObject(c) && matchesNothing(c))) return true;
    if (!k.startsWith('$') && isOperatorObject(v) && Array.isArray(v.$in) && v.$in.length === 0) return true;
  }
  return false;
}

