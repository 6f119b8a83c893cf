/**
 * `npm run bench` runs every benchmark; `npm run bench -- ingest` one of them (`-- web --quick` passes
 * a flag on). Each prints its figures as ratios against a baseline measured in the same run, because
 * absolute times on a shared machine mean little.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHES: Record<string, string> = {
  'list-query': 'bench/devdb-list-query.ts',
  'auto-assign': 'bench/auto-assign.ts',
  compact: 'bench/compact.ts',
  contacts: 'bench/contacts.ts',
  hostile: 'bench/hostile.ts',
  ingest: 'bench/ingest.ts',
  kb: 'bench/kb.ts',
  reports: 'bench/reports.ts',
  routing: 'bench/routing.ts',
  threading: 'bench/threading.ts',
  web: 'bench/web.ts',
};

// Names pick benchmarks; `--flags` (e.g. `--quick`) are passed on to each of them.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`\n=== ${name} ===`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', BENCHES[name]!, ...flags], { cwd: path.resolve(import.meta.dirname, '..'), stdio: 'inherit' });
  if (res.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
