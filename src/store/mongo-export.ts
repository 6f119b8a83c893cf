import { BSON, MongoBulkWriteError, MongoClient, type Db, type Document } from 'mongodb';
import { AppError } from '../domain/errors.js';
import type { CollectionProgress, ExportDoc, ExportSource, ExportTarget, IndexSpec } from '../services/system/export-database.js';
import { redactUri } from './database.js';

/**
 * How documents are read so that writing them back gives the same BSON: int32, int64 and double stay
 * apart (a double 1.0 or -0 stays a double, an int64 that fits in 53 bits stays an int64), decimal128,
 * binary subtypes and regular expressions (even flags JavaScript lacks) come back as they were.
 */
export const EXACT_BSON = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true, useBigInt64: false } as const;

/** The target collection that records how far an export got; dropped once the export is complete. */
export const EXPORT_PROGRESS_COLLECTION = '_threadline_export';

const isSystem = (name: string) => name.startsWith('system.') || name === EXPORT_PROGRESS_COLLECTION;
const codeOf = (err: unknown) => (err as { code?: number } | null)?.code;

/** MongoDB compares `_id`s of different kinds in this order; `$gt` only matches within a kind. */
const KIND_ORDER = ['MinKey', 'null', 'number', 'string', 'object', 'Binary', 'ObjectId', 'boolean', 'date', 'Timestamp', 'BSONRegExp', 'DBPointer', 'Code', 'MaxKey'];
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return 'date';
  if (typeof v !== 'object') return typeof v === 'bigint' ? 'number' : typeof v;
  const t = (v as { _bsontype?: string })._bsontype;
  if (t === 'Int32' || t === 'Double' || t === 'Long' || t === 'Decimal128') return 'number';
  if (t === 'BSONSymbol') return 'string';
  return t && KIND_ORDER.includes(t) ? t : 'object';
}

async function connect(uri: string, serverSelectionTimeoutMs: number): Promise<MongoClient> {
  try {
    return await new MongoClient(uri, { serverSelectionTimeoutMS: serverSelectionTimeoutMs }).connect();
  } catch (err) {
    throw new AppError('DB_UNREACHABLE', `Cannot reach MongoDB at ${redactUri(uri)}: ${(err as Error).message}`, { cause: err });
  }
}

const countOf = (db: Db, collection: string) => db.collection(collection).countDocuments({});

/** The source side of an export over the native driver, reading raw BSON. */
export async function openExportSource(uri: string, dbName: string, serverSelectionTimeoutMs = 10_000): Promise<ExportSource & { close(): Promise<void> }> {
  const client = await connect(uri, serverSelectionTimeoutMs);
  const db = client.db(dbName);
  return {
    async collections() {
      const listed = await db.listCollections({}, { nameOnly: false }).toArray();
      return listed.filter((c) => !isSystem(c.name)).map((c) => ({ name: c.name, type: c.type ?? 'collection', options: (c as { options?: Record<string, unknown> }).options ?? {} }));
    },
    count: (collection) => countOf(db, collection),
    async indexes(collection) {
      const specs = await db.collection(collection).listIndexes(EXACT_BSON).toArray();
      return specs.map(({ v: _v, ns: _ns, ...spec }) => spec as IndexSpec);
    },
    async read(collection, after) {
      const coll = db.collection(collection);
      let filter: Document = {};
      let fromStart = true;
      if (after) {
        // Past the last kind of _id there is nothing $gt can miss; otherwise start over (writes replace).
        const [max] = await coll.find({}, { projection: { _id: 1 }, sort: { _id: -1 }, limit: 1, ...EXACT_BSON }).toArray();
        if (max && kindOf(max._id) === kindOf(after.id)) {
          filter = { _id: { $gt: after.id } };
          fromStart = false;
        }
      }
      const cursor = coll.find(filter, { sort: { _id: 1 }, raw: true, batchSize: 1000 });
      async function* docs(): AsyncIterable<ExportDoc> {
        for await (const raw of cursor as unknown as AsyncIterable<Uint8Array>) {
          const doc = BSON.deserialize(raw, EXACT_BSON);
          yield { id: doc._id, bytes: raw.byteLength, doc };
        }
      }
      return { fromStart, docs: docs() };
    },
    close: () => client.close(),
  };
}

/** The target side of an export over the native driver; progress lives in {@link EXPORT_PROGRESS_COLLECTION}. */
export async function openExportTarget(uri: string, dbName: string, serverSelectionTimeoutMs = 10_000): Promise<ExportTarget & { close(): Promise<void> }> {
  const client = await connect(uri, serverSelectionTimeoutMs);
  const db = client.db(dbName);
  const progress = db.collection<{ _id: string; updatedAt?: Date } & CollectionProgress>(EXPORT_PROGRESS_COLLECTION);
  return {
    count: (collection) => countOf(db, collection),
    async createCollection(collection, options) {
      await db.command({ create: collection, ...options }).catch((err: unknown) => (codeOf(err) === 48 ? undefined : Promise.reject(err)));
    },
    async write(collection, docs) {
      const coll = db.collection(collection);
      try {
        await coll.insertMany(docs.map((d) => d.doc as Document), { ordered: false });
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const failed = [err.writeErrors].flat();
        if (failed.some((e) => e.code !== 11000)) throw err;
        await coll.bulkWrite(
          failed.map((e) => {
            const doc = docs[e.index]!.doc as Document;
            return { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } };
          }),
          { ordered: false },
        );
      }
    },
    async createIndexes(collection, specs) {
      await db.command({ createIndexes: collection, indexes: specs });
    },
    progress: {
      async load() {
        const saved = await progress.find({}, EXACT_BSON).toArray();
        return new Map(saved.map(({ _id, last, copied, done }) => [_id, { ...(last ? { last } : {}), copied: Number(copied), done: Boolean(done) }]));
      },
      async save(collection, p) {
        await progress.replaceOne({ _id: collection }, { ...p, updatedAt: new Date() }, { upsert: true });
      },
      async clear() {
        await progress.drop().catch((err: unknown) => (codeOf(err) === 26 ? undefined : Promise.reject(err)));
      },
    },
    close: () => client.close(),
  };
}
