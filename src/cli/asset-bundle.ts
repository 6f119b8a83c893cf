import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';

/** The repository's root: entry points and outputs are named from here, so builds match on every machine. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Where the built browser assets are committed and served from (`/static/assets/<name>`). */
export const ASSETS_DIR = path.join(REPO_ROOT, 'templates/web/assets');

/** The browser bundles: source entry (under src/web/client) and the file it becomes in {@link ASSETS_DIR}. */
export const BUNDLES = [
  { entry: 'src/web/client/reply-editor.js', out: 'editor.js', title: 'Threadline reply editor' },
  { entry: 'src/web/client/report-charts.js', out: 'report-charts.js', title: 'Threadline report charts' },
] as const;

/** The esbuild options of one bundle: one minified script, no source map, no eval, the libraries' comments left to the licence file. */
export function bundleOptions(entry: string): BuildOptions & { metafile: true; write: false } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    write: false,
    logLevel: 'silent',
  };
}

interface PackageInfo {
  name: string;
  version: string;
  license: string;
  text: string;
}

/** The package an input file of the bundle comes from (its nearest package.json with a name), or null for our own code. */
function packageOf(input: string): PackageInfo | null {
  if (!input.includes('node_modules/')) return null;
  let dir = path.dirname(path.join(REPO_ROOT, input));
  while (dir.includes(`${path.sep}node_modules${path.sep}`)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string; license?: string };
      if (pkg.name && pkg.version) {
        const licenceFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'].map((n) => path.join(dir, n)).find((f) => existsSync(f));
        return { name: pkg.name, version: pkg.version, license: pkg.license ?? 'see package', text: licenceFile ? readFileSync(licenceFile, 'utf8').trim() : '' };
      }
    }
    dir = path.dirname(dir);
  }
  return null;
}

/** The licence file of a bundle: every bundled package, its version and licence text, sorted by name. */
function licenceText(title: string, inputs: string[]): string {
  const packages = new Map<string, PackageInfo>();
  for (const input of inputs) {
    const pkg = packageOf(input);
    if (pkg) packages.set(pkg.name, pkg);
  }
  const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
  return [
    `${title}: the libraries bundled into it, with their licences.`,
    '',
    ...sorted.flatMap((p) => [`== ${p.name} ${p.version} (${p.license})`, '', p.text, '']),
  ].join('\n');
}

/**
 * Builds every bundle in memory: file name in {@link ASSETS_DIR} → contents, the scripts and, next
 * to each, `<name>.LICENSES.txt` listing the libraries it contains.
 */
export async function buildAssets(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const b of BUNDLES) {
    const result = await build(bundleOptions(b.entry));
    const code = result.outputFiles[0]?.text;
    if (code === undefined) throw new Error(`esbuild wrote nothing for ${b.entry}`);
    const banner = `/*! ${b.title}, built from ${b.entry} by \`npm run build:assets\`. Bundled libraries and their licences: ${b.out}.LICENSES.txt */\n`;
    files.set(b.out, banner + code);
    files.set(`${b.out}.LICENSES.txt`, licenceText(b.title, Object.keys(result.metafile.inputs)));
  }
  return files;
}
