import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The entries the tests start as processes of their own (the app, the workers, the CLIs). Each child
 * would otherwise run them through tsx, whose loader resolves and transforms every source file on a
 * loader thread: `npm start` took about 6 s of CPU to serve through tsx and 3.5 s from its bundle, a
 * CLI 1.8 s and 0.8 s, and the suite starts some seventy of them.
 */
export const COMPILED_ENTRIES = ['src/server.ts', 'workers/poller.ts', 'workers/jobs.ts', 'src/cli/inbox.ts', 'src/cli/kb.ts', 'src/cli/db-export.ts', 'src/cli/db-backup.ts', 'src/cli/db-restore.ts', 'src/cli/preview-emails.ts', 'src/devdb/cli.ts'];

/**
 * Every module keeps its own `import.meta`: a bundle would otherwise give all of them the bundle's
 * location, and the paths the sources find their templates, locales and config by would move.
 */
const ownImportMeta: Plugin = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const contents = source
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

/** A digest of every source the bundles are made from, so a changed file makes new ones. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.[cm]?[tj]s$|\.json$/.test(entry.name)) {
        const { mtimeMs, size } = statSync(p);
        hash.update(`${p} ${mtimeMs} ${size}\n`);
      }
    }
  };
  for (const dir of ['src', 'workers']) walk(path.join(ROOT, dir));
  for (const file of ['package.json', 'tsconfig.json']) hash.update(readFileSync(path.join(ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundles the test-started entries (their own sources only: packages stay imports, resolved by Node
 * from node_modules as under tsx) into one ESM file each, under node_modules/.cache. Returns the
 * folder; `path.join(folder, entry + '.mjs')` is an entry's bundle. Reused while the sources are the same.
 */
export function compileEntries(): Promise<string> {
  building ??= compile();
  return building;
}

let building: Promise<string> | undefined;

async function compile(): Promise<string> {
  const cache = path.join(ROOT, 'node_modules/.cache/threadline-test-entries');
  const out = path.join(cache, sourceDigest());
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: ROOT,
    entryPoints: COMPILED_ENTRIES.map((e) => ({ in: e, out: e.replace(/\.ts$/, '') })),
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [ownImportMeta],
  });
  // Another run may have made the same bundles meanwhile; either copy will do.
  if (existsSync(out)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, out);
  // Bundles of older sources, once no run still using them can have started within the hour.
  for (const old of readdirSync(cache)) {
    const p = path.join(cache, old);
    if (p !== out && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
  return out;
}
