import { loadConfig } from './config/load-config.js';
import { createRuntime, startRoles, type Role } from './composition.js';
import { isAppError } from './domain/errors.js';
import { createLogger } from './logger.js';

const MODES: Record<string, Role[]> = { all: ['jobs', 'poller', 'web'], web: ['web'], poller: ['poller'], jobs: ['jobs'] };

/**
 * Process entry for `npm start` (every role in one process) and the single-role workers. Exits 2 on a
 * configuration error and 1 when the database cannot be reached, printing the reason either way.
 */
export async function run(mode: string): Promise<void> {
  const roles = MODES[mode];
  if (!roles) {
    console.error(`Unknown mode "${mode}"; use one of: ${Object.keys(MODES).join(', ')}`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(isAppError(err) ? err.message : err);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let stopRoles: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    timer.unref();
    await stopRoles?.();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    const runtime = await createRuntime(config, logger);
    stopRoles = (await startRoles(runtime, roles)).stop;
    logger.info({ roles, db: runtime.database.kind }, 'Threadline started');
  } catch (err) {
    logger.fatal({ code: isAppError(err) ? err.code : 'INTERNAL', err: isAppError(err) ? err.message : err }, 'start-up failed');
    process.exit(isAppError(err, 'CONFIG_INVALID') ? 2 : 1);
  }
}
