import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { WorkerStatus } from '../store/worker-heartbeats.js';

/** A job handler registered with the worker; `data` is what the job was scheduled with. */
export interface JobDefinition {
  name: string;
  concurrency?: number;
  lockLifetimeMs?: number;
  handler: (data: Record<string, unknown>, job: { id: string; attempts: number }) => Promise<void>;
}

export interface JobWorker {
  agenda: Agenda;
  start(): Promise<void>;
  stop(drainTimeoutMs: number): Promise<void>;
  status(): WorkerStatus;
}

/**
 * Runs Agenda on the shared database (collection `jobs`). Agenda locks each job in MongoDB, so any
 * number of job workers can run side by side and a job whose worker died is picked up after its lock expires.
 */
export function createJobWorker(opts: { db: Db; logger: Logger; name: string; definitions: JobDefinition[]; processEvery?: number }): JobWorker {
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: opts.db, collection: 'jobs' }),
    name: opts.name,
    processEvery: opts.processEvery ?? 1000,
  });
  const counts = { started: 0, succeeded: 0, failed: 0 };
  let state = 'created';
  for (const def of opts.definitions) {
    agenda.define(
      def.name,
      async (job) => {
        await def.handler((job.attrs.data ?? {}) as Record<string, unknown>, { id: String(job.attrs._id), attempts: job.attrs.failCount ?? 0 });
      },
      { concurrency: def.concurrency ?? 5, lockLifetime: def.lockLifetimeMs ?? 60_000 },
    );
  }
  agenda.on('start', () => void counts.started++);
  agenda.on('success', () => void counts.succeeded++);
  agenda.on('fail', (err: Error | string, job) => {
    counts.failed++;
    opts.logger.error({ job: job.attrs.name, err: typeof err === 'string' ? err : err.message }, 'job failed');
  });
  agenda.on('error', (err: Error) => opts.logger.error({ err: err.message }, 'job scheduler error'));

  return {
    agenda,
    async start() {
      await agenda.start();
      state = 'running';
    },
    async stop(drainTimeoutMs) {
      state = 'draining';
      await agenda.drain({ timeout: drainTimeoutMs, closeConnection: false });
      state = 'stopped';
    },
    status: () => ({ state, detail: { jobs: opts.definitions.map((d) => d.name), ...counts } }),
  };
}
