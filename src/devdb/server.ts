import net from 'node:net';
import { totalmem } from 'node:os';
import { runCommand } from './commands.js';
import type { CommandContext } from './context.js';
import { CursorManager } from './cursors.js';
import { toMongoError } from './errors.js';
import { MemoryEngine } from './engine.js';
import { LmdbEngine } from './lmdb-engine.js';
import { Store } from './storage.js';
import { FrameReader, OpCode, ProtocolError, decodeMessage, encodeLegacyReply, encodeMsgReply, type Request } from './wire.js';
import type { Doc } from './values.js';

/** Commands that read and write no data (see `exclusive` below). */
const NO_DATA_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo']);

/** A running devdb server. */
export interface DevDbServer {
  /** `mongodb://HOST:PORT`, without a database name. */
  uri: string;
  host: string;
  port: number;
  /** Destroys open sockets, stops listening and closes the store. */
  close(): Promise<void>;
  /** Writes a consistent copy of the durable store to `file` while serving (LMDB only). */
  backup(file: string): Promise<void>;
}

/** Options of {@link startDevDb}. */
export interface DevDbOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: { warn(obj: object, msg?: string): void; debug?(obj: object, msg?: string): void };
  /** Keep the data durably in LMDB under this directory; without it everything lives in memory. */
  dataDir?: string;
  /** Decoded documents kept for reuse, by their stored size (durable store only); see {@link defaultCacheBytes}. */
  cacheBytes?: number;
}

/**
 * The record cache of the durable store: a 16th of the machine's memory, from 64 MB to 256 MB. A
 * report over 90 days of a 100k-ticket desk reads some 70 MB of documents; with a smaller cache each
 * report evicted what the next one needed and decoded it again.
 */
export function defaultCacheBytes(memory = totalmem()): number {
  const MB = 1024 * 1024;
  return Math.min(256 * MB, Math.max(64 * MB, Math.floor(memory / 16)));
}

/**
 * Starts a MongoDB-compatible server speaking the wire protocol over TCP: durable on LMDB when
 * `dataDir` is given (the embedded default of `npm start`), else in memory (tests).
 */
export async function startDevDb(opts: DevDbOptions = {}): Promise<DevDbServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger;
  const store = new Store(opts.dataDir ? new LmdbEngine({ dir: opts.dataDir, cacheBytes: opts.cacheBytes ?? defaultCacheBytes() }) : new MemoryEngine());
  const cursors = new CursorManager();
  const sockets = new Set<net.Socket>();
  const startedAt = Date.now();
  let connectionIds = 0;
  let self = '';
  /*
   * While a command's exclusive work runs (compaction), no other command runs: they queue per
   * connection. The handshake and ping, which read no data, still answer, so that drivers'
   * monitors do not give the server up as unreachable during a long compaction.
   */
  let exclusive: Promise<void> | null = null;
  const readsNoData = (req: Request): boolean => NO_DATA_COMMANDS.has(Object.keys(req.body)[0] ?? '');

  const handle = (req: Request, ctx: CommandContext): Doc => {
    const dbName = req.legacyDb ?? (typeof req.body.$db === 'string' ? req.body.$db : undefined);
    if (!dbName) return { ok: 0, errmsg: 'OP_MSG requests require a $db argument', code: 40571, codeName: 'Location40571' };
    ctx.dbName = dbName;
    ctx.exclusive = undefined;
    try {
      return readsNoData(req) ? runCommand(req.body, ctx) : store.write(() => runCommand(req.body, ctx));
    } catch (err) {
      const e = toMongoError(err);
      if (e.code === 1) logger?.warn({ err, command: Object.keys(req.body)[0] }, 'devdb internal error');
      else logger?.debug?.({ code: e.code, errmsg: e.message, command: Object.keys(req.body)[0] }, 'devdb command failed');
      return e.toReply();
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    const ctx: CommandContext = {
      store,
      cursors,
      dbName: 'admin',
      connectionId: ++connectionIds,
      client: `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`,
      self,
      startedAt,
      openConnections: () => sockets.size,
    };
    // Replies waiting for the disk, in request order.
    let waiting: Promise<void> | null = null;
    /*
     * A reply leaves only once everything committed before it is on disk, so no client sees (or is
     * told about) a write that a power cut could still undo. Concurrent writes share one sync.
     */
    const send = (bytes: Buffer): void => {
      const durable = store.engine.whenDurable();
      if (!durable && !waiting) {
        socket.write(bytes);
        return;
      }
      const mine: Promise<void> = (waiting ?? Promise.resolve())
        .then(() => durable ?? undefined)
        .then(
          () => void socket.write(bytes),
          (err: unknown) => {
            logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'devdb could not sync to disk; closing the connection unanswered');
            socket.destroy();
          },
        )
        .finally(() => {
          if (waiting === mine) waiting = null;
        });
      waiting = mine;
    };
    const reply = (req: Request, doc: Doc): void => {
      if (req.moreToCome) return;
      const encode = req.opCode === OpCode.QUERY ? encodeLegacyReply : encodeMsgReply;
      let bytes: Buffer;
      try {
        bytes = encode(req.requestId, doc);
      } catch (err) {
        const errmsg = `could not encode reply: ${err instanceof Error ? err.message : String(err)}`;
        bytes = encode(req.requestId, { ok: 0, errmsg, code: 10334, codeName: 'BSONObjectTooLarge' });
      }
      send(bytes);
    };
    const dropConnection = (err: unknown): void => {
      logger?.warn({ err: err instanceof Error ? err.message : String(err), client: ctx.client }, err instanceof ProtocolError ? 'devdb protocol error' : 'devdb connection error');
      socket.destroy();
    };
    // Requests received but not yet run (only while exclusive work holds commands back).
    const queued: Request[] = [];
    let resumeQueued = false;
    const runQueued = (): void => {
      try {
        while (queued.length > 0 && !socket.destroyed) {
          const req = queued[0] as Request;
          if (exclusive && !readsNoData(req)) {
            if (!resumeQueued) {
              resumeQueued = true;
              void exclusive.then(() => {
                resumeQueued = false;
                runQueued();
              });
            }
            return;
          }
          queued.shift();
          const doc = handle(req, ctx);
          const work = ctx.exclusive;
          if (!work || doc.ok !== 1) {
            reply(req, doc);
            continue;
          }
          ctx.exclusive = undefined;
          exclusive = work()
            .catch((err: unknown) => {
              logger?.warn({ err: err instanceof Error ? err.message : String(err), command: Object.keys(req.body)[0] }, 'devdb exclusive command failed');
              return toMongoError(err).toReply();
            })
            .then((done) => reply(req, done))
            .finally(() => {
              exclusive = null;
            });
        }
      } catch (err) {
        dropConnection(err);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) queued.push(decodeMessage(frame));
      } catch (err) {
        dropConnection(err);
        return;
      }
      runQueued();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 27017, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 27017);
  const uriHost = host.includes(':') ? `[${host}]` : host;
  self = `${uriHost}:${port}`;

  return {
    uri: `mongodb://${uriHost}:${port}`,
    host,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        cursors.closeAll();
        server.close(() => resolve());
      });
      while (exclusive) await exclusive;
      await store.engine.close();
    },
    backup: async (file: string) => {
      while (exclusive) await exclusive;
      await store.engine.backup(file);
    },
  };
}
