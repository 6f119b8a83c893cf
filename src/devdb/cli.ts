import { parseArgs } from 'node:util';
import { startDevDb } from './server.js';

/*
 * Standalone devdb: `tsx src/devdb/cli.ts --port 27017 [--host 127.0.0.1] [--data-dir DIR]`; prints
 * the URI first. With --data-dir the data is kept durably in that directory, else in memory.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${values.port}\n`);
  process.exit(2);
}

const server = await startDevDb({
  host: values.host,
  port,
  dataDir: values['data-dir'],
  logger: { warn: (obj, msg) => process.stderr.write(`${msg ?? 'warn'} ${JSON.stringify(obj)}\n`) },
});
process.stdout.write(`${server.uri}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
