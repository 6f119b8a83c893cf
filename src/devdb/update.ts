import { Timestamp } from 'bson';
import { compareValues } from './compare.js';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { compileFilter, type Matcher } from './matcher.js';
import { arith, bitwise, typeName, zeroLike } from './numeric.js';
import { isIndexPart, splitPath } from './paths.js';
import { applyArrayOp } from './update-arrays.js';
import { runPipelineUpdate } from './aggregate.js';
import { isNumeric, isPlainObject, numberOf, shallowCopy, toPlain, type Doc } from './values.js';
import { firstMatchingIndex } from './positional.js';

/** One `{$op: {path: arg}}` entry of an update document. */
interface OpEntry {
  op: string;
  path: string;
  parts: string[];
  arg: unknown;
}

/** A parsed update: operators, a replacement document, or an aggregation pipeline. */
export type CompiledUpdate =
  | { kind: 'ops'; entries: OpEntry[]; identifiers: Set<string> }
  | { kind: 'replace'; doc: Doc }
  | { kind: 'pipeline'; stages: Doc[] };

/** Everything an update needs besides the document. */
export interface UpdateContext {
  /** The query that selected the document (for the positional `$`). */
  filter?: Doc;
  arrayFilters?: Doc[];
  isUpsertInsert: boolean;
}

const OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$addToSet', '$pull', '$pullAll',
  '$pop', '$currentDate', '$setOnInsert', '$bit',
]);

function comparePaths(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    if (isIndexPart(x) && isIndexPart(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function isPrefix(a: string[], b: string[]): boolean {
  return a.length <= b.length && a.every((p, i) => p === b[i]);
}

/** Parses and validates an update document (`u` of an update statement). */
export function compileUpdate(u: unknown): CompiledUpdate {
  if (Array.isArray(u)) return { kind: 'pipeline', stages: u as Doc[] };
  if (!isPlainObject(u)) throw fail.parse('Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length === 0 || !(keys[0] as string).startsWith('$')) {
    for (const k of keys) if (k.startsWith('$')) throw fail.parse(`The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document.`);
    return { kind: 'replace', doc: u };
  }
  const entries: OpEntry[] = [];
  const identifiers = new Set<string>();
  for (const op of keys) {
    if (!OPERATORS.has(op)) throw fail.parse(`Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    const args = u[op];
    if (!isPlainObject(args)) throw fail.parse(`Modifiers operate on fields but we found type ${typeName(args)} instead.`);
    for (const [path, arg] of Object.entries(args)) {
      if (path === '' || path.startsWith('.') || path.endsWith('.') || path.includes('..')) throw fail.badValue(`An empty update path is not valid.`);
      checkArg(op, path, arg);
      entries.push({ op, path, parts: splitPath(path), arg });
      for (const m of path.matchAll(/\$\[([^\]]+)\]/g)) identifiers.add(m[1] as string);
      if (op === '$rename') entries.push({ op: '$renameTarget', path: arg as string, parts: splitPath(arg as string), arg: path });
    }
  }
  const sorted = [...entries].sort((a, b) => comparePaths(a.parts, b.parts));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as OpEntry;
    const b = sorted[i] as OpEntry;
    if (isPrefix(a.parts, b.parts)) {
      throw new MongoError(ErrorCodes.ConflictingUpdateOperators, `Updating the path '${b.path}' would create a conflict at '${a.path}'`);
    }
  }
  return { kind: 'ops', entries: sorted.filter((e) => e.op !== '$renameTarget'), identifiers };
}

function checkArg(op: string, path: string, arg: unknown): void {
  if ((op === '$inc' || op === '$mul') && !isNumeric(arg)) {
    const verb = op === '$inc' ? 'increment' : 'multiply';
    throw fail.typeMismatch(`Cannot ${verb} with non-numeric argument: {${path}: ${JSON.stringify(arg)}}`);
  }
  if (op === '$rename' && (typeof arg !== 'string' || arg === '')) throw fail.badValue(`The 'to' field for $rename must be a string: ${path}: ${String(arg)}`);
  if (op === '$pullAll' && !Array.isArray(arg)) throw fail.badValue(`$pullAll requires an array argument but was given a ${typeName(arg)}`);
  if (op === '$pop' && !(isNumeric(arg) && Math.abs(numberOf(arg)) === 1)) throw fail.parse('$pop expects 1 or -1');
  if (op === '$currentDate' && arg !== true && !(isPlainObject(arg) && (arg.$type === 'date' || arg.$type === 'timestamp'))) {
    if (arg !== false) throw fail.badValue(`${JSON.stringify(arg)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
  }
}

/** Applies an update to a copy of `doc`; returns the new document. */
export function applyUpdate(doc: Doc, cu: CompiledUpdate, ctx: UpdateContext): Doc {
  if (cu.kind === 'replace') {
    const out: Doc = { _id: doc._id, ...cu.doc };
    if (doc._id !== undefined && cu.doc._id !== undefined && compareValues(doc._id, cu.doc._id) !== 0) {
      throw new MongoError(ErrorCodes.ImmutableField, `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(cu.doc._id)}`);
    }
    if (out._id === undefined) delete out._id;
    return out;
  }
  if (cu.kind === 'pipeline') {
    const out = runPipelineUpdate(doc, cu.stages);
    if (!ctx.isUpsertInsert && doc._id !== undefined && (out._id === undefined || compareValues(out._id, doc._id) !== 0)) {
      throw new MongoError(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    return out;
  }
  // Copy on write: only the documents and arrays on an updated path are copied; the rest is shared
  // with the stored document, which is never modified in place (so unchanged index paths are cheap to see).
  const out = shallowCopy(doc);
  const owned = new Set<object>([out]);
  const filters = compileArrayFilters(ctx.arrayFilters, cu.identifiers);
  let positional: number | undefined | null = null;
  const plainDoc = toPlain(doc);
  const resolvePositional = (arrayParts: string[]): number => {
    if (positional === null) positional = ctx.filter ? firstMatchingIndex(ctx.filter, plainDoc, arrayParts) : undefined;
    if (positional === undefined) throw fail.badValue('The positional operator did not find the match needed from the query.');
    return positional;
  };
  for (const e of cu.entries) {
    if (e.op === '$setOnInsert' && !ctx.isUpsertInsert) continue;
    for (const parts of expandPath(out, e.parts, filters, resolvePositional)) applyOne(out, owned, e, parts);
  }
  if (!ctx.isUpsertInsert && doc._id !== undefined && (out._id === undefined || compareValues(out._id, doc._id) !== 0 || typeName(out._id) !== typeName(doc._id))) {
    throw new MongoError(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return out;
}

function compileArrayFilters(arrayFilters: Doc[] | undefined, used: Set<string>): Map<string, Matcher> {
  const out = new Map<string, Matcher>();
  for (const f of arrayFilters ?? []) {
    if (!isPlainObject(f)) throw fail.parse('arrayFilters must contain objects');
    const first = Object.keys(f)[0];
    if (first === undefined) throw fail.parse('Cannot use an expression without a top-level field name in arrayFilters');
    const id = (first.split('.')[0] as string).replace(/^\$/, '');
    if (out.has(id)) throw fail.parse(`Found multiple array filters with the same top-level field name ${id}`);
    out.set(id, compileFilter(f));
  }
  for (const id of out.keys()) {
    if (!used.has(id)) throw fail.parse(`The array filter for identifier '${id}' was not used in the update`);
  }
  for (const id of used) {
    if (!out.has(id)) throw fail.badValue(`No array filter found for identifier '${id}'`);
  }
  return out;
}

/** Turns `$`, `$[]` and `$[id]` segments into concrete element indexes. */
function expandPath(doc: Doc, parts: string[], filters: Map<string, Matcher>, positional: (p: string[]) => number): string[][] {
  if (!parts.some((p) => p.startsWith('$'))) return [parts];
  let paths: string[][] = [[]];
  for (const part of parts) {
    if (part === '$') {
      paths = paths.map((p) => [...p, String(positional(p))]);
      continue;
    }
    const m = /^\$\[(.*)\]$/.exec(part);
    if (!m) {
      paths = paths.map((p) => [...p, part]);
      continue;
    }
    const id = m[1] as string;
    const next: string[][] = [];
    for (const p of paths) {
      const arr = getAt(doc, p);
      if (!Array.isArray(arr)) throw fail.badValue(`The path '${p.join('.')}' must exist in the document in order to apply array updates.`);
      arr.forEach((el, i) => {
        if (id === '' || (filters.get(id) as Matcher)({ [id]: toPlain(el) })) next.push([...p, String(i)]);
      });
    }
    paths = next;
  }
  return paths;
}

function getAt(doc: unknown, parts: string[]): unknown {
  let v = doc;
  for (const p of parts) {
    if (Array.isArray(v)) v = isIndexPart(p) ? v[Number(p)] : undefined;
    else if (isPlainObject(v)) v = v[p];
    else return undefined;
  }
  return v;
}

/**
 * Container and key of the last path component; creates documents on the way when `create`.
 * Containers on the way that `owned` does not hold (shared with the stored document) are copied first.
 */
function locate(doc: Doc, owned: Set<object>, parts: string[], create: boolean): { parent: Doc | unknown[]; key: string } | undefined {
  let cur: Doc | unknown[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    let next: unknown;
    if (Array.isArray(cur)) {
      if (!isIndexPart(part)) {
        if (!create) return undefined;
        throw new MongoError(ErrorCodes.PathNotViable, `Cannot create field '${part}' in element {${parts.slice(0, i).join('.')}: [...]}`);
      }
      next = cur[Number(part)];
    } else {
      next = cur[part];
    }
    if (next === undefined || next === null) {
      if (!create) return undefined;
      if (next === null) throw new MongoError(ErrorCodes.PathNotViable, `Cannot create field '${parts[i + 1]}' in element {${part}: null}`);
      next = {};
      setKey(cur, part, next);
      owned.add(next as Doc);
    } else if (!isPlainObject(next) && !Array.isArray(next)) {
      if (!create) return undefined;
      throw new MongoError(ErrorCodes.PathNotViable, `Cannot create field '${parts[i + 1]}' in element {${part}: ${JSON.stringify(next)}}`);
    } else if (!owned.has(next)) {
      next = shallowCopy(next);
      setKey(cur, part, next);
      owned.add(next as Doc);
    }
    cur = next as Doc | unknown[];
  }
  const key = parts[parts.length - 1] as string;
  if (Array.isArray(cur) && !isIndexPart(key)) {
    if (!create) return undefined;
    throw new MongoError(ErrorCodes.PathNotViable, `Cannot create field '${key}' in element {${parts.slice(0, -1).join('.')}: [...]}`);
  }
  return { parent: cur, key };
}

function setKey(parent: Doc | unknown[], key: string, value: unknown): void {
  if (Array.isArray(parent)) {
    const i = Number(key);
    while (parent.length < i) parent.push(null);
    parent[i] = value;
  } else {
    parent[key] = value;
  }
}

function getKey(parent: Doc | unknown[], key: string): unknown {
  return Array.isArray(parent) ? parent[Number(key)] : parent[key];
}

function applyOne(doc: Doc, owned: Set<object>, e: OpEntry, parts: string[]): void {
  const path = parts.join('.');
  switch (e.op) {
    case '$set':
    case '$setOnInsert': {
      const at = locate(doc, owned, parts, true) as { parent: Doc | unknown[]; key: string };
      setKey(at.parent, at.key, e.arg);
      return;
    }
    case '$unset': {
      const at = locate(doc, owned, parts, false);
      if (!at) return;
      if (Array.isArray(at.parent)) {
        if (Number(at.key) < at.parent.length) at.parent[Number(at.key)] = null;
      } else {
        delete at.parent[at.key];
      }
      return;
    }
    case '$inc':
    case '$mul': {
      const at = locate(doc, owned, parts, true) as { parent: Doc | unknown[]; key: string };
      const cur = getKey(at.parent, at.key);
      if (cur === undefined) {
        setKey(at.parent, at.key, e.op === '$inc' ? e.arg : zeroLike(e.arg));
        return;
      }
      if (!isNumeric(cur)) {
        throw fail.typeMismatch(`Cannot apply ${e.op} to a value of non-numeric type. {_id: ${String(doc._id)}} has the field '${path}' of non-numeric type ${typeName(cur)}`);
      }
      setKey(at.parent, at.key, arith(cur, e.arg, e.op === '$inc' ? 'add' : 'mul'));
      return;
    }
    case '$min':
    case '$max': {
      const at = locate(doc, owned, parts, true) as { parent: Doc | unknown[]; key: string };
      const cur = getKey(at.parent, at.key);
      const c = cur === undefined ? 0 : compareValues(e.arg, cur);
      if (cur === undefined || (e.op === '$min' ? c < 0 : c > 0)) setKey(at.parent, at.key, e.arg);
      return;
    }
    case '$currentDate': {
      if (e.arg === false) return;
      const at = locate(doc, owned, parts, true) as { parent: Doc | unknown[]; key: string };
      const ts = isPlainObject(e.arg) && e.arg.$type === 'timestamp';
      setKey(at.parent, at.key, ts ? new Timestamp({ t: Math.floor(Date.now() / 1000), i: 1 }) : new Date());
      return;
    }
    case '$rename': {
      const from = locate(doc, owned, parts, false);
      if (!from || Array.isArray(from.parent)) {
        if (from) throw fail.badValue(`The source field cannot be an array element, '${path}' in doc with _id: ${String(doc._id)} has an array field called '${parts[parts.length - 2]}'`);
        return;
      }
      const value = from.parent[from.key];
      if (value === undefined) return;
      delete from.parent[from.key];
      const to = locate(doc, owned, splitPath(e.arg as string), true) as { parent: Doc | unknown[]; key: string };
      if (Array.isArray(to.parent)) throw fail.badValue(`The destination field cannot be an array element, '${String(e.arg)}'`);
      setKey(to.parent, to.key, value);
      return;
    }
    case '$bit': {
      const at = locate(doc, owned, parts, true) as { parent: Doc | unknown[]; key: string };
      let cur: unknown = getKey(at.parent, at.key) ?? 0;
      if (!isPlainObject(e.arg)) throw fail.badValue(`The $bit modifier is not compatible with a ${typeName(e.arg)}`);
      for (const [op, v] of Object.entries(e.arg)) {
        if (op !== 'and' && op !== 'or' && op !== 'xor') throw fail.badValue(`The $bit modifier only supports 'and', 'or', and 'xor', not '${op}'`);
        cur = bitwise(cur, v, op);
      }
      setKey(at.parent, at.key, cur);
      return;
    }
    default: {
      const at = locate(doc, owned, parts, e.op === '$push' || e.op === '$addToSet');
      if (!at) return;
      const cur = getKey(at.parent, at.key);
      const next = applyArrayOp(e.op, cur, e.arg, path, doc);
      if (next !== undefined) setKey(at.parent, at.key, next);
    }
  }
}
