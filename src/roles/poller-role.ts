import { hostname } from 'node:os';
import { crashHookFromEnv } from '../crash-hook.js';
import { PollerSupervisor } from '../mail/poller-supervisor.js';
import type { Runtime } from '../runtime.js';
import { ingestBatch } from '../services/ingest/ingest-batch.js';
import { ingestDeps, quarantineFor } from './deps.js';
import { mailLoginSourceFor } from './oauth-deps.js';
import { beat, type RunningRole } from './role.js';

/** The mailbox pollers, one per inbox whose lease this process holds. */
export async function startPoller(rt: Runtime): Promise<RunningRole> {
  const deps = ingestDeps(rt);
  const p = rt.config.poller;
  const supervisor = new PollerSupervisor({
    ...rt.stores,
    secrets: rt.secrets,
    logger: rt.logger,
    now: () => new Date(),
    owner: `${hostname()}:${process.pid}`,
    leaseMs: p.leaseMs,
    rescanMs: p.rescanMs,
    ingest: (batch) => ingestBatch(deps, batch),
    quarantine: quarantineFor(rt),
    // OAuth2 inboxes log in with access tokens from here; password inboxes as before.
    logins: mailLoginSourceFor(rt),
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

