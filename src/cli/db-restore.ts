import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { restoreStore } from '../devdb/backup.js';
import { reportCliError } from './cli-errors.js';
import { asAppError, argPath, describeStore, fileArgument, formatBytes, refuseExternalDatabase } from './embedded-db.js';

const USAGE = `Usage: npm run db:restore -- FILE

Replaces the built-in database (DATA_DIR/db) with FILE, a copy written by npm run db:backup.
Stop Threadline first: the restore refuses while a process holds the database. Nothing is deleted:
the database that was there moves to DATA_DIR/db.before-restore-<UTC time>.

Options:
  -h, --help  this text

With MONGODB_URI set Threadline keeps its data in MongoDB: restore that with mongorestore or your
provider's snapshots.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
} as const;

async function run(arg: string): Promise<void> {
  const file = argPath(arg);
  const config = loadConfig();
  refuseExternalDatabase(config, "restore it with mongorestore or your provider's snapshots (unset MONGODB_URI to restore the built-in database)");
  const dir = path.resolve(config.dataDir, 'db');
  const result = await restoreStore(file, dir).catch(asAppError);
  console.log(`restored ${file} (${formatBytes(result.bytes)}: ${describeStore(result)}) into ${dir}`);
  if (result.movedAside) console.log(`the database that was there is now in ${result.movedAside}; delete it once Threadline runs well on the restored data`);
  else console.log(`there was no database in ${dir} before`);
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const file = fileArgument(positionals, USAGE);
    if (file === null) return 2;
    await run(file);
    return 0;
  } catch (err) {
    return reportCliError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
