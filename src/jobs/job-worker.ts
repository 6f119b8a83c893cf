import type { Agenda, BackoffStrategy } from 'agenda';
import type { Logger } from 'pino';
import { isAppError } from '../domain/errors.js';
import type { WorkerStatus } from '../store/worker-heartbeats.js';

/** A job handler registered with the worker; `data` is what the job was scheduled with. */
export interface JobDefinition {
  name: string;
  concurrency?: number;
  lockLifetimeMs?: number;
  /** When a run throws: the delay before the next try, or null to give up. */
  backoff?: BackoffStrategy;
  handler: (data: Record<string, unknown>, job: { id: string; attempts: number }) => Promise<void>;
}

export interface JobWorker {
  start(): Promise<void>;
  stop(drainTimeoutMs: number): Promise<void>;
  status(): WorkerStatus;
}

/**
 * Processes the jobs stored by Agenda (collection `jobs`). Agenda locks each job in MongoDB, so any
 * number of job workers can run side by side, and a job whose worker died runs again once its lock
 * expires: every handler is idempotent.
 */
export function createJobWorker(opts: { agenda: Agenda; logger: Logger; definitions: JobDefinition[] }): JobWorker {
  const { agenda } = opts;
  const counts = { started: 0, succeeded: 0, failed: 0 };
  let state = 'created';
  for (const def of opts.definitions) {
    agenda.define(
      def.name,
      async (job) => {
        await def.handler((job.attrs.data ?? {}) as Record<string, unknown>, { id: String(job.attrs._id), attempts: job.attrs.failCount ?? 0 });
      },
      { concurrency: def.concurrency ?? 5, lockLifetime: def.lockLifetimeMs ?? 60_000, ...(def.backoff ? { backoff: def.backoff } : {}) },
    );
  }
  agenda.on('start', () => void counts.started++);
  agenda.on('success', () => void counts.succeeded++);
  agenda.on('fail', (err: Error | string, job) => {
    counts.failed++;
    const deferred = typeof err !== 'string' && isAppError(err, 'DELIVERY_DEFERRED');
    opts.logger[deferred ? 'info' : 'error']({ job: job.attrs.name, err: typeof err === 'string' ? err : err.message }, deferred ? 'job deferred; will retry' : 'job failed');
  });
  agenda.on('error', (err: Error) => opts.logger.error({ err: err.message }, 'job scheduler error'));

  return {
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
