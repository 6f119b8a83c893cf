import { Aggregator } from 'mingo/aggregator';
import { MongoError, fail } from './errors.js';
import { compileFilter, mingoOptions, type Matcher } from './matcher.js';
import { firstMatchingIndex } from './positional.js';
import { splitPath } from './paths.js';
import { clonePlain, fromPlain, idFirst, isNumeric, isPlainObject, numberOf, toPlain, type Doc } from './values.js';

/** Inclusion/exclusion tree: `true` marks a projected path, objects hold sub-paths. */
type Tree = { [k: string]: Tree | true };

/** Projects one typed document. */
export type Projector = (doc: Doc) => Doc;

function addPath(tree: Tree, parts: string[]): void {
  let cur = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    const next = cur[p];
    if (next === true) return;
    cur = next ?? (cur[p] = {});
  }
  cur[parts[parts.length - 1] as string] = true;
}

function include(v: unknown, tree: Tree | true): unknown {
  if (tree === true) return v;
  if (Array.isArray(v)) return v.filter((e) => isPlainObject(e) || Array.isArray(e)).map((e) => include(e, tree));
  if (!isPlainObject(v)) return undefined;
  const out: Doc = {};
  for (const k of Object.keys(v)) {
    const sub = tree[k];
    if (sub === undefined) continue;
    const r = include(v[k], sub);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

function exclude(v: unknown, tree: Tree): unknown {
  if (Array.isArray(v)) return v.map((e) => (isPlainObject(e) || Array.isArray(e) ? exclude(e, tree) : e));
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) {
    const sub = tree[k];
    if (sub === true) continue;
    out[k] = sub === undefined ? v[k] : exclude(v[k], sub);
  }
  return out;
}

interface Special {
  parts: string[];
  apply: (value: unknown[], doc: Doc) => unknown;
}

function sliceOf(arg: unknown): (arr: unknown[]) => unknown[] {
  if (isNumeric(arg)) {
    const n = numberOf(arg);
    return (arr) => (n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n)));
  }
  if (Array.isArray(arg) && arg.length === 2 && arg.every(isNumeric)) {
    const skip = numberOf(arg[0]);
    const limit = numberOf(arg[1]);
    if (limit <= 0) throw fail.badValue('$slice limit must be positive');
    return (arr) => {
      const start = skip >= 0 ? Math.min(skip, arr.length) : Math.max(0, arr.length + skip);
      return arr.slice(start, start + limit);
    };
  }
  throw fail.badValue('$slice only supports numbers and [skip, limit] arrays');
}

/* `{a: {b: 1}}` means `{'a.b': 1}`; operator objects ($slice, expressions) stay whole. */
function flatten(spec: Doc, prefix: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(spec)) {
    const first = isPlainObject(v) ? Object.keys(v)[0] : undefined;
    if (isPlainObject(v) && first !== undefined && !first.startsWith('$')) out.push(...flatten(v, `${prefix}${k}.`));
    else out.push([`${prefix}${k}`, v]);
  }
  return out;
}

/** Compiles a find projection; `filter` is needed for the positional `field.$` form. */
export function compileProjection(projection: unknown, filter?: Doc): Projector | undefined {
  if (projection === undefined || projection === null) return undefined;
  if (!isPlainObject(projection)) throw fail.badValue('projection must be an object');
  const entries = flatten(projection, '');
  if (entries.length === 0) return undefined;
  const tree: Tree = {};
  const specials: Special[] = [];
  let mode: 'include' | 'exclude' | undefined;
  let idExcluded = false;
  let hasElemMatch = false;
  let idIncluded = false;
  const setMode = (m: 'include' | 'exclude', field: string): void => {
    if (mode && mode !== m) {
      const msg = m === 'exclude' ? `Cannot do exclusion on field ${field} in inclusion projection` : `Cannot do inclusion on field ${field} in exclusion projection`;
      throw new MongoError(m === 'exclude' ? 31254 : 31253, msg);
    }
    mode = m;
  };
  for (const [field, v] of entries) {
    if (field.endsWith('.$')) {
      const parts = splitPath(field.slice(0, -2));
      setMode('include', field);
      addPath(tree, parts);
      specials.push({
        parts,
        apply: (arr, doc) => {
          const i = filter ? firstMatchingIndex(filter, toPlain(doc), parts) : undefined;
          if (i === undefined) throw fail.badValue('Executor error during find command :: caused by :: positional operator did not match');
          return [arr[i]];
        },
      });
    } else if (isPlainObject(v) && Object.keys(v).length === 1 && ('$slice' in v || '$elemMatch' in v)) {
      if ('$slice' in v) {
        const slice = sliceOf(v.$slice);
        specials.push({ parts: splitPath(field), apply: (arr) => slice(arr) });
      } else {
        const m: Matcher = compileFilter({ v: { $elemMatch: v.$elemMatch } });
        specials.push({
          parts: splitPath(field),
          apply: (arr) => {
            const hit = arr.find((e) => m({ v: [toPlain(e)] }));
            return hit === undefined ? undefined : [hit];
          },
        });
        hasElemMatch = true;
      }
    } else if (typeof v === 'boolean' || isNumeric(v)) {
      const on = typeof v === 'boolean' ? v : numberOf(v) !== 0;
      if (field === '_id') {
        idExcluded = !on;
        idIncluded = on;
        continue;
      }
      setMode(on ? 'include' : 'exclude', field);
      addPath(tree, splitPath(field));
    } else if (isPlainObject(v) && '$meta' in v) {
      throw fail.notSupported('$meta projection');
    } else {
      return expressionProjection(projection);
    }
  }
  if (mode === undefined && (hasElemMatch || (idIncluded && specials.length === 0))) mode = 'include';
  if (mode === 'include') for (const s of specials) addPath(tree, s.parts);
  const includeTree: Tree = idExcluded ? tree : { _id: true, ...tree };
  return (doc) => {
    let out: Doc;
    if (mode === 'include') {
      out = include(doc, includeTree) as Doc;
    } else {
      out = exclude(doc, idExcluded ? { ...tree, _id: true } : tree) as Doc;
    }
    for (const s of specials) applySpecial(out, doc, s);
    return out;
  };
}

function applySpecial(out: Doc, doc: Doc, s: Special): void {
  let parent: unknown = out;
  for (let i = 0; i < s.parts.length - 1; i++) parent = isPlainObject(parent) ? parent[s.parts[i] as string] : undefined;
  if (!isPlainObject(parent)) return;
  const key = s.parts[s.parts.length - 1] as string;
  const value = parent[key];
  if (!Array.isArray(value)) return;
  const r = s.apply(value, doc);
  if (r === undefined) delete parent[key];
  else parent[key] = r;
}

/* Projections with aggregation expressions go through mingo's $project. */
function expressionProjection(projection: Doc): Projector {
  const agg = new Aggregator([{ $project: toPlain(projection) }], mingoOptions());
  return (doc) => {
    const [out] = agg.run([clonePlain(toPlain(doc), doc)]);
    return idFirst(fromPlain(out, doc) as Doc);
  };
}
