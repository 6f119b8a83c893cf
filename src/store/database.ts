import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { AppError } from '../domain/errors.js';
import { startDevDb } from '../devdb/server.js';

/** Where the data lives, and how to stop whatever was started for it. */
export interface ResolvedDatabase {
  uri: string;
  kind: 'external' | 'embedded';
  stop(): Promise<void>;
}

/** Hides the password in a MongoDB URI so it can be logged or shown in an error. */
export function redactUri(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

/**
 * Picks the database, the same way for `npm start` and the tests: MONGODB_URI when set (production,
 * ideally a replica set); else the built-in MongoDB-compatible server in this process, durable on
 * LMDB under `DATA_DIR/db` (or in memory when EMBEDDED_DB_ENGINE=memory).
 */
export async function resolveDatabase(config: Config, logger: Logger): Promise<ResolvedDatabase> {
  if (config.mongodbUri) return { uri: config.mongodbUri, kind: 'external', stop: async () => {} };
  if (!config.db.embeddedFallback) {
    throw new AppError('CONFIG_INVALID', 'Invalid configuration: MONGODB_URI is not set and EMBEDDED_DB is false');
  }
  if (config.db.embeddedEngine === 'memory') {
    const devdb = await startDevDb({ host: '127.0.0.1', port: 0, logger });
    logger.warn({ uri: devdb.uri }, '*** EMBEDDED_DB_ENGINE=memory: the built-in database keeps its data in memory. ALL DATA IS LOST WHEN THIS PROCESS EXITS. ***');
    return { uri: devdb.uri, kind: 'embedded', stop: () => devdb.close() };
  }
  const dataDir = path.resolve(config.dataDir, 'db');
  let devdb;
  try {
    devdb = await startDevDb({ host: '127.0.0.1', port: 0, logger, dataDir });
  } catch (err) {
    throw new AppError('DB_UNREACHABLE', `Cannot open the built-in database in ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  logger.info({ dataDir }, 'using the built-in database (one machine, a small team); set MONGODB_URI to move to MongoDB');
  return { uri: devdb.uri, kind: 'embedded', stop: () => devdb.close() };
}

function databaseName(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/**
 * Opens a mongoose connection, failing with DB_UNREACHABLE (and the redacted address) when no server
 * answers in time. A connection lost later is logged and retried by the driver.
 */
export async function connectMongo(uri: string, opts: { serverSelectionTimeoutMs: number; dbName?: string }, logger: Logger): Promise<Connection> {
  const dbName = opts.dbName ?? databaseName(uri) ?? 'threadline';
  const conn = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: opts.serverSelectionTimeoutMs, autoIndex: false });
  // close() says 'disconnecting' first; a lost connection goes straight to 'disconnected'.
  let closing = false;
  conn.on('disconnecting', () => (closing = true));
  conn.on('disconnected', () => closing || logger.error({ uri: redactUri(uri) }, 'lost the connection to MongoDB; the driver keeps retrying'));
  conn.on('reconnected', () => logger.info('reconnected to MongoDB'));
  try {
    await conn.asPromise();
  } catch (err) {
    await conn.close().catch(() => {});
    throw new AppError('DB_UNREACHABLE', `Cannot reach MongoDB at ${redactUri(uri)}: ${(err as Error).message}`, { cause: err });
  }
  return conn;
}

/** Pings the database over `connection`; rejects when it is not connected or does not answer. */
export async function pingDatabase(connection: Connection): Promise<void> {
  if (!connection.db || connection.readyState !== 1) throw new Error('not connected');
  await connection.db.command({ ping: 1 });
}
