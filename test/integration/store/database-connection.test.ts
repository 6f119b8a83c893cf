import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startDevDb } from '../../../src/devdb/server.js';
import { connectMongo } from '../../../src/store/database.js';

/** A logger whose lines the test can read. */
function capturedLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), errors: () => lines.filter((l) => l.level >= 50).map((l) => l.msg) };
}

describe('the MongoDB connection', () => {
  it('regression: a clean shutdown does not log "lost the connection"; a lost server does', async () => {
    const devdb = await startDevDb({ port: 0 });
    try {
      const quiet = capturedLogger();
      const closed = await connectMongo(`${devdb.uri}/conn_clean`, { serverSelectionTimeoutMs: 2000 }, quiet.logger);
      await closed.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(quiet.errors()).toEqual([]);

      const loud = capturedLogger();
      // The driver notices a server gone at its next heartbeat: the shortest it allows, not the default 10 s.
      const dropped = await connectMongo(`${devdb.uri}/conn_lost?heartbeatFrequencyMS=500`, { serverSelectionTimeoutMs: 2000 }, loud.logger);
      await devdb.close();
      await expect.poll(() => loud.errors(), { timeout: 15_000 }).toContain('lost the connection to MongoDB; the driver keeps retrying');
      await dropped.close();
    } finally {
      await devdb.close().catch(() => {});
    }
  });
});
