import type { HeartbeatStore } from '../../store/worker-heartbeats.js';
import type { Actor } from '../access.js';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  db: { status: 'up' | 'down'; kind: string; latencyMs?: number; error?: string };
  workers: Array<{ id: string; role: string; state: string; beatAt: string; stale: boolean; detail: Record<string, unknown> }>;
}

export interface CheckHealthDeps {
  /** Asks the database for a sign of life; rejects when it does not answer. */
  pingDatabase: () => Promise<void>;
  heartbeats: Pick<HeartbeatStore, 'listRunning'>;
  dbKind: string;
  staleAfterMs: number;
  now: () => Date;
}

/**
 * Pings the database and lists every worker's last reported state. "down" when the database does not
 * answer; "degraded" when a worker went silent or reports an error.
 */
export async function checkHealth(deps: CheckHealthDeps): Promise<HealthReport> {
  const started = Date.now();
  let db: HealthReport['db'];
  try {
    await Promise.race([
      deps.pingDatabase(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out after 2000 ms')), 2000).unref()),
    ]);
    db = { status: 'up', kind: deps.dbKind, latencyMs: Date.now() - started };
  } catch (err) {
    return { status: 'down', db: { status: 'down', kind: deps.dbKind, error: (err as Error).message }, workers: [] };
  }

  const now = deps.now().getTime();
  const rows = await deps.heartbeats.listRunning();
  const workers = rows.map((row) => ({
    id: row._id,
    role: row.role,
    state: row.state,
    beatAt: row.beatAt.toISOString(),
    stale: now - row.beatAt.getTime() > deps.staleAfterMs,
    detail: row.detail,
  }));
  const degraded = workers.some((w) => w.stale || w.state === 'error');
  return { status: degraded ? 'degraded' : 'ok', db, workers };
}

/** What anyone may read of the health report: its status (monitors read the HTTP status anyway). */
export type PublicHealth = Pick<HealthReport, 'status'>;

/**
 * The report as this caller may see it. The details name the host, process ids and inboxes of the
 * workers, so they are for signed-in admins only; everyone else gets the status alone.
 */
export function healthFor(report: HealthReport, viewer: Actor | null): HealthReport | PublicHealth {
  return viewer?.role === 'admin' ? report : { status: report.status };
}
