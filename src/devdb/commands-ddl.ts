import { BSON, Long } from 'bson';
import { collName, dbOf, optBool, optDoc, optNumber, type CommandSpec } from './context.js';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { Index } from './indexes.js';
import { compileFilter } from './matcher.js';
import type { Collection, Database } from './storage.js';
import { isPlainObject, toPlain, type Doc } from './values.js';

const createIndexes: CommandSpec = {
  fields: ['createIndexes', 'indexes', 'commitQuorum', 'ignoreUnknownIndexOptions'],
  run(cmd, ctx) {
    const name = collName(cmd, 'createIndexes');
    if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw fail.badValue('Must specify at least one index to create');
    const db = dbOf(ctx);
    const created = db.get(name) === undefined;
    const coll = db.getOrCreate(name);
    const before = coll.indexes.length;
    for (const spec of cmd.indexes) {
      if (!isPlainObject(spec)) throw fail.typeMismatch('index specifications must be documents');
      const ix = new Index(spec);
      const sameName = coll.indexes.find((x) => x.name === ix.name);
      if (sameName) {
        if (sameName.sameAs(spec)) continue;
        const code = sameName.sameKey(spec) ? ErrorCodes.IndexOptionsConflict : ErrorCodes.IndexKeySpecsConflict;
        throw new MongoError(code, `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(ix.spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      const sameKey = coll.indexes.find((x) => x.sameKey(spec));
      if (sameKey) {
        throw new MongoError(ErrorCodes.IndexOptionsConflict, `Index already exists with a different name: ${sameKey.name}`);
      }
      coll.addIndex(ix);
    }
    const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.length, createdCollectionAutomatically: created };
    if (before === coll.indexes.length) reply.note = 'all indexes already exist';
    reply.ok = 1;
    return reply;
  },
};

const listIndexes: CommandSpec = {
  fields: ['listIndexes', 'cursor'],
  run(cmd, ctx) {
    const coll = dbOf(ctx).require(collName(cmd, 'listIndexes'));
    return { cursor: ctx.cursors.start(`${ctx.dbName}.${coll.name}`, coll.indexes.map((ix) => ({ ...ix.spec })), undefined), ok: 1 };
  },
};

function findIndexes(coll: Collection, target: unknown): Index[] {
  if (target === '*') return coll.indexes.slice(1);
  const names = Array.isArray(target) ? target : [target];
  return names.map((t) => {
    const ix = typeof t === 'string' ? coll.indexes.find((x) => x.name === t) : isPlainObject(t) ? coll.indexes.find((x) => x.sameKey({ key: t })) : undefined;
    if (!ix) throw new MongoError(ErrorCodes.IndexNotFound, typeof t === 'string' ? `index not found with name [${t}]` : `can't find index with key: ${JSON.stringify(t)}`);
    if (ix.name === '_id_') throw new MongoError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
    return ix;
  });
}

function dropIndexesRun(key: string): CommandSpec['run'] {
  return (cmd, ctx) => {
    const coll = dbOf(ctx).require(collName(cmd, key));
    const was = coll.indexes.length;
    for (const ix of findIndexes(coll, cmd.index)) coll.dropIndex(ix);
    return { nIndexesWas: was, ok: 1 };
  };
}

const CREATE_UNSUPPORTED = ['capped', 'size', 'max', 'validator', 'timeseries', 'clusteredIndex', 'viewOn', 'pipeline', 'changeStreamPreAndPostImages', 'encryptedFields', 'expireAfterSeconds'];

const create: CommandSpec = {
  fields: ['create', 'idIndex', 'storageEngine', 'validationLevel', 'validationAction', 'indexOptionDefaults', 'collation', 'autoIndexId', 'flags', ...CREATE_UNSUPPORTED],
  run(cmd, ctx) {
    const name = collName(cmd, 'create');
    for (const k of CREATE_UNSUPPORTED) {
      if (cmd[k] !== undefined && cmd[k] !== false) throw fail.notSupported(`create option '${k}'`);
    }
    if (cmd.collation !== undefined && !(isPlainObject(cmd.collation) && cmd.collation.locale === 'simple')) throw fail.notSupported('collection collation');
    const db = dbOf(ctx);
    if (db.get(name)) throw new MongoError(ErrorCodes.NamespaceExists, `Collection ${db.name}.${name} already exists.`);
    db.getOrCreate(name);
    return { ok: 1 };
  },
};

const drop: CommandSpec = {
  fields: ['drop'],
  run(cmd, ctx) {
    const db = dbOf(ctx);
    const name = collName(cmd, 'drop');
    const coll = db.get(name);
    if (!coll) return { ok: 1 };
    db.drop(name);
    return { ns: coll.ns, nIndexesWas: coll.indexes.length, ok: 1 };
  },
};

function collectionInfo(c: Collection): Doc {
  return {
    name: c.name,
    type: 'collection',
    options: { ...c.options },
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

const listCollections: CommandSpec = {
  fields: ['listCollections', 'filter', 'nameOnly', 'authorizedCollections', 'cursor'],
  run(cmd, ctx) {
    const filter = optDoc(cmd, 'filter');
    const nameOnly = optBool(cmd, 'nameOnly') ?? false;
    const match = compileFilter(filter);
    const infos = [...dbOf(ctx).collections.values()].map(collectionInfo).filter((i) => match(toPlain(i)));
    const docs = nameOnly ? infos.map((i) => ({ name: i.name, type: i.type })) : infos;
    return { cursor: ctx.cursors.start(`${ctx.dbName}.$cmd.listCollections`, docs, undefined), ok: 1 };
  },
};

const dropDatabase: CommandSpec = {
  fields: ['dropDatabase'],
  run(_cmd, ctx) {
    ctx.store.dropDatabase(ctx.dbName);
    return { dropped: ctx.dbName, ok: 1 };
  },
};

function splitNs(ns: unknown): [string, string] {
  if (typeof ns !== 'string' || !ns.includes('.')) throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${String(ns)}'`);
  const i = ns.indexOf('.');
  return [ns.slice(0, i), ns.slice(i + 1)];
}

const renameCollection: CommandSpec = {
  fields: ['renameCollection', 'to', 'dropTarget', 'stayTemp'],
  admin: true,
  run(cmd, ctx) {
    const [fromDb, fromName] = splitNs(cmd.renameCollection);
    const [toDb, toName] = splitNs(cmd.to);
    if (fromDb !== toDb) throw fail.notSupported('renaming a collection across databases');
    const db = ctx.store.db(fromDb);
    const coll = db.require(fromName);
    if (db.get(toName)) {
      if (!(optBool(cmd, 'dropTarget') ?? false)) throw new MongoError(ErrorCodes.NamespaceExists, 'target namespace exists');
      db.drop(toName);
    }
    db.rename(coll.name, toName);
    return { ok: 1 };
  },
};

function dbSize(db: Database): { objects: number; dataSize: number; indexes: number } {
  let objects = 0;
  let dataSize = 0;
  let indexes = 0;
  for (const c of db.collections.values()) {
    objects += c.size;
    indexes += c.indexes.length;
    for (const r of c.scan()) dataSize += BSON.calculateObjectSize(r.doc);
  }
  return { objects, dataSize, indexes };
}

const listDatabases: CommandSpec = {
  fields: ['listDatabases', 'filter', 'nameOnly', 'authorizedDatabases'],
  admin: true,
  run(cmd, ctx) {
    const nameOnly = optBool(cmd, 'nameOnly') ?? false;
    const match = compileFilter(optDoc(cmd, 'filter'));
    let totalSize = 0;
    const databases = [...ctx.store.databases.values()]
      .filter((db) => db.collections.size > 0)
      .map((db) => {
        if (nameOnly) return { name: db.name };
        const size = dbSize(db).dataSize;
        totalSize += size;
        return { name: db.name, sizeOnDisk: Long.fromNumber(size), empty: db.collections.size === 0 };
      })
      .filter((d) => match(toPlain(d)));
    return nameOnly ? { databases, ok: 1 } : { databases, totalSize, totalSizeMb: Math.round(totalSize / 1048576), ok: 1 };
  },
};

const dbStats: CommandSpec = {
  fields: ['dbStats', 'scale', 'freeStorage'],
  run(_cmd, ctx) {
    const db = dbOf(ctx);
    const { objects, dataSize, indexes } = dbSize(db);
    return {
      db: db.name, collections: db.collections.size, views: 0, objects, avgObjSize: objects ? dataSize / objects : 0,
      dataSize, storageSize: dataSize, indexes, indexSize: 0, totalSize: dataSize, scaleFactor: 1, ok: 1,
    };
  },
};

/*
 * The store is one file for every collection, so compacting one compacts them all; a second
 * `compact` with nothing written since finds nothing to free and returns at once. Unlike MongoDB,
 * with no freeSpaceTargetMB any free page is enough: a freed page still holds deleted bytes.
 */
const compact: CommandSpec = {
  fields: ['compact', 'force', 'freeSpaceTargetMB'],
  run(cmd, ctx) {
    dbOf(ctx).require(collName(cmd, 'compact'));
    optBool(cmd, 'force');
    const targetMb = optNumber(cmd, 'freeSpaceTargetMB');
    if (targetMb !== undefined && targetMb < 1) throw fail.badValue(`freeSpaceTargetMB must be at least 1, got ${targetMb}`);
    const engine = ctx.store.engine;
    ctx.exclusive = async () => {
      const bytesFreed = await engine.compact((targetMb ?? 0) * 1024 * 1024);
      return { bytesFreed, ok: 1 };
    };
    return { bytesFreed: 0, ok: 1 };
  },
};

/** Collection / index / database management commands by name. */
export const ddlCommands: Record<string, CommandSpec> = {
  createIndexes,
  listIndexes,
  dropIndexes: { fields: ['dropIndexes', 'index'], run: dropIndexesRun('dropIndexes') },
  deleteIndexes: { fields: ['deleteIndexes', 'index'], run: dropIndexesRun('deleteIndexes') },
  create,
  drop,
  listCollections,
  dropDatabase,
  renameCollection,
  listDatabases,
  dbStats,
  compact,
};
