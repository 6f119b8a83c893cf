import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ASSETS_DIR, buildAssets } from './asset-bundle.js';

// `npm run build:assets`: bundles the browser code of src/web/client into templates/web/assets, where
// it is committed and served from (the README's "Front-end assets" says why).
async function main(): Promise<void> {
  await mkdir(ASSETS_DIR, { recursive: true });
  for (const [name, contents] of await buildAssets()) {
    await writeFile(path.join(ASSETS_DIR, name), contents);
    console.log(`${path.relative(process.cwd(), path.join(ASSETS_DIR, name))}: ${Buffer.byteLength(contents)} bytes`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
