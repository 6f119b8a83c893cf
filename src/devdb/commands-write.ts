import { parseSort } from './compare.js';
import { collName, dbOf, existing, optBool, optDoc, optNumber, type CommandContext, type CommandSpec } from './context.js';
import { MongoError, fail, toMongoError } from './errors.js';
import { assertNoCollation, validateFilter } from './matcher.js';
import { checkHint, executeQuery } from './planner.js';
import { compileProjection } from './projection.js';
import type { Collection } from './storage.js';
import { applyUpdate, compileUpdate } from './update.js';
import { buildUpsertDoc } from './upsert.js';
import { isPlainObject, type Doc } from './values.js';
import { identical } from './identical.js';

function statements(cmd: Doc, key: string): Doc[] {
  const v = cmd[key];
  if (!Array.isArray(v)) throw fail.typeMismatch(`BSON field '${key}' is missing or not an array`);
  if (v.length === 0) throw new MongoError(16, 'Write batch sizes must be between 1 and 100000. Got 0 operations.');
  for (const s of v) if (!isPlainObject(s)) throw fail.typeMismatch(`BSON field '${key}' must contain documents`);
  return v as Doc[];
}

function writeReply(n: number, errors: MongoError[], indexes: number[], extra: Doc = {}): Doc {
  const reply: Doc = { n, ...extra };
  if (errors.length > 0) reply.writeErrors = errors.map((e, i) => e.toWriteError(indexes[i] as number));
  reply.ok = 1;
  return reply;
}

/** Runs each statement, collecting write errors; ordered batches stop at the first one. */
function eachStatement<T>(items: T[], ordered: boolean, fn: (item: T, i: number) => void): { errors: MongoError[]; indexes: number[] } {
  const errors: MongoError[] = [];
  const indexes: number[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      fn(items[i] as T, i);
    } catch (err) {
      errors.push(toMongoError(err));
      indexes.push(i);
      if (ordered) break;
    }
  }
  return { errors, indexes };
}

function checkStatementFields(s: Doc, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(s)) {
    if (!allowed.includes(k)) throw new MongoError(40415, `BSON field '${where}.${k}' is an unknown field.`);
  }
  assertNoCollation(s);
}

const insert: CommandSpec = {
  fields: ['insert', 'documents', 'ordered', 'bypassDocumentValidation'],
  run(cmd, ctx) {
    const docs = statements(cmd, 'documents');
    const coll = dbOf(ctx).getOrCreate(collName(cmd, 'insert'));
    let n = 0;
    const { errors, indexes } = eachStatement(docs, optBool(cmd, 'ordered') ?? true, (doc) => {
      for (const k of Object.keys(doc)) if (k.startsWith('$')) throw fail.badValue(`Document can't have $ prefixed field names: ${k}`);
      coll.insert(doc);
      n++;
    });
    return writeReply(n, errors, indexes);
  },
};

const UPDATE_STMT_FIELDS = ['q', 'u', 'upsert', 'multi', 'arrayFilters', 'hint', 'collation', 'c', 'upsertSupplied', 'sort'];

const update: CommandSpec = {
  fields: ['update', 'updates', 'ordered', 'bypassDocumentValidation', 'let'],
  run(cmd, ctx) {
    const stmts = statements(cmd, 'updates');
    for (const s of stmts) checkStatementFields(s, UPDATE_STMT_FIELDS, 'update.updates');
    const name = collName(cmd, 'update');
    let n = 0;
    let nModified = 0;
    const upserted: Doc[] = [];
    const { errors, indexes } = eachStatement(stmts, optBool(cmd, 'ordered') ?? true, (s, i) => {
      const q = optDoc(s, 'q') ?? {};
      validateFilter(q);
      const cu = compileUpdate(s.u);
      const multi = optBool(s, 'multi') ?? false;
      if (multi && cu.kind === 'replace') throw fail.parse('multi update is not supported for replacement-style update');
      const arrayFilters = s.arrayFilters as Doc[] | undefined;
      const variables = optDoc(cmd, 'let');
      const coll = existing(ctx, name);
      checkHint(coll, s.hint);
      const recs = coll ? executeQuery(coll, { filter: q, sort: parseSort(optDoc(s, 'sort')), limit: multi ? undefined : 1, variables }).recs : [];
      if (recs.length === 0) {
        if (!(optBool(s, 'upsert') ?? false)) return;
        const doc = buildUpsertDoc(q, cu, arrayFilters);
        dbOf(ctx).getOrCreate(name).insert(doc);
        upserted.push({ index: i, _id: doc._id });
        n++;
        return;
      }
      for (const rec of recs) {
        const next = applyUpdate(rec.doc, cu, { filter: q, arrayFilters, isUpsertInsert: false });
        n++;
        if (identical(rec.doc, next)) continue;
        (coll as Collection).replace(rec, next);
        nModified++;
      }
    });
    return writeReply(n, errors, indexes, upserted.length > 0 ? { nModified, upserted } : { nModified });
  },
};

const del: CommandSpec = {
  fields: ['delete', 'deletes', 'ordered', 'let'],
  run(cmd, ctx) {
    const stmts = statements(cmd, 'deletes');
    for (const s of stmts) checkStatementFields(s, ['q', 'limit', 'collation', 'hint'], 'delete.deletes');
    const name = collName(cmd, 'delete');
    let n = 0;
    const { errors, indexes } = eachStatement(stmts, optBool(cmd, 'ordered') ?? true, (s) => {
      const limit = optNumber(s, 'limit') ?? 0;
      if (limit !== 0 && limit !== 1) throw fail.badValue('The limit field in delete objects must be 0 or 1');
      const q = optDoc(s, 'q') ?? {};
      validateFilter(q);
      const coll = existing(ctx, name);
      checkHint(coll, s.hint);
      if (!coll) return;
      const { recs } = executeQuery(coll, { filter: q, limit: limit || undefined, variables: optDoc(cmd, 'let') });
      for (const rec of recs) {
        coll.remove(rec);
        n++;
      }
    });
    return writeReply(n, errors, indexes);
  },
};

const FAM_FIELDS = [
  'query', 'sort', 'remove', 'update', 'new', 'fields', 'upsert', 'arrayFilters', 'bypassDocumentValidation',
  'collation', 'hint', 'let',
];

function findAndModifyRun(cmd: Doc, ctx: CommandContext, key: string): Doc {
  assertNoCollation(cmd);
  const name = collName(cmd, key);
  const query = optDoc(cmd, 'query') ?? {};
  validateFilter(query);
  const remove = optBool(cmd, 'remove') ?? false;
  const upsert = optBool(cmd, 'upsert') ?? false;
  const returnNew = optBool(cmd, 'new') ?? false;
  if (remove && cmd.update !== undefined) throw fail.parse('Cannot specify both an update and remove=true');
  if (!remove && cmd.update === undefined) throw fail.parse('Either an update or remove=true must be specified');
  if (remove && (upsert || returnNew)) throw fail.parse('Cannot specify both upsert=true and remove=true or new=true and remove=true');
  const project = compileProjection(cmd.fields, query);
  const shape = (d: Doc | null): Doc | null => (d && project ? project(d) : d);
  const coll = existing(ctx, name);
  checkHint(coll, cmd.hint);
  const rec = coll ? executeQuery(coll, { filter: query, sort: parseSort(optDoc(cmd, 'sort')), limit: 1, variables: optDoc(cmd, 'let') }).recs[0] : undefined;
  if (remove) {
    if (!rec || !coll) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    coll.remove(rec);
    return { lastErrorObject: { n: 1 }, value: shape(rec.doc), ok: 1 };
  }
  const cu = compileUpdate(cmd.update);
  const arrayFilters = cmd.arrayFilters as Doc[] | undefined;
  if (rec && coll) {
    const before = rec.doc;
    const next = applyUpdate(before, cu, { filter: query, arrayFilters, isUpsertInsert: false });
    if (!identical(before, next)) coll.replace(rec, next);
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: shape(returnNew ? rec.doc : before), ok: 1 };
  }
  if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const doc = buildUpsertDoc(query, cu, arrayFilters);
  const inserted = dbOf(ctx).getOrCreate(name).insert(doc);
  return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? shape(inserted.doc) : null, ok: 1 };
}

const findAndModify: CommandSpec = { fields: ['findAndModify', ...FAM_FIELDS], run: (cmd, ctx) => findAndModifyRun(cmd, ctx, 'findAndModify') };
const findandmodify: CommandSpec = { fields: ['findandmodify', ...FAM_FIELDS], run: (cmd, ctx) => findAndModifyRun(cmd, ctx, 'findandmodify') };

/** Write commands by name. */
export const writeCommands: Record<string, CommandSpec> = { insert, update, delete: del, findAndModify, findandmodify };
