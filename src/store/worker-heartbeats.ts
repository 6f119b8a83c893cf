import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Models } from './models/index.js';
import type { WorkerHeartbeatDoc, WorkerHeartbeatModel } from './models/worker-heartbeat.js';

/** A running piece of the runtime (web, poller, jobs) reports its state through this. */
export interface WorkerStatus {
  state: string;
  detail?: Record<string, unknown>;
}

export interface HeartbeatHandle {
  id: string;
  beat(): Promise<void>;
  stop(finalState?: string): Promise<void>;
}

/**
 * Writes this worker's state every `intervalMs`, so /healthz in any process can tell which workers
 * run and which went silent. A failed write is logged, never fatal: the database may be away briefly.
 */
export function startHeartbeat(
  heartbeats: WorkerHeartbeatModel,
  opts: { role: string; intervalMs: number; status: () => WorkerStatus; logger: Logger },
): HeartbeatHandle {
  const id = `${hostname()}:${process.pid}:${opts.role}`;
  const startedAt = new Date();
  const write = async (state?: string) => {
    const status = opts.status();
    await heartbeats.updateOne(
      { _id: id },
      { $set: { role: opts.role, host: hostname(), pid: process.pid, state: state ?? status.state, detail: status.detail ?? {}, startedAt, beatAt: new Date() } },
      { upsert: true },
    );
  };
  const beat = () => write().catch((err: Error) => opts.logger.warn({ err: err.message, role: opts.role }, 'heartbeat write failed'));
  const timer = setInterval(() => void beat(), opts.intervalMs);
  timer.unref();
  void beat();
  return {
    id,
    beat,
    async stop(finalState = 'stopped') {
      clearInterval(timer);
      await write(finalState).catch(() => {});
    },
  };
}

/** The workers' reports, for /healthz. */
export function createHeartbeatStore(models: Pick<Models, 'WorkerHeartbeat'>) {
  return {
    /** Every worker that has not said it stopped, by role. */
    async listRunning(): Promise<WorkerHeartbeatDoc[]> {
      return models.WorkerHeartbeat.find({ state: { $ne: 'stopped' } }).sort({ role: 1, _id: 1 }).lean();
    },
  };
}

/** What use cases may ask of the heartbeats. */
export type HeartbeatStore = ReturnType<typeof createHeartbeatStore>;
