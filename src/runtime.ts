import { hostname } from 'node:os';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { resolveSecretKey } from './config/secret-key.js';
import type { Signer } from './domain/message-ids.js';
import { createScheduler, ensureJobIndexes } from './jobs/scheduler.js';
import type { JobScheduler } from './services/ports.js';
import { createMailWorkerPool, type MailWorkerPool } from './mail/mail-worker-pool.js';
import { createBlobStore, type BlobStore } from './store/blob-store.js';
import { connectMongo, resolveDatabase, type ResolvedDatabase } from './store/database.js';
import { upgradeDatabase } from './store/migrations/index.js';
import { createModels, type Models } from './store/models/index.js';
import { createStores, type Stores } from './store/stores.js';
import { createSecretBox, createSigner, type SecretBox } from './store/secret-box.js';

export type Role = 'web' | 'poller' | 'jobs';

/** Everything a role needs, built once per process. */
export interface Runtime {
  config: Config;
  logger: Logger;
  database: ResolvedDatabase;
  connection: Connection;
  models: Models;
  /** One store per collection, over `models`. */
  stores: Stores;
  blobs: BlobStore;
  secrets: SecretBox;
  sign: Signer;
  agenda: Agenda;
  scheduler: JobScheduler;
  /** Parsing and sanitizing of customer mail, off the main thread (see MailWorkerPool). */
  mailWork: MailWorkerPool;
}

/** Connects to the database and wires the shared pieces. The one composition root. */
export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const secretKey = resolveSecretKey(config, logger);
  const secrets = createSecretBox(secretKey);
  const database = await resolveDatabase(config, logger);
  try {
    const connection = await connectMongo(database.uri, { serverSelectionTimeoutMs: config.db.serverSelectionTimeoutMs }, logger);
    const models = createModels(connection);
    const blobs = createBlobStore(connection.db!);
    await upgradeDatabase(connection.db!, { models, blobs, logger });
    // Every process schedules jobs through Agenda; only the jobs role also processes them.
    const agenda = new Agenda({
      backend: new MongoBackend({ mongo: connection.db!, collection: 'jobs' }),
      name: `${hostname()}:${process.pid}`,
      processEvery: config.jobs.processEveryMs,
      // A one-off job that succeeded is history: the trail and the outbox keep that. Scheduling the
      // same key again works either way, so removing it keeps the collection to pending work.
      removeOnComplete: true,
    });
    await agenda.ready;
    const jobs = connection.db!.collection('jobs');
    await ensureJobIndexes(jobs);
    const mailWork = createMailWorkerPool({ threads: config.mail.workerThreads, budgetMs: config.mail.workBudgetMs, logger });
    return { config, logger, database, connection, models, stores: createStores(models), secrets, blobs, sign: createSigner(secretKey), agenda, scheduler: createScheduler(agenda, jobs), mailWork };
  } catch (err) {
    await database.stop();
    throw err;
  }
}

