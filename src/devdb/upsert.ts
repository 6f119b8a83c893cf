import { splitPath, setPathCreate } from './paths.js';
import { applyUpdate, type CompiledUpdate } from './update.js';
import { idFirst, isPlainObject, newId, type Doc } from './values.js';

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$');
}

/** The document an upsert starts from: the query's equality fields (`f: v`, `$eq`, inside `$and`). */
export function seedFromFilter(filter: Doc | undefined, seed: Doc = {}): Doc {
  if (!filter) return seed;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const c of v) if (isPlainObject(c)) seedFromFilter(c, seed);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (isOperatorObject(v)) {
      if ('$eq' in v) setPathCreate(seed, splitPath(k), v.$eq);
      continue;
    }
    if (v instanceof RegExp) continue;
    setPathCreate(seed, splitPath(k), v);
  }
  return seed;
}

/** The new document inserted by an upsert that matched nothing. */
export function buildUpsertDoc(filter: Doc | undefined, cu: CompiledUpdate, arrayFilters?: Doc[]): Doc {
  const seed = seedFromFilter(filter);
  let doc: Doc;
  if (cu.kind === 'replace') {
    doc = { ...cu.doc };
    if (doc._id === undefined && seed._id !== undefined) doc = { _id: seed._id, ...doc };
  } else {
    doc = applyUpdate(seed, cu, { arrayFilters, isUpsertInsert: true });
  }
  if (doc._id === undefined) doc = { _id: newId(), ...doc };
  return idFirst(doc);
}
