import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { resolveSecretKey } from './config/secret-key.js';
import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { jobDefinitions } from './jobs/definitions.js';
import { createJobWorker, type JobWorker } from './jobs/job-worker.js';
import { createScheduler, type JobScheduler } from './jobs/scheduler.js';
import { createMailSender } from './mail/smtp-transport.js';
import { renderEmail, validateTemplateOverride } from './mail/render-email.js';
import { refreshSla, type SlaDeps } from './services/refresh-sla.js';
import { AUTO_REPLY_JOB } from './services/send-auto-reply.js';
import { checkHealth } from './services/check-health.js';
import { ensureFirstAdmin } from './services/ensure-first-admin.js';
import { createBlobStore, type BlobStore } from './store/blob-store.js';
import { connectMongo, resolveDatabase, type ResolvedDatabase } from './store/database.js';
import { createModels, ensureIndexes, type Models } from './store/models/index.js';
import { hashPassword } from './store/passwords.js';
import { createSecretBox, createSigner, type SecretBox } from './store/secret-box.js';
import type { Signer } from './domain/message-ids.js';
import { PollerSupervisor } from './mail/poller-supervisor.js';
import { parseMail } from './mail/parse-mail.js';
import { sanitizeEmailHtml } from './mail/sanitize-html.js';
import { ingestEmail, type IngestDeps } from './services/ingest-email.js';
import { quarantineMail } from './services/quarantine-mail.js';
import { contentHashOf } from './domain/dedupe.js';
import { crashHookFromEnv } from './crash-hook.js';
import { startHeartbeat, type HeartbeatHandle } from './store/worker-heartbeats.js';
import { createApp } from './web/create-app.js';

export type Role = 'web' | 'poller' | 'jobs';

/** Everything a role needs, built once per process. */
export interface Runtime {
  config: Config;
  logger: Logger;
  database: ResolvedDatabase;
  connection: Connection;
  models: Models;
  blobs: BlobStore;
  secrets: SecretBox;
  sign: Signer;
  agenda: Agenda;
  scheduler: JobScheduler;
}

/** Connects to the database and wires the shared pieces. The one composition root. */
export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const secretKey = resolveSecretKey(config, logger);
  const secrets = createSecretBox(secretKey);
  const database = await resolveDatabase(config, logger);
  try {
    const connection = await connectMongo(database.uri, { serverSelectionTimeoutMs: config.db.serverSelectionTimeoutMs }, logger);
    const models = createModels(connection);
    await ensureIndexes(models);
    const blobs = createBlobStore(connection.db!);
    await blobs.ensureIndexes();
    // Every process schedules jobs through Agenda; only the jobs role also processes them.
    const agenda = new Agenda({
      backend: new MongoBackend({ mongo: connection.db!, collection: 'jobs' }),
      name: `${hostname()}:${process.pid}`,
      processEvery: config.jobs.processEveryMs,
    });
    await agenda.ready;
    return { config, logger, database, connection, models, secrets, blobs, sign: createSigner(secretKey), agenda, scheduler: createScheduler(agenda) };
  } catch (err) {
    await database.stop();
    throw err;
  }
}

/** A started role: what it reports to /healthz and how it stops. */
interface RunningRole {
  role: Role;
  server?: Server;
  stop(): Promise<void>;
}

async function startWeb(rt: Runtime): Promise<RunningRole> {
  await ensureFirstAdmin({ users: rt.models.User, hashPassword, logger: rt.logger }, { admin: rt.config.admin, env: rt.config.env });
  const app = createApp({
    logger: rt.logger,
    health: () =>
      checkHealth({
        connection: rt.connection,
        heartbeats: rt.models.WorkerHeartbeat,
        dbKind: rt.database.kind,
        staleAfterMs: rt.config.workers.staleAfterMs,
        now: () => new Date(),
      }),
    api: {
      models: rt.models,
      secrets: rt.secrets,
      blobs: rt.blobs,
      now: () => new Date(),
      automation: { ...slaDeps(rt), refreshSla: (id) => refreshSla(slaDeps(rt), id) },
      validateTemplate: validateTemplateOverride,
    },
    pages: {
      models: rt.models,
      now: () => new Date(),
      publicUrl: rt.config.publicUrl,
      blobs: rt.blobs,
      actions: { ...slaDeps(rt), refreshSla: (id) => refreshSla(slaDeps(rt), id) },
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(rt.config.port, rt.config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : rt.config.port;
  rt.logger.info({ url: rt.config.publicUrl ?? `http://${rt.config.host}:${port}` }, 'web server listening');
  return {
    role: 'web',
    server,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

/** Dependencies of the SLA use cases, for every process that changes tickets. */
export function slaDeps(rt: Runtime): SlaDeps {
  return {
    models: rt.models,
    scheduler: rt.scheduler,
    sign: rt.sign,
    now: () => new Date(),
    logger: rt.logger,
    render: renderEmail,
    ticketUrlBase: rt.config.publicUrl ? `${rt.config.publicUrl.replace(/\/$/, '')}/tickets/` : null,
  };
}

async function startJobs(rt: Runtime): Promise<RunningRole> {
  const sender = createMailSender({ connectionTimeoutMs: rt.config.outbox.connectTimeoutMs });
  const now = () => new Date();
  const worker: JobWorker = createJobWorker({
    agenda: rt.agenda,
    logger: rt.logger,
    definitions: jobDefinitions({
      lockLifetimeMs: rt.config.jobs.lockLifetimeMs,
      deliver: {
        models: rt.models,
        sender,
        secrets: rt.secrets,
        now,
        logger: rt.logger,
        settings: { maxAttempts: rt.config.outbox.maxAttempts, backoff: { baseMs: rt.config.outbox.backoffBaseMs, maxMs: rt.config.outbox.backoffMaxMs } },
        onStep: crashHookFromEnv(),
      },
      autoReply: {
        models: rt.models,
        scheduler: rt.scheduler,
        sign: rt.sign,
        now,
        blobs: rt.blobs,
        parse: (raw) => parseMail(raw, { maxBytes: rt.config.mail.maxMessageBytes }),
        render: renderEmail,
        logger: rt.logger,
        settings: rt.config.autoReply,
      },
      sla: slaDeps(rt),
      digest: slaDeps(rt),
    }),
  });
  await worker.start();
  const heartbeat = beat(rt, 'jobs', worker.status);
  return {
    role: 'jobs',
    async stop() {
      await worker.stop(rt.config.shutdownTimeoutMs);
      sender.close();
      await heartbeat.stop();
    },
  };
}

/** The ingest pipeline's dependencies, shared by the pollers and the import tools. */
export function ingestDeps(rt: Runtime): IngestDeps {
  let own: { at: number; set: Set<string> } | null = null;
  return {
    models: rt.models,
    blobs: rt.blobs,
    parse: (raw) => parseMail(raw, { maxBytes: rt.config.mail.maxMessageBytes }),
    sanitizeHtml: (html) => sanitizeEmailHtml(html).html,
    sign: rt.sign,
    now: () => new Date(),
    logger: rt.logger,
    async ownAddresses() {
      if (!own || Date.now() - own.at > 30_000) {
        own = { at: Date.now(), set: new Set((await rt.models.Inbox.find({}, { address: 1 }).lean()).map((i) => i.address)) };
      }
      return own.set;
    },
    settings: { reopenClosedWithinSeconds: rt.config.mail.reopenClosedWithinSeconds, subjectMatchWithinSeconds: rt.config.mail.subjectMatchWithinSeconds },
    onStep: crashHookFromEnv(),
    // Follow-up work for a stored customer mail: start or move the SLA clocks, acknowledge a new ticket.
    async afterStore(event) {
      if (!event.autoSubmitted) {
        await rt.models.Ticket.updateOne({ _id: event.ticketId, 'sla.awaitingSince': null }, { $set: { 'sla.awaitingSince': new Date() } });
      }
      await refreshSla(slaDeps(rt), event.ticketId);
      if (event.created) await rt.scheduler.schedule(AUTO_REPLY_JOB, { key: event.messageDocId.toHexString() });
    },
  };
}

async function startPoller(rt: Runtime): Promise<RunningRole> {
  const deps = ingestDeps(rt);
  const p = rt.config.poller;
  const supervisor = new PollerSupervisor({
    models: rt.models,
    secrets: rt.secrets,
    logger: rt.logger,
    now: () => new Date(),
    owner: `${hostname()}:${process.pid}`,
    leaseMs: p.leaseMs,
    rescanMs: p.rescanMs,
    ingest: (input) => ingestEmail(deps, input),
    quarantine: async (q) => void (await quarantineMail({ models: rt.models, blobs: rt.blobs, now: () => new Date() }, { ...q, contentHash: contentHashOf(q.raw) })),
    settings: {
      pollIntervalMs: p.pollIntervalMs,
      maxIdleMs: p.maxIdleMs,
      fetchBatch: p.fetchBatch,
      connectTimeoutMs: p.connectTimeoutMs,
      backoff: { baseMs: p.backoffBaseMs, maxMs: p.backoffMaxMs },
      configErrorRetryMs: p.configErrorRetryMs,
      maxIngestAttempts: p.maxIngestAttempts,
    },
    onStep: crashHookFromEnv(),
  });
  await supervisor.start();
  const heartbeat = beat(rt, 'poller', () => supervisor.status());
  return {
    role: 'poller',
    async stop() {
      await supervisor.stop();
      await heartbeat.stop();
    },
  };
}

function beat(rt: Runtime, role: Role, status: JobWorker['status']): HeartbeatHandle {
  return startHeartbeat(rt.models.WorkerHeartbeat, { role, intervalMs: rt.config.workers.heartbeatIntervalMs, status, logger: rt.logger });
}

const STARTERS: Record<Role, (rt: Runtime) => Promise<RunningRole>> = { web: startWeb, poller: startPoller, jobs: startJobs };

/**
 * Starts the given roles in this process and returns a stop function that shuts them down in reverse
 * order (web stops taking requests first, pollers stop fetching, jobs drain), then closes the database.
 */
export async function startRoles(rt: Runtime, roles: Role[]): Promise<{ servers: Server[]; stop(): Promise<void> }> {
  const running: RunningRole[] = [];
  for (const role of roles) running.push(await STARTERS[role](rt));
  return {
    servers: running.flatMap((r) => (r.server ? [r.server] : [])),
    async stop() {
      for (const r of [...running].reverse()) {
        await r.stop().catch((err: Error) => rt.logger.error({ role: r.role, err: err.message }, 'error while stopping'));
      }
      await rt.connection.close();
      await rt.database.stop();
    },
  };
}
