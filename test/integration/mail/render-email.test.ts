import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES } from '../../../src/i18n/locales.js';
import type { DigestData } from '../../../src/mail/digest-data.js';
import { EMAIL_SAMPLES } from '../../../src/mail/email-samples.js';
import { renderEmail } from '../../../src/mail/render-email.js';
import { fakeClockEnv } from '../../helpers/clock.js';
import { entryArgs } from '../../helpers/process.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'threadline-emails-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No MONGODB_URI: the previews must not need a database.
    const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...fakeClockEnv() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('preview-emails CLI', () => {
  it('writes HTML and text for every sample in every language plus an index, and prints the folder', async () => {
    const out = path.join(tmp, 'previews');
    const result = await run(process.execPath, [...entryArgs('src/cli/preview-emails.ts'), '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(out);

    const files = await readdir(out);
    const expected = ['index.html', ...EMAIL_SAMPLES.flatMap((s) => LOCALES.flatMap((l) => [`${s.id}.${l}.html`, `${s.id}.${l}.txt`]))];
    expect(files.sort()).toEqual(expected.sort());
    expect(EMAIL_SAMPLES.map((s) => s.id)).toEqual(expect.arrayContaining(['digest', 'digest-empty', 'auto-reply-inbox-override']));

    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    for (const s of EMAIL_SAMPLES) {
      for (const l of LOCALES) {
        expect(index).toContain(`href="${s.id}.${l}.html"`);
        expect(index).toContain(`href="${s.id}.${l}.txt"`);
      }
    }
    const digest = await readFile(path.join(out, 'digest.en.html'), 'utf8');
    expect(digest).toContain('Open backlog by age');
    expect(digest).toMatch(/<html lang="en"/);
    expect(await readFile(path.join(out, 'digest-empty.en.txt'), 'utf8')).toMatch(/^Nothing to report for /);
    const french = await readFile(path.join(out, 'digest.fr.html'), 'utf8');
    expect(french).toContain('Demandes en cours par ancienneté');
    expect(french).toMatch(/<html lang="fr"/);
    expect(await readFile(path.join(out, 'digest-empty.fr.txt'), 'utf8')).toMatch(/^Rien à signaler /);
  });
});

describe('digest in a browser', () => {
  it('draws backlog bars whose on-screen widths follow the counts', async (ctx) => {
    ctx.skip(!existsSync(CHROMIUM), `${CHROMIUM} is not installed: skipping the screenshot check`);
    const base = EMAIL_SAMPLES.find((s) => s.id === 'digest')!;
    const data: DigestData = {
      ...(base.data as DigestData),
      backlogByAge: [
        { label: '< 1 day', count: 10 },
        { label: '1–3 days', count: 5 },
        { label: '3–7 days', count: 0 },
      ],
    };
    const email = await renderEmail('digest', data, base.opts);
    const file = path.join(tmp, 'digest.html');
    await writeFile(file, email.html);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 700, height: 900 } });
      await page.goto(`file://${file}`);
      const rows = await page.$$eval('tr.backlog-row', (trs) =>
        trs.map((tr) => {
          const bar = tr.querySelector('td.bar');
          return {
            bar: bar?.getBoundingClientRect().width ?? 0,
            track: tr.querySelector('td.bar, td.bar-rest')?.parentElement?.getBoundingClientRect().width ?? 0,
            count: tr.lastElementChild?.textContent?.trim(),
            colour: bar ? tr.ownerDocument.defaultView?.getComputedStyle(bar).backgroundColor : null,
          };
        }),
      );
      expect(rows.map((r) => r.count)).toEqual(['10', '5', '0']);
      const [full, half, none] = rows;
      expect(full!.bar).toBeGreaterThan(200);
      expect(full!.bar).toBeCloseTo(full!.track, 0);
      expect(Math.abs(half!.bar - full!.bar / 2)).toBeLessThanOrEqual(2);
      expect(none!.bar).toBe(0);
      expect(full!.colour).toBe('rgb(37, 99, 235)');

      const shot = path.join(tmp, 'digest.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await readFile(shot)).length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
