import type { Server } from 'node:http';
import { startJobs } from './roles/jobs-role.js';
import { startPoller } from './roles/poller-role.js';
import type { RunningRole } from './roles/role.js';
import { startWeb } from './roles/web-role.js';
import type { Role, Runtime } from './runtime.js';

export { createRuntime, type Role, type Runtime } from './runtime.js';
export { ingestDeps, slaDeps, ticketActionDeps } from './roles/deps.js';

const STARTERS: Record<Role, (rt: Runtime) => Promise<RunningRole>> = { web: startWeb, poller: startPoller, jobs: startJobs };

/**
 * Starts the given roles in this process and returns a stop function that shuts them down in reverse
 * order (web stops taking requests first, pollers stop fetching, jobs drain), then stops the mail
 * workers and closes the database.
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
      await rt.mailWork.close();
      await rt.connection.close();
      await rt.database.stop();
    },
  };
}
