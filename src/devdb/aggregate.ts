import { Aggregator } from 'mingo/aggregator';
import { BSON } from 'bson';
import { parseSort, typeRank, type SortSpec } from './compare.js';
import { MongoError, fail } from './errors.js';
import { mingoOptions, validateFilter } from './matcher.js';
import { checkHint, executeQuery } from './planner.js';
import { plainOf, type Database } from './storage.js';
import { clonePlain, fromPlain, idFirst, isNumeric, isPlainObject, numberOf, toPlain, type Doc } from './values.js';

/* mingo stages that never mutate their input documents; any other stage gets deep copies. */
const READ_ONLY_STAGES = new Set([
  '$match', '$sort', '$limit', '$skip', '$group', '$count', '$sortByCount', '$replaceRoot', '$replaceWith',
  '$sample', '$bucket', '$bucketAuto', '$documents',
]);

const UNSUPPORTED_STAGES = new Set([
  '$out', '$merge', '$geoNear', '$search', '$searchMeta', '$vectorSearch', '$changeStream', '$collStats',
  '$indexStats', '$planCacheStats', '$currentOp', '$listSessions', '$listLocalSessions', '$listSearchIndexes',
  '$changeStreamSplitLargeEvent', '$shardedDataDistribution',
]);

function stageName(stage: unknown): string {
  if (!isPlainObject(stage)) throw fail.badValue('Each element of the pipeline must be an object');
  const keys = Object.keys(stage);
  if (keys.length !== 1) throw fail.badValue('A pipeline stage specification object must contain exactly one field.');
  return keys[0] as string;
}

/** Validates stages (recursively) and tells whether mingo can run them on shared documents. */
function inspect(pipeline: unknown[]): boolean {
  let readOnly = true;
  for (const stage of pipeline) {
    const name = stageName(stage);
    if (UNSUPPORTED_STAGES.has(name)) throw fail.notSupported(`the ${name} aggregation stage`);
    const arg = (stage as Doc)[name];
    if (name === '$match') {
      if (!isPlainObject(arg)) throw new MongoError(15959, 'the match filter must be an expression in an object');
      validateFilter(arg);
    }
    if (name === '$facet' && isPlainObject(arg)) {
      for (const sub of Object.values(arg)) if (Array.isArray(sub) && !inspect(sub)) readOnly = false;
    } else if ((name === '$lookup' || name === '$unionWith') && isPlainObject(arg)) {
      if (Array.isArray(arg.pipeline) && !inspect(arg.pipeline)) readOnly = false;
      if (typeof arg.as === 'string' && arg.as.includes('.')) readOnly = false;
    } else if (!READ_ONLY_STAGES.has(name)) {
      readOnly = false;
    }
  }
  return readOnly;
}

interface Pushdown {
  filter?: Doc;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  rest: Doc[];
}

/** Leading $match / $sort / $skip / $limit stages become a planned query. */
function pushdown(pipeline: Doc[]): Pushdown {
  const matches: Doc[] = [];
  let i = 0;
  while (i < pipeline.length && isPlainObject(pipeline[i]?.$match) && !('$text' in (pipeline[i]?.$match as Doc))) {
    matches.push(pipeline[i]?.$match as Doc);
    i++;
  }
  const out: Pushdown = { rest: [] };
  if (matches.length > 0) out.filter = matches.length === 1 ? matches[0] : { $and: matches };
  if (i < pipeline.length && pipeline[i]?.$sort !== undefined) {
    out.sort = parseSort(pipeline[i]?.$sort);
    i++;
  }
  let skip = 0;
  let limit: number | undefined;
  for (; i < pipeline.length; i++) {
    const st = pipeline[i] as Doc;
    const n = isNumeric(st.$skip ?? st.$limit) ? Math.trunc(numberOf(st.$skip ?? st.$limit)) : NaN;
    if (st.$skip !== undefined && n >= 0) {
      skip += n;
      if (limit !== undefined) limit = Math.max(limit - n, 0);
    } else if (st.$limit !== undefined && n > 0) {
      limit = limit === undefined ? n : Math.min(limit, n);
    } else break;
  }
  if (limit === 0) return { filter: { $expr: false }, rest: pipeline.slice(i) };
  out.skip = skip;
  out.limit = limit;
  out.rest = pipeline.slice(i);
  return out;
}

/* countDocuments() ends its pipeline with exactly this stage; counting needs no mingo. */
function isCountGroup(stage: unknown): boolean {
  const g = isPlainObject(stage) ? stage.$group : undefined;
  if (!isPlainObject(g) || Object.keys(g).length !== 2 || g._id !== 1) return false;
  const n = g.n;
  return isPlainObject(n) && Object.keys(n).length === 1 && n.$sum === 1;
}

/** Runs an aggregation pipeline over a collection (or none, for `aggregate: 1`); returns typed documents. */
export function runAggregate(db: Database, collName: string | undefined, pipeline: Doc[], variables?: Doc, hint?: unknown): Doc[] {
  const readOnly = inspect(pipeline);
  const coll = collName === undefined ? undefined : db.get(collName);
  checkHint(coll, hint);
  coll?.sweepExpired();
  let typed: Doc[] = [];
  let rest = pipeline;
  if (coll) {
    const pd = pushdown(pipeline);
    typed = executeQuery(coll, { filter: pd.filter, sort: pd.sort, skip: pd.skip, limit: pd.limit, variables, hint }).recs.map((r) => r.doc);
    rest = pd.rest;
  }
  if (rest.length === 0) return typed;
  if (rest.length === 1 && isCountGroup(rest[0])) return typed.length === 0 ? [] : [{ _id: 1, n: typed.length }];
  const input = typed.map((d) => (readOnly ? toPlain(d) : clonePlain(toPlain(d), d)));
  const resolved = new Map<string, Doc[]>();
  const collectionResolver = (name: string): Doc[] => {
    let docs = resolved.get(name);
    if (!docs) {
      const c = db.get(name);
      docs = c ? [...c.scan()].map((r) => (readOnly ? plainOf(r) : clonePlain(plainOf(r), r.doc)) as Doc) : [];
      resolved.set(name, docs);
    }
    return docs;
  };
  const agg = new Aggregator(toPlain(rest) as Doc[], mingoOptions({ collectionResolver, ...(variables ? { variables: toPlain(variables) as Doc } : {}) }));
  const out = agg.run(input);
  const hints = rest.every((st) => SAME_DOCUMENT_STAGES.has(stageName(st))) ? byId(typed) : undefined;
  // mingo's $project emits _id last; MongoDB keeps it first
  return out.map((d) => idFirst(fromPlain(d, hints && isPlainObject(d) ? hints.get(idKey(d._id)) : undefined) as Doc));
}

/* Stages whose output documents are still the input documents (same _id), reshaped. */
const SAME_DOCUMENT_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$project', '$addFields', '$set', '$unset', '$lookup', '$unwind', '$sample']);

function idKey(id: unknown): string {
  if (id === undefined) return '';
  const plain = toPlain(id);
  return `${typeRank(plain)}:${typeof plain === 'object' && plain !== null ? BSON.EJSON.stringify(plain as Doc, { relaxed: false }) : String(plain)}`;
}

/** Typed input documents by _id, so numbers passed through reshaping stages keep their BSON type. */
function byId(docs: Doc[]): Map<string, Doc> {
  const m = new Map<string, Doc>();
  for (const d of docs) m.set(idKey(d._id), d);
  return m;
}

const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/** Applies a pipeline-style update (`u: [...]`) to one document. */
export function runPipelineUpdate(doc: Doc, stages: Doc[]): Doc {
  for (const st of stages) {
    const name = stageName(st);
    if (!UPDATE_STAGES.has(name)) throw fail.badValue(`${name} is not allowed to be used within an update`);
  }
  const input = clonePlain(toPlain(doc), doc);
  const [out] = new Aggregator(toPlain(stages) as Doc[], mingoOptions()).run([input]);
  if (!isPlainObject(out)) throw fail.badValue('pipeline update must produce a document');
  return fromPlain(out, doc) as Doc;
}
