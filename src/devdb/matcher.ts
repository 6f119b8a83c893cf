import { Context, ProcessingMode } from 'mingo/core';
import { Query } from 'mingo/query';
import { Lazy, type Iterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import { resolve } from 'mingo/util';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { parseSort, sortDocs } from './compare.js';
import { splitObjectIdIn, testObjectIdIn } from './object-id-in.js';
import { splitStringArrayConditions, testStringArrayConditions } from './string-array-conditions.js';
import { bsonTag, isNumeric, isPlainObject, numberOf, toPlain, type Doc } from './values.js';

type PipelineOp = (coll: Iterator, expr: unknown, options: Options) => Iterator;

const sortStage: PipelineOp = (coll, expr) => {
  const spec = parseSort(expr);
  if (spec.length === 0) throw fail.badValue('$sort stage must have at least one sort key');
  return coll.transform((docs: unknown[]) => Lazy(sortDocs(docs, spec)));
};

const unsupportedStage =
  (name: string): PipelineOp =>
  () => {
    throw fail.notSupported(`the ${name} aggregation stage`);
  };

/* BSON types mingo's `$type` does not know (it sees plain JS values), by alias and by number. */
const BSON_TYPE_TESTS: Record<string, (v: unknown) => boolean> = {};
for (const [names, tag] of [[['objectId', '7'], 'ObjectId'], [['binData', '5'], 'Binary'], [['timestamp', '17'], 'Timestamp'], [['minKey', '-1'], 'MinKey'], [['maxKey', '127'], 'MaxKey'], [['javascript', '13'], 'Code']] as const) {
  for (const n of names) BSON_TYPE_TESTS[n] = (v) => bsonTag(v) === tag;
}

type QueryOp = (selector: string, value: unknown, options: Options) => (doc: unknown) => boolean;
const mingoType = (queryOperators as unknown as { $type: QueryOp }).$type;

/* `$type` with the BSON types above added; an array field matches when one of its elements does. */
const typeOperator: QueryOp = (selector, value, options) => {
  const base = mingoType(selector, value, options);
  const one = mingoType('v', value, options);
  const tests = (Array.isArray(value) ? value : [value]).map((t) => BSON_TYPE_TESTS[String(t)]).filter((t) => t !== undefined);
  return (doc) => {
    if (base(doc)) return true;
    const v = resolve(doc as Doc, selector, { unwrapArray: true });
    return (Array.isArray(v) ? v : [v]).some((x) => one({ v: x }) || tests.some((t) => t(x)));
  };
};

/*
 * One mingo context for everything: all of mingo's operators, except that $sort follows
 * MongoDB's BSON type order, `$type` knows every BSON type, and stages that would write elsewhere
 * fail loudly.
 */
const context = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: {
    ...(pipelineOperators as unknown as Record<`$${string}`, PipelineOp>),
    $sort: sortStage,
    $out: unsupportedStage('$out'),
    $merge: unsupportedStage('$merge'),
  } as never,
  projection: projectionOperators,
  query: { ...(queryOperators as unknown as Record<`$${string}`, QueryOp>), $type: typeOperator } as never,
  window: windowOperators,
});

/** mingo options for query matching and aggregation. */
export function mingoOptions(extra: Partial<Options> = {}): Options {
  return {
    idKey: '_id',
    processingMode: ProcessingMode.CLONE_OFF,
    useStrictMode: true,
    scriptEnabled: false,
    failOnError: true,
    context,
    ...extra,
  };
}

/** A compiled filter: tests the plain view of a document. */
export type Matcher = (plainDoc: unknown) => boolean;

const matchAll: Matcher = () => true;

/** Top-level filter keys that MongoDB accepts but that do not filter. */
function stripComment(filter: Doc): Doc {
  if (!('$comment' in filter)) return filter;
  const out = { ...filter };
  delete out.$comment;
  return out;
}

/** Compiles a MongoDB filter (typed form) into a predicate over plain views. */
export function compileFilter(filter: unknown, variables?: Doc): Matcher {
  if (filter === undefined || filter === null) return matchAll;
  if (!isPlainObject(filter)) throw fail.badValue('filter must be an object');
  const f = stripComment(filter);
  validateFilter(f);
  if (Object.keys(f).length === 0) return matchAll;
  assertSupportedFilter(f);
  const options = mingoOptions(variables ? { variables: toPlain(variables) as Doc } : {});
  const strings = splitStringArrayConditions(f);
  const ids = splitObjectIdIn(strings.rest);
  const { conditions } = strings;
  if (conditions.length === 0 && ids.conditions.length === 0) {
    const q = new Query(toPlain(f) as Doc, options);
    return (doc) => q.test(doc as Doc);
  }
  // Conditions on arrays of strings are tested directly (a pending field on its bytes), and `$in`
  // lists of ids by a set; where the field is neither, mingo tests that condition alone.
  const rest = ids.rest;
  const others = Object.keys(rest).length > 0 ? new Query(toPlain(rest) as Doc, options) : null;
  const alone = conditions.map((c) => new Query(toPlain(c.source) as Doc, options));
  const fallback = (i: number, doc: Doc) => (alone[i] as Query).test(doc);
  const idAlone = ids.conditions.map((c) => new Query(toPlain(c.source) as Doc, options));
  const idFallback = (i: number, doc: Doc) => (idAlone[i] as Query).test(doc);
  return (doc) =>
    testStringArrayConditions(conditions, doc as Doc, fallback) && testObjectIdIn(ids.conditions, doc as Doc, idFallback) && (others === null || others.test(doc as Doc));
}

const unsupportedQueryOps = new Set(['$text', '$near', '$nearSphere', '$geoWithin', '$geoIntersects', '$where', '$jsonSchema']);

function assertSupportedFilter(f: unknown): void {
  if (Array.isArray(f)) {
    for (const x of f) assertSupportedFilter(x);
    return;
  }
  if (!isPlainObject(f)) return;
  for (const [k, v] of Object.entries(f)) {
    if (unsupportedQueryOps.has(k)) throw fail.notSupported(`the ${k} query operator`);
    if (k === '$expr') continue;
    assertSupportedFilter(v);
  }
}

/* Operators MongoDB accepts at the top level of a filter, next to field names. */
const TOP_LEVEL_OPS = new Set([
  '$and', '$or', '$nor', '$expr', '$where', '$text', '$comment', '$jsonSchema', '$alwaysTrue', '$alwaysFalse', '$sampleRate',
]);

/* Operators MongoDB accepts on a field (`{a: {$op: ...}}`). */
const FIELD_OPS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$type', '$mod', '$regex', '$options', '$not',
  '$elemMatch', '$size', '$all', '$bitsAllSet', '$bitsAllClear', '$bitsAnySet', '$bitsAnyClear', '$geoWithin',
  '$geoIntersects', '$near', '$nearSphere', '$within', '$maxDistance', '$minDistance', '$comment',
]);

/* Fields of a DBRef, which MongoDB compares as a value rather than parsing as operators. */
const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

/** True when a field's value is an operator document (`{$gt: 1}`) rather than a value to compare with. */
function isOperatorDoc(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$') && !DBREF_FIELDS.has(first);
}

/**
 * Parses a filter the way MongoDB does before running it, so malformed filters fail with MongoDB's
 * error (code 2, BadValue) even when there is no document to test them against.
 */
export function validateFilter(filter: unknown): void {
  if (filter === undefined || filter === null) return;
  if (!isPlainObject(filter)) throw fail.badValue('filter must be an object');
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$')) validateTopLevel(k, v);
    else if (isOperatorDoc(v)) validateOperators(v);
  }
}

function validateTopLevel(op: string, v: unknown): void {
  if (op === '$and' || op === '$or' || op === '$nor') {
    if (!Array.isArray(v) || v.length === 0) throw fail.badValue('$and/$or/$nor must be a nonempty array');
    for (const e of v) {
      if (!isPlainObject(e)) throw fail.badValue('$or/$and/$nor entries need to be full objects');
      validateFilter(e);
    }
    return;
  }
  if (!TOP_LEVEL_OPS.has(op)) throw fail.badValue(`unknown top level operator: ${op}`);
}

function validateOperators(ops: Doc): void {
  for (const [op, arg] of Object.entries(ops)) {
    if (!FIELD_OPS.has(op)) throw fail.badValue(`unknown operator: ${op}`);
    if ((op === '$in' || op === '$nin' || op === '$all') && !Array.isArray(arg)) throw fail.badValue(`${op} needs an array`);
    if (op === '$not') {
      if (arg instanceof RegExp || bsonTag(arg) === 'BSONRegExp') continue;
      if (!isPlainObject(arg)) throw fail.badValue('$not needs a regex or a document');
      if (Object.keys(arg).length === 0) throw fail.badValue('$not cannot be empty');
      validateOperators(arg);
    }
    if (op === '$elemMatch') {
      if (!isPlainObject(arg)) throw fail.badValue('$elemMatch needs an Object');
      if (isOperatorDoc(arg) && !TOP_LEVEL_OPS.has(Object.keys(arg)[0] as string)) validateOperators(arg);
      else validateFilter(arg);
    }
  }
}

/* What MongoDB allows in a partialFilterExpression (MongoDB 6.0+: also $or and $in at the top level). */
const PARTIAL_FIELD_OPS = new Set(['$eq', '$gt', '$gte', '$lt', '$lte', '$type', '$exists', '$in']);

/** Refuses a partial index filter MongoDB would refuse, with its CannotCreateIndex (67) code. */
export function validatePartialFilter(filter: Doc): void {
  validateFilter(filter);
  partialClause(filter, 0);
}

function refusePartial(what: string): MongoError {
  return new MongoError(ErrorCodes.CannotCreateIndex, `Expression not supported in partial index: ${what}`);
}

function partialClause(filter: Doc, depth: number): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' || k === '$or') {
      if (depth > 0) throw refusePartial(k);
      for (const e of v as Doc[]) partialClause(e, depth + 1);
      continue;
    }
    if (k.startsWith('$')) throw refusePartial(k);
    if (v instanceof RegExp || bsonTag(v) === 'BSONRegExp') throw refusePartial(`${k} regex`);
    if (!isOperatorDoc(v)) continue;
    for (const [op, arg] of Object.entries(v)) {
      if (!PARTIAL_FIELD_OPS.has(op)) throw refusePartial(op);
      if (op === '$exists' && !isTruthy(arg)) throw refusePartial('$exists: false');
      if (op === '$in' && depth > 1) throw refusePartial(op);
      if ((op === '$eq' || op === '$in') && hasRegex(arg)) throw refusePartial(`${op} regex`);
    }
  }
}

function isTruthy(v: unknown): boolean {
  if (isNumeric(v)) return numberOf(v) !== 0;
  return v !== false && v !== null && v !== undefined;
}

function hasRegex(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasRegex);
  return v instanceof RegExp || bsonTag(v) === 'BSONRegExp';
}

/** Rejects a collation other than the default binary comparison (it would change results). */
export function assertNoCollation(cmd: Doc): void {
  const c = cmd.collation;
  if (c === undefined || c === null) return;
  if (isPlainObject(c) && c.locale === 'simple') return;
  throw fail.notSupported('collation');
}
