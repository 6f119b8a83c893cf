import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { backupStore } from '../devdb/backup.js';
import { reportCliError } from './cli-errors.js';
import { asAppError, argPath, describeStore, fileArgument, formatBytes, refuseExternalDatabase } from './embedded-db.js';

const USAGE = `Usage: npm run db:backup -- FILE [--force]

Writes a consistent, compacted copy of the built-in database (DATA_DIR/db) to FILE. Threadline may
keep running and writing meanwhile: the copy holds every change committed before it started and none
after. FILE appears only once the copy is complete and checked. Restore it with npm run db:restore -- FILE.

Options:
  --force     replace FILE if it exists
  -h, --help  this text

With MONGODB_URI set Threadline keeps its data in MongoDB: back that up with mongodump or your
provider's snapshots (npm run db:export copies it into another MongoDB).`;

const OPTIONS = {
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function run(arg: string, force: boolean): Promise<void> {
  const file = argPath(arg);
  const config = loadConfig();
  refuseExternalDatabase(config, "back it up with mongodump or your provider's snapshots (npm run db:export copies it into another MongoDB)");
  const dir = path.resolve(config.dataDir, 'db');
  const started = Date.now();
  const summary = await backupStore(dir, file, { force }).catch(asAppError);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`backed up ${dir} to ${file}: ${formatBytes(summary.bytes)} in ${seconds}s`);
  console.log(`checked the copy: ${describeStore(summary)}`);
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
    await run(file, values.force === true);
    return 0;
  } catch (err) {
    return reportCliError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
