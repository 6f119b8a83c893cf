import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { startDevDb } from '../devdb/server.js';
import { AppError } from '../domain/errors.js';
import { reportCliError } from './cli-errors.js';
import { exportDatabase, type ExportEvent } from '../services/system/export-database.js';
import { redactUri } from '../store/database.js';
import { EXPORT_PROGRESS_COLLECTION, openExportSource, openExportTarget } from '../store/mongo-export.js';
import { progressLine } from './progress.js';

const USAGE = `Usage: npm run db:export -- --to URI [options]

Copies every collection (GridFS buckets included), then every index with its options, from the
database Threadline uses into another MongoDB, and checks the document counts. Stop Threadline first.

Options:
  --to URI          the MongoDB to copy into (required)
  --from URI        the database to copy (default: MONGODB_URI, else the built-in database in DATA_DIR/db)
  --db NAME         the target database (default: the one named in --to, else the source's name)
  --resume          continue an interrupted export, or write into a database that already has
                    documents (documents with the same _id are replaced by the source's)
  --batch-size N    documents per write (default 1000)
  -h, --help        this text

Progress is recorded in the target (collection ${EXPORT_PROGRESS_COLLECTION}, dropped when the export is
complete), so after an interruption the same command with --resume continues where it stopped.`;

const OPTIONS = {
  to: { type: 'string' },
  from: { type: 'string' },
  db: { type: 'string' },
  resume: { type: 'boolean' },
  'batch-size': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

const n = (v: number) => v.toLocaleString('en-US');

/** The database named in a URI's path, as connectMongo reads it. */
function databaseName(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** Host list of a URI, to tell the source's server from the target's. */
const hostsOf = (uri: string) => redactUri(uri).replace(/^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*).*$/, '$1');

/** Prints what the export does: a redrawn bar on a terminal, else a line per collection and one every few seconds. */
function printer(): (event: ExportEvent) => void {
  const tty = process.stdout.isTTY;
  let lastLine = 0;
  return (e) => {
    if (e.type === 'copying') {
      const line = progressLine({ done: e.done, total: e.total, ratePerSecond: e.ratePerSecond, state: e.collection, unit: 'doc' });
      if (tty) process.stdout.write(`\r\x1b[K${line}`);
      else if (Date.now() - lastLine > 5000) {
        console.log(line);
        lastLine = Date.now();
      }
      return;
    }
    if (tty) process.stdout.write('\r\x1b[K');
    if (e.type === 'copied') {
      const rate = e.ratePerSecond ? `, ${n(Math.round(e.ratePerSecond))} doc/s` : '';
      console.log(`${e.collection}: ${n(e.done)}/${n(e.total)} documents ${e.earlier ? 'copied by an earlier run' : `copied${rate}`}`);
    } else if (e.type === 'restarted') console.log(`${e.collection}: its _ids are of several kinds, so it is copied again from the start`);
    else if (e.type === 'skipped') console.log(`warning: ${e.collection} is ${e.reason}`);
    else if (e.count > 0) console.log(`${e.collection}: ${e.count} ${e.count === 1 ? 'index' : 'indexes'} created`);
  };
}

async function run(flags: Flags): Promise<void> {
  if (!flags.to) throw new AppError('VALIDATION_FAILED', `--to is required\n\n${USAGE}`);
  const batchDocs = flags['batch-size'] === undefined ? undefined : Number(flags['batch-size']);
  if (batchDocs !== undefined && !(Number.isInteger(batchDocs) && batchDocs > 0)) throw new AppError('VALIDATION_FAILED', '--batch-size: a whole number above 0');
  // With --from the configuration is not needed, so a production environment without SECRET_KEY can still export.
  const config = flags.from ? undefined : loadConfig();
  const from = flags.from ?? config?.mongodbUri;
  if (from) return exportFrom(flags, flags.to, from, batchDocs, config);

  // No MongoDB: the data is in the built-in database, served from this process for the export.
  const dataDir = path.resolve(config!.dataDir, 'db');
  if (!existsSync(path.join(dataDir, 'data.mdb'))) {
    throw new AppError('NOT_FOUND', `MONGODB_URI is not set and there is no built-in database in ${dataDir}: give the database to export with --from URI`);
  }
  let embedded;
  try {
    embedded = await startDevDb({ host: '127.0.0.1', port: 0, dataDir });
  } catch (err) {
    throw new AppError('DB_UNREACHABLE', `Cannot open the built-in database in ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  console.log(`reading the built-in database in ${dataDir}`);
  try {
    // the database name connectMongo gives a URI without one
    await exportFrom(flags, flags.to, `${embedded.uri}/threadline`, batchDocs, config);
  } finally {
    await embedded.close();
  }
}

async function exportFrom(flags: Flags, to: string, from: string, batchDocs: number | undefined, config: Config | undefined): Promise<void> {
  const fromDb = databaseName(from) ?? 'threadline';
  const toDb = flags.db ?? databaseName(to) ?? fromDb;
  if (fromDb === toDb && hostsOf(from) === hostsOf(to)) {
    throw new AppError('VALIDATION_FAILED', `--to names the source database itself (${fromDb}); give another server or --db NAME`);
  }
  console.log(`exporting ${fromDb} at ${redactUri(from)} to ${toDb} at ${redactUri(to)}`);
  const timeout = config?.db.serverSelectionTimeoutMs ?? 10_000;
  const source = await openExportSource(from, fromDb, timeout);
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) process.exit(130);
    console.log('\nstopping after the current batch (Ctrl+C again to quit at once)');
    abort.abort(new AppError('CONFLICT', 'Interrupted: run the same command with --resume to continue'));
  };
  process.on('SIGINT', stop);
  try {
    const target = await openExportTarget(to, toDb, timeout);
    try {
      const started = Date.now();
      const report = await exportDatabase({ source, target }, { resume: flags.resume, batchDocs, signal: abort.signal, onEvent: printer() });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`exported ${n(report.collections.length)} collections, ${n(report.documents)} documents and ${n(report.indexes)} indexes in ${seconds}s; document counts verified`);
    } finally {
      await target.close();
    }
  } finally {
    process.off('SIGINT', stop);
    await source.close();
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    await run(values);
    return 0;
  } catch (err) {
    return reportCliError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
