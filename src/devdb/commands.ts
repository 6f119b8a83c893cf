import os from 'node:os';
import { UUID } from 'bson';
import { ddlCommands } from './commands-ddl.js';
import { readCommands } from './commands-read.js';
import { writeCommands } from './commands-write.js';
import type { CommandContext, CommandSpec } from './context.js';
import { ErrorCodes, MongoError, fail } from './errors.js';
import { statsOf } from './storage.js';
import type { Doc } from './values.js';

/** Version devdb claims to be. */
export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;

/* Fields any command may carry that do not change its result here. */
const GENERIC_FIELDS = new Set([
  '$db', 'lsid', '$clusterTime', 'txnNumber', 'autocommit', 'startTransaction', 'writeConcern', 'readConcern',
  '$readPreference', 'readPreference', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'comment', 'maxTimeMS',
  '$audit', '$client', 'mayBypassWriteBlocking', 'maxTimeMSOpOnly', '$configTime', '$topologyTime',
]);

function hello(cmd: Doc, ctx: CommandContext): Doc {
  const legacy = cmd.hello === undefined;
  const reply: Doc = {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
  if (!legacy) delete reply.ismaster;
  return reply;
}

const HELLO_FIELDS = '*';

const simple = (fields: string[] | '*', run: CommandSpec['run']): CommandSpec => ({ fields, run });

function noTransactions(): never {
  throw new MongoError(ErrorCodes.IllegalOperation, 'Transaction numbers are only allowed on a replica set member or mongos');
}

const adminCommands: Record<string, CommandSpec> = {
  hello: simple(HELLO_FIELDS, hello),
  isMaster: simple(HELLO_FIELDS, hello),
  ismaster: simple(HELLO_FIELDS, hello),
  ping: simple(['ping'], () => ({ ok: 1 })),
  buildInfo: simple(['buildInfo', 'buildinfo'], () => ({
    version: SERVER_VERSION, gitVersion: 'devdb', versionArray: [7, 0, 0, 0], bits: 64, debug: false,
    maxBsonObjectSize: 16 * 1024 * 1024, javascriptEngine: 'none', storageEngines: ['devdb'], modules: [],
    sysInfo: 'deprecated', allocator: 'system', openssl: { running: 'disabled' }, ok: 1,
  })),
  getParameter: simple('*', (cmd) => {
    const reply: Doc = {};
    if (cmd.featureCompatibilityVersion !== undefined) reply.featureCompatibilityVersion = { version: '7.0' };
    if (cmd.authenticationMechanisms !== undefined) reply.authenticationMechanisms = [];
    reply.ok = 1;
    return reply;
  }),
  serverStatus: {
    fields: ['serverStatus', 'repl', 'metrics', 'locks', 'mirroredReads', 'tcmalloc'],
    run: (_cmd, ctx) => ({
      host: ctx.self, version: SERVER_VERSION, process: 'devdb', pid: process.pid,
      uptime: Math.floor((Date.now() - ctx.startedAt) / 1000), uptimeMillis: Date.now() - ctx.startedAt, localTime: new Date(),
      connections: { current: ctx.openConnections(), available: 1000, totalCreated: ctx.connectionId },
      devdb: statsOf(ctx.store), ok: 1,
    }),
  },
  hostInfo: simple(['hostInfo'], () => ({
    system: { currentTime: new Date(), hostname: os.hostname(), cpuAddrSize: 64, numCores: os.cpus().length, memSizeMB: Math.round(os.totalmem() / 1048576) },
    os: { type: os.type(), name: os.platform(), version: os.release() }, extra: {}, ok: 1,
  })),
  connectionStatus: simple(['connectionStatus', 'showPrivileges'], () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 })),
  whatsmyuri: simple(['whatsmyuri'], (_cmd, ctx) => ({ you: ctx.client, ok: 1 })),
  getLog: simple(['getLog'], () => ({ totalLinesWritten: 0, log: [], ok: 1 })),
  getCmdLineOpts: simple(['getCmdLineOpts'], () => ({ argv: ['devdb'], parsed: {}, ok: 1 })),
  endSessions: simple(['endSessions'], () => ({ ok: 1 })),
  refreshSessions: simple(['refreshSessions'], () => ({ ok: 1 })),
  killAllSessions: simple(['killAllSessions'], () => ({ ok: 1 })),
  startSession: simple(['startSession'], () => ({ id: { id: new UUID() }, timeoutMinutes: 30, ok: 1 })),
  logout: simple(['logout'], () => ({ ok: 1 })),
  replSetGetStatus: simple(['replSetGetStatus'], () => {
    throw new MongoError(ErrorCodes.NoReplicationEnabled, 'not running with --replSet');
  }),
  commitTransaction: simple(['commitTransaction'], noTransactions),
  abortTransaction: simple(['abortTransaction'], noTransactions),
  devdbStats: simple(['devdbStats'], (_cmd, ctx) => ({ namespaces: statsOf(ctx.store), ok: 1 })),
};

const COMMANDS: Record<string, CommandSpec> = { ...adminCommands, ...readCommands, ...writeCommands, ...ddlCommands };

/** Runs one command document and returns the reply (errors become `{ok: 0}` replies). */
export function runCommand(body: Doc, ctx: CommandContext): Doc {
  const name = Object.keys(body)[0];
  if (name === undefined) throw fail.badValue('empty command');
  const spec = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!spec) throw new MongoError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
  if (body.startTransaction === true || body.autocommit === false) noTransactions();
  for (const k of spec.fields === '*' ? [] : Object.keys(body)) {
    if (!GENERIC_FIELDS.has(k) && !spec.fields.includes(k)) {
      throw new MongoError(40415, `BSON field '${name}.${k}' is an unknown field.`);
    }
  }
  if (spec.admin && ctx.dbName !== 'admin') throw new MongoError(ErrorCodes.Unauthorized, `${name} may only be run against the admin database.`);
  return spec.run(body, ctx);
}
