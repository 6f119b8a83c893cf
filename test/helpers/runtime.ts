import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createRuntime, startRoles, type Role } from '../../src/composition.js';
import { testLogger, uniqueDbName } from './db.js';
import { TEST_SECRET_KEY } from './inbox.js';
import { withDbName } from './uri.js';

/** The production wiring (composition root) on a fresh database, with fast timers for tests. */
export async function startRuntime(prefix: string, roles: Role[], env: Record<string, string> = {}) {
  const config = loadConfig({
    MONGODB_URI: withDbName(inject('mongoUri'), uniqueDbName(prefix)),
    SECRET_KEY: TEST_SECRET_KEY,
    PORT: '0',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tl-rt-')),
    JOBS_PROCESS_EVERY_MS: '50',
    JOBS_LOCK_LIFETIME_MS: '5000',
    POLLER_RESCAN_MS: '200',
    WORKER_HEARTBEAT_INTERVAL_MS: '1000',
    ...env,
  });
  const runtime = await createRuntime(config, testLogger);
  const running = await startRoles(runtime, roles);
  return {
    runtime,
    models: runtime.models,
    servers: running.servers,
    async stop() {
      await runtime.connection.dropDatabase().catch(() => {});
      await running.stop();
    },
  };
}
