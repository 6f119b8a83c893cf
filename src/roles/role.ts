import type { Server } from 'node:http';
import type { Role, Runtime } from '../runtime.js';
import { startHeartbeat, type HeartbeatHandle, type WorkerStatus } from '../store/worker-heartbeats.js';

/** A started role: what it reports to /healthz and how it stops. */
export interface RunningRole {
  role: Role;
  server?: Server;
  stop(): Promise<void>;
}

/** Reports a role's state to /healthz on the configured interval. */
export function beat(rt: Runtime, role: Role, status: () => WorkerStatus): HeartbeatHandle {
  return startHeartbeat(rt.models.WorkerHeartbeat, { role, intervalMs: rt.config.workers.heartbeatIntervalMs, status, logger: rt.logger });
}

