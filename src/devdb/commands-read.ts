import { compareValues, parseSort } from './compare.js';
import { runAggregate } from './aggregate.js';
import { collName, cursorId, dbOf, existing, optBool, optDoc, optNumber, type CommandSpec } from './context.js';
import { fail } from './errors.js';
import { assertNoCollation, validateFilter } from './matcher.js';
import { isIndexPart, splitPath } from './paths.js';
import { checkHint, describePlan, executeQuery, type QueryResult } from './planner.js';
import { compileProjection } from './projection.js';
import { isPlainObject, type Doc } from './values.js';
import type { CommandContext } from './context.js';

const FIND_FIELDS = [
  'find', 'filter', 'sort', 'projection', 'hint', 'skip', 'limit', 'batchSize', 'singleBatch', 'min', 'max',
  'returnKey', 'showRecordId', 'tailable', 'oplogReplay', 'noCursorTimeout', 'awaitData', 'allowPartialResults',
  'collation', 'allowDiskUse', 'let', 'readOnce', 'term',
];

interface FindPlan {
  ns: string;
  result: QueryResult | undefined;
  docs: Doc[];
}

function runFind(cmd: Doc, ctx: CommandContext): FindPlan {
  const name = collName(cmd, 'find');
  for (const k of ['min', 'max', 'returnKey', 'showRecordId', 'tailable', 'awaitData', 'oplogReplay']) {
    if (cmd[k] !== undefined && cmd[k] !== false) throw fail.notSupported(`find option '${k}'`);
  }
  assertNoCollation(cmd);
  const filter = optDoc(cmd, 'filter');
  validateFilter(filter);
  const sort = parseSort(optDoc(cmd, 'sort'));
  const project = compileProjection(cmd.projection, filter);
  const skip = optNumber(cmd, 'skip');
  if (skip !== undefined && skip < 0) throw fail.badValue('skip value must be non-negative');
  const limit = optNumber(cmd, 'limit');
  if (limit !== undefined && limit < 0) throw fail.badValue('limit value must be non-negative');
  const ns = `${ctx.dbName}.${name}`;
  const coll = existing(ctx, name);
  checkHint(coll, cmd.hint);
  if (!coll) return { ns, result: undefined, docs: [] };
  const result = executeQuery(coll, { filter, sort, skip, limit: limit || undefined, variables: optDoc(cmd, 'let'), hint: cmd.hint });
  const docs = result.recs.map((r) => (project ? project(r.doc) : r.doc));
  return { ns, result, docs };
}

const find: CommandSpec = {
  fields: FIND_FIELDS,
  run(cmd, ctx) {
    const { ns, docs } = runFind(cmd, ctx);
    const batchSize = optNumber(cmd, 'batchSize');
    if (batchSize !== undefined && batchSize < 0) throw fail.badValue('batchSize value must be non-negative');
    const singleBatch = optBool(cmd, 'singleBatch') ?? false;
    return { cursor: ctx.cursors.start(ns, docs, batchSize, singleBatch), ok: 1 };
  },
};

const getMore: CommandSpec = {
  fields: ['getMore', 'collection', 'batchSize', 'term', 'lastKnownCommittedOpTime'],
  run(cmd, ctx) {
    const ns = `${ctx.dbName}.${collName(cmd, 'collection')}`;
    return { cursor: ctx.cursors.getMore(cursorId(cmd.getMore), ns, optNumber(cmd, 'batchSize')), ok: 1 };
  },
};

const killCursors: CommandSpec = {
  fields: ['killCursors', 'cursors'],
  run(cmd, ctx) {
    collName(cmd, 'killCursors');
    if (!Array.isArray(cmd.cursors)) throw fail.badValue('cursors must be an array');
    const { killed, notFound } = ctx.cursors.kill(cmd.cursors.map(cursorId));
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  },
};

const count: CommandSpec = {
  fields: ['count', 'query', 'limit', 'skip', 'hint', 'collation', 'fields'],
  run(cmd, ctx) {
    assertNoCollation(cmd);
    const query = optDoc(cmd, 'query');
    validateFilter(query);
    const coll = existing(ctx, collName(cmd, 'count'));
    checkHint(coll, cmd.hint);
    if (!coll) return { n: 0, ok: 1 };
    const skip = Math.max(optNumber(cmd, 'skip') ?? 0, 0);
    const limit = Math.abs(optNumber(cmd, 'limit') ?? 0);
    let n: number;
    if (!query || Object.keys(query).length === 0) n = coll.size;
    else n = executeQuery(coll, { filter: query, hint: cmd.hint }).recs.length;
    n = Math.max(n - skip, 0);
    if (limit > 0) n = Math.min(n, limit);
    return { n, ok: 1 };
  },
};

function distinctValues(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (v === undefined) return;
  if (i === parts.length) {
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
    return;
  }
  if (Array.isArray(v)) {
    const part = parts[i] as string;
    if (isIndexPart(part)) distinctValues(v[Number(part)], parts, i + 1, out);
    for (const e of v) if (isPlainObject(e)) distinctValues(e, parts, i, out);
    return;
  }
  if (isPlainObject(v)) distinctValues(v[parts[i] as string], parts, i + 1, out);
}

const distinct: CommandSpec = {
  fields: ['distinct', 'key', 'query', 'collation', 'hint'],
  run(cmd, ctx) {
    assertNoCollation(cmd);
    if (typeof cmd.key !== 'string') throw fail.typeMismatch("BSON field 'distinct.key' is missing or not a string");
    validateFilter(optDoc(cmd, 'query'));
    const coll = existing(ctx, collName(cmd, 'distinct'));
    checkHint(coll, cmd.hint);
    if (!coll) return { values: [], ok: 1 };
    const parts = splitPath(cmd.key);
    const all: unknown[] = [];
    for (const r of executeQuery(coll, { filter: optDoc(cmd, 'query') }).recs) distinctValues(r.doc, parts, 0, all);
    all.sort(compareValues);
    const values = all.filter((v, i) => i === 0 || compareValues(v, all[i - 1]) !== 0);
    return { values, ok: 1 };
  },
};

const aggregate: CommandSpec = {
  fields: ['aggregate', 'pipeline', 'cursor', 'explain', 'allowDiskUse', 'bypassDocumentValidation', 'collation', 'hint', 'let', 'fromMongos', 'needsMerge'],
  run(cmd, ctx) {
    if (cmd.explain) throw fail.notSupported('aggregate explain');
    assertNoCollation(cmd);
    if (!Array.isArray(cmd.pipeline)) throw fail.typeMismatch("'pipeline' option must be specified as an array");
    const cursor = optDoc(cmd, 'cursor');
    if (!cursor) throw fail.parse("The 'cursor' option is required, except for aggregate with the explain argument");
    const target = cmd.aggregate;
    const name = typeof target === 'string' ? target : undefined;
    if (name === undefined && !(target === 1 || (typeof target === 'number' && target === 1))) throw fail.badValue('aggregate must name a collection or be 1');
    const docs = runAggregate(dbOf(ctx), name, cmd.pipeline as Doc[], optDoc(cmd, 'let'), cmd.hint);
    const ns = `${ctx.dbName}.${name ?? '$cmd.aggregate'}`;
    return { cursor: ctx.cursors.start(ns, docs, optNumber(cursor, 'batchSize')), ok: 1 };
  },
};

const explain: CommandSpec = {
  fields: ['explain', 'verbosity'],
  run(cmd, ctx) {
    const inner = optDoc(cmd, 'explain');
    if (!inner || Object.keys(inner)[0] !== 'find') throw fail.notSupported('explain of anything but find');
    const started = Date.now();
    const { ns, result, docs } = runFind({ ...inner }, ctx);
    const ixscan = result?.plan.index
      ? { stage: 'IXSCAN', indexName: result.plan.index.name, keyPattern: result.plan.index.spec.key, direction: result.plan.reverse ? 'backward' : 'forward' }
      : undefined;
    const winningPlan = ixscan ? { stage: 'FETCH', inputStage: ixscan } : { stage: 'COLLSCAN', direction: 'forward' };
    return {
      queryPlanner: { namespace: ns, parsedQuery: inner.filter ?? {}, winningPlan, rejectedPlans: [], devdbPlan: result ? describePlan(result.plan) : 'EOF' },
      executionStats: {
        executionSuccess: true,
        nReturned: docs.length,
        executionTimeMillis: Date.now() - started,
        totalKeysExamined: result?.keysExamined ?? 0,
        totalDocsExamined: result?.docsExamined ?? 0,
      },
      ok: 1,
    };
  },
};

/** Read commands by name. */
export const readCommands: Record<string, CommandSpec> = { find, getMore, killCursors, count, distinct, aggregate, explain };
