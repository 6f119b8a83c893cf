import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createLogger } from '../logger.js';
import { loadConfig } from '../config/load-config.js';
import { storeOwner } from '../devdb/store-ownership.js';
import { AppError } from '../domain/errors.js';
import { CATEGORIES_FILE } from '../domain/kb-files.js';
import { OPERATOR } from '../services/access.js';
import { exportKb } from '../services/kb/export-kb.js';
import { importKb } from '../services/kb/import-kb.js';
import { createBlobStore } from '../store/blob-store.js';
import { connectMongo, resolveDatabase } from '../store/database.js';
import { upgradeDatabase } from '../store/migrations/index.js';
import { createModels } from '../store/models/index.js';
import { createStores } from '../store/stores.js';
import { reportCliError } from './cli-errors.js';
import { argPath } from './embedded-db.js';

const USAGE = `Usage: npm run kb -- export DIR
       npm run kb -- import DIR

export  writes every knowledge base article (every status and visibility, its latest revision) as
        DIR/<language>/<slug>.md, Markdown with its fields in a front matter block, and the
        categories in DIR/${CATEGORIES_FILE}
import  reads such a folder: categories and articles are matched by language and slug, created or
        changed (a changed title or text is a new revision); importing the same folder twice changes
        nothing. Every file is checked first: a problem names the file and the field, and then
        nothing is imported.

Uses MONGODB_URI when set; otherwise the built-in database in DATA_DIR/db (stop Threadline first).`;

/** Every `<language>/<name>.md` under the folder (other files are left alone), as relative paths with `/`. */
async function articleFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of await readdir(path.join(dir, entry.name), { withFileTypes: true })) if (file.isFile() && file.name.endsWith('.md')) found.push(`${entry.name}/${file.name}`);
  }
  return found.sort();
}

async function readFolder(dir: string) {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new AppError('NOT_FOUND', `${dir} is not a folder`);
  const categories = await readFile(path.join(dir, CATEGORIES_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const files = await Promise.all((await articleFiles(dir)).map(async (p) => ({ path: p, text: await readFile(path.join(dir, p), 'utf8') })));
  return { categories, files };
}

async function run(command: string, dir: string): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('warn', 'kb-cli', pino.destination(2));
  if (!config.mongodbUri && config.db.embeddedEngine !== 'memory') {
    const owner = storeOwner(path.resolve(config.dataDir, 'db'));
    if (owner !== undefined) throw new AppError('CONFLICT', `the built-in database in ${path.resolve(config.dataDir, 'db')} is in use by process ${owner}: stop Threadline first (or set MONGODB_URI)`);
  }
  // Read before connecting: a folder that cannot be read opens no database.
  const input = command === 'import' ? await readFolder(dir) : null;
  const database = await resolveDatabase(config, logger);
  const connection = await connectMongo(database.uri, { serverSelectionTimeoutMs: config.db.serverSelectionTimeoutMs }, logger);
  try {
    const models = createModels(connection);
    await upgradeDatabase(connection.db!, { models, blobs: createBlobStore(connection.db!), logger });
    const deps = { ...createStores(models), now: () => new Date() };
    if (input) {
      const r = await importKb(deps, OPERATOR, input);
      console.log(
        `imported ${dir}: articles ${r.articles.created} created, ${r.articles.updated} changed, ${r.articles.unchanged} unchanged; ` +
          `categories ${r.categories.created} created, ${r.categories.updated} changed, ${r.categories.unchanged} unchanged`,
      );
    } else {
      await mkdir(dir, { recursive: true });
      const r = await exportKb(deps, OPERATOR, async (rel, text) => {
        const target = path.join(dir, rel);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, text);
      });
      console.log(`exported ${r.articles} articles and ${r.categories} categories to ${dir}`);
    }
  } finally {
    connection.removeAllListeners('disconnected');
    await connection.close();
    await database.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    const [command, dir, ...rest] = positionals;
    if (values.help || !command) {
      console.log(USAGE);
      return values.help ? 0 : 1;
    }
    if ((command !== 'export' && command !== 'import') || !dir || rest.length) throw new AppError('VALIDATION_FAILED', `give export DIR or import DIR\n\n${USAGE}`);
    await run(command, argPath(dir));
    return 0;
  } catch (err) {
    // An import's problems are in the message, one file and field a line.
    return reportCliError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
