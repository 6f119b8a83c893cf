import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSETS_DIR, buildAssets, BUNDLES } from '../../../src/cli/asset-bundle.js';

// The browser bundles are committed (templates/web/assets) so that running Threadline needs no bundler:
// the committed files must be what the sources build to today.
describe('the committed browser bundles', () => {
  it('are what `npm run build:assets` builds from src/web/client now', async () => {
    const built = await buildAssets();
    expect([...built.keys()].sort()).toEqual(BUNDLES.flatMap((b) => [b.out, `${b.out}.LICENSES.txt`]).sort());
    for (const [name, contents] of built) {
      const committed = readFileSync(path.join(ASSETS_DIR, name), 'utf8');
      expect(committed === contents, `templates/web/assets/${name} is stale: run npm run build:assets and commit the result`).toBe(true);
    }
  }, 60_000);

  it('inject no styles or code the page CSP would refuse, and name their licences', async () => {
    const editor = (await buildAssets()).get('editor.js')!;
    // No eval (script-src 'self'); Tiptap's <style> element stays off (style-src 'self'): the browser test
    // (test/e2e/reply-editor.test.ts) checks that no CSP violation happens while the editor is used.
    expect(/new Function\(|\beval\(/.test(editor)).toBe(false);
    expect(readFileSync(path.join(import.meta.dirname, '../../../src/web/client/reply-editor.js'), 'utf8')).toContain('injectCSS: false');
    expect(editor.startsWith('/*! Threadline reply editor')).toBe(true);
    const licences = readFileSync(path.join(ASSETS_DIR, 'editor.js.LICENSES.txt'), 'utf8');
    expect(licences).toMatch(/== @tiptap\/core \S+ \(MIT\)/);
    expect(licences).toMatch(/== prosemirror-view \S+ \(MIT\)/);
  }, 60_000);

  it('keep of Chart.js only what the report charts register, with no eval, and name its licence', async () => {
    const charts = (await buildAssets()).get('report-charts.js')!;
    expect(charts.startsWith('/*! Threadline report charts')).toBe(true);
    expect(/new Function\(|\beval\(/.test(charts)).toBe(false);
    // Tree-shaken: the controllers the page does not register (pie, radar, polar area, bubble) are left out.
    expect(charts).not.toMatch(/polarArea|"radar"|"bubble"/);
    const licences = readFileSync(path.join(ASSETS_DIR, 'report-charts.js.LICENSES.txt'), 'utf8');
    expect(licences).toMatch(/== chart\.js 4\.\S+ \(MIT\)/);
    expect(licences).toMatch(/== @kurkle\/color \S+ \(MIT\)/);
  }, 60_000);
});
