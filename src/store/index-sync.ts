import { BSON, type Collection, type Db, type Document } from 'mongodb';
import type { Schema } from 'mongoose';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';

/** One index as the code declares it: the key plus the options index sync keeps in step. */
export interface IndexDeclaration {
  key: Record<string, 1 | -1>;
  /** MongoDB's own name for the key when absent, e.g. `email_1`. */
  name?: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Document;
}

/** The indexes one collection should have. */
export interface CollectionIndexes {
  collection: string;
  indexes: IndexDeclaration[];
}

/** What one sync did: indexes built (`collection.index`), and indexes rebuilt with what changed. */
export interface IndexSyncReport {
  created: string[];
  replaced: Array<{ collection: string; index: string; changes: string[] }>;
}

interface ExistingIndex extends Document {
  name: string;
  key: Document;
}

const COMPARED = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression'] as const;
const IGNORED = new Set(['name', 'background']);

/**
 * The indexes declared on mongoose schemas, one entry per model. An index option that index sync
 * does not compare is refused, because a change to it would otherwise go unnoticed.
 */
export function modelIndexes(models: Record<string, { collection: { collectionName: string }; schema: Schema }>): CollectionIndexes[] {
  return Object.values(models).map((model) => {
    const collection = model.collection.collectionName;
    const indexes = model.schema.indexes().map(([key, options]): IndexDeclaration => {
      const opts = options as Record<string, unknown>;
      const unsupported = Object.keys(opts).filter((k) => !IGNORED.has(k) && !(COMPARED as readonly string[]).includes(k));
      if (unsupported.length > 0) {
        throw new AppError('SCHEMA_UPGRADE_FAILED', `Index sync cannot compare the option ${unsupported.join(', ')} of an index on ${collection}; teach src/store/index-sync.ts about it first`);
      }
      return { key: key as IndexDeclaration['key'], ...(typeof opts.name === 'string' ? { name: opts.name } : {}), ...pick(opts) };
    });
    return { collection, indexes };
  });
}

function pick(opts: Record<string, unknown>): Partial<IndexDeclaration> {
  const out: Record<string, unknown> = {};
  for (const k of COMPARED) if (opts[k] !== undefined) out[k] = opts[k];
  return out as Partial<IndexDeclaration>;
}

/** The name MongoDB gives an index without one: `field_dir` pairs joined by `_`. */
export function indexName(decl: IndexDeclaration): string {
  return decl.name ?? Object.entries(decl.key).map(([field, dir]) => `${field}_${dir}`).join('_');
}

// Key order inside a filter does not change what it matches, so it must not count as a change.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

const show = (value: unknown): string => (value === undefined ? 'none' : BSON.EJSON.stringify(canonical(value) as Document, { relaxed: true }));
// A key pattern's field order is part of the index, so it is shown as it is.
const showKey = (key: Document): string => BSON.EJSON.stringify(key, { relaxed: true });

function sameKey(a: Document, b: Document): boolean {
  const x = Object.entries(a);
  const y = Object.entries(b);
  return x.length === y.length && x.every(([field, dir], i) => y[i]?.[0] === field && String(y[i]?.[1]) === String(dir));
}

/** How an existing index's key and options differ from the declaration; empty when they match. */
function differences(existing: ExistingIndex, decl: IndexDeclaration): string[] {
  const changes: string[] = [];
  if (!sameKey(existing.key, decl.key)) changes.push(`key ${showKey(existing.key)} → ${showKey(decl.key)}`);
  for (const option of ['unique', 'sparse'] as const) {
    if ((existing[option] === true) !== (decl[option] === true)) changes.push(`${option} ${existing[option] === true} → ${decl[option] === true}`);
  }
  const ttl = existing.expireAfterSeconds as number | undefined;
  if (ttl !== decl.expireAfterSeconds) changes.push(`expireAfterSeconds ${ttl ?? 'none'} → ${decl.expireAfterSeconds ?? 'none'}`);
  const before = show(existing.partialFilterExpression);
  const after = show(decl.partialFilterExpression);
  if (before !== after) changes.push(`partialFilterExpression ${before} → ${after}`);
  return changes;
}

const codeOf = (err: unknown) => (err as { code?: number } | null)?.code;

/**
 * One set of documents that a unique index would reject, or null. Missing and null values count as
 * equal, as they do in the index; a sparse or partial index only sees the documents it would hold.
 */
async function findDuplicate(coll: Collection, decl: IndexDeclaration): Promise<{ value: Record<string, unknown>; count: number } | null> {
  const fields = Object.keys(decl.key);
  const filter = decl.partialFilterExpression ?? (decl.sparse ? { $or: fields.map((f) => ({ [f]: { $exists: true } })) } : undefined);
  const [dup] = await coll
    .aggregate<{ _id: Record<string, unknown>; n: number }>(
      [
        ...(filter ? [{ $match: filter }] : []),
        { $group: { _id: Object.fromEntries(fields.map((f, i) => [`k${i}`, { $ifNull: [`$${f}`, null] }])), n: { $sum: 1 } } },
        { $match: { n: { $gt: 1 } } },
        { $limit: 1 },
      ],
      { allowDiskUse: true },
    )
    .toArray();
  if (!dup) return null;
  return { value: Object.fromEntries(fields.map((f, i) => [f, dup._id[`k${i}`]])), count: dup.n };
}

/** The error naming one duplicate under a unique declaration, or null when there is none. */
async function duplicateError(coll: Collection, decl: IndexDeclaration): Promise<AppError | null> {
  const dup = await findDuplicate(coll, decl);
  if (!dup) return null;
  const value = Object.entries(dup.value).map(([f, v]) => `${f} = ${show(v ?? null)}`).join(', ');
  return new AppError(
    'SCHEMA_UPGRADE_FAILED',
    `Cannot build unique index ${coll.collectionName}.${indexName(decl)} on ${showKey(decl.key)}: ${dup.count} documents have ${value}. Merge or remove the duplicates, then start again.`,
    { details: { collection: coll.collectionName, index: indexName(decl), key: decl.key, value: dup.value } },
  );
}

async function build(coll: Collection, decls: IndexDeclaration[]): Promise<void> {
  try {
    await coll.createIndexes(decls.map((d) => ({ ...d, name: indexName(d) })));
  } catch (err) {
    if (codeOf(err) !== 11000) throw err;
    // Looked for only now: on a large collection the search costs about as much as the build.
    for (const decl of decls.filter((d) => d.unique)) {
      const found = await duplicateError(coll, decl);
      if (found) throw found;
    }
    throw new AppError('SCHEMA_UPGRADE_FAILED', `Cannot build the indexes of ${coll.collectionName}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Brings each collection's indexes in line with the declarations: builds the missing ones, and
 * rebuilds one whose key or options (unique, sparse, TTL, partial filter) changed, logging what
 * changed. An index nobody declares is left alone unless it holds a declared name or key. A unique
 * index that existing documents would violate stops with SCHEMA_UPGRADE_FAILED naming one duplicate,
 * before the index it would replace is dropped.
 */
export async function syncIndexes(db: Db, declared: readonly CollectionIndexes[], logger?: Logger): Promise<IndexSyncReport> {
  const report: IndexSyncReport = { created: [], replaced: [] };
  for (const { collection, indexes } of declared) {
    await db.createCollection(collection).catch((err: unknown) => {
      if (codeOf(err) !== 48) throw err; // 48 NamespaceExists: it is there already
    });
    const coll = db.collection(collection);
    const existing = (await coll.listIndexes().toArray()) as ExistingIndex[];
    const missing: IndexDeclaration[] = [];
    for (const decl of indexes) {
      const name = indexName(decl);
      const byName = existing.find((ix) => ix.name === name);
      const byKey = existing.find((ix) => ix.name !== name && ix.name !== '_id_' && sameKey(ix.key, decl.key));
      if (byName && differences(byName, decl).length === 0) continue;
      // The same index under another name serves as well, and MongoDB refuses to build a second one.
      if (!byName && byKey && differences(byKey, decl).length === 0) continue;
      const conflicts = [byName, byKey].filter((ix): ix is ExistingIndex => ix !== undefined);
      if (conflicts.length === 0) {
        missing.push(decl);
        continue;
      }
      if (decl.unique) {
        const found = await duplicateError(coll, decl);
        if (found) throw found;
      }
      const changes = conflicts.flatMap((ix) => [...(ix.name === name ? [] : [`name ${ix.name} → ${name}`]), ...differences(ix, decl)]);
      for (const ix of conflicts) {
        await coll.dropIndex(ix.name).catch((err: unknown) => {
          if (codeOf(err) !== 27) throw err; // 27 IndexNotFound: already gone
        });
      }
      await build(coll, [decl]);
      report.replaced.push({ collection, index: name, changes });
      logger?.warn({ collection, index: name, changes }, `index sync: replaced index ${collection}.${name} (${changes.join('; ')})`);
    }
    if (missing.length > 0) {
      await build(coll, missing);
      report.created.push(...missing.map((d) => `${collection}.${indexName(d)}`));
    }
  }
  if (report.created.length > 0) logger?.info({ indexes: report.created }, `index sync: created ${report.created.length} indexes`);
  return report;
}
