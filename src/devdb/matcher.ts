import { Context, ProcessingMode } from 'mingo/core';
import { Query } from 'mingo/query';
import { Lazy, type Iterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { fail } from './errors.js';
import { parseSort, sortDocs } from './compare.js';
import { isPlainObject, toPlain, type Doc } from './values.js';

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

/*
 * One mingo context for everything: all of mingo's operators, except that $sort follows
 * MongoDB's BSON type order and stages that would write elsewhere fail loudly.
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
  query: queryOperators,
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
  if (Object.keys(f).length === 0) return matchAll;
  assertSupportedFilter(f);
  const q = new Query(toPlain(f) as Doc, mingoOptions(variables ? { variables: toPlain(variables) as Doc } : {}));
  return (doc) => q.test(doc as Doc);
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

/** Rejects a collation other than the default binary comparison (it would change results). */
export function assertNoCollation(cmd: Doc): void {
  const c = cmd.collation;
  if (c === undefined || c === null) return;
  if (isPlainObject(c) && c.locale === 'simple') return;
  throw fail.notSupported('collation');
}
