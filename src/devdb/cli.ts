import { parseArgs } from 'node:util';
import { startDevDb } from './server.js';

/* Standalone devdb: `tsx src/devdb/cli.ts --port 27017 [--host 127.0.0.1]`; prints the URI first. */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
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
