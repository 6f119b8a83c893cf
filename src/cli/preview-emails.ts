import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Handlebars from 'handlebars';
import { EMAIL_SAMPLES } from '../mail/email-samples.js';
import { renderEmail } from '../mail/render-email.js';

const USAGE = `Usage: npm run preview:emails -- [--out DIR]

Renders every email template with sample data into DIR (default .data/email-previews):
<sample>.html and <sample>.txt per sample, and index.html linking them. Needs no database.`;

const esc = (s: string): string => Handlebars.escapeExpression(s);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const outDir = path.resolve(values.out ?? '.data/email-previews');
  await mkdir(outDir, { recursive: true });
  const rows: string[] = [];
  for (const sample of EMAIL_SAMPLES) {
    const email = await renderEmail(sample.template, sample.data, sample.opts);
    await writeFile(path.join(outDir, `${sample.id}.html`), email.html);
    await writeFile(path.join(outDir, `${sample.id}.txt`), email.text);
    const id = encodeURIComponent(sample.id);
    rows.push(`<tr><td>${esc(sample.id)}</td><td>${esc(email.subject)}</td><td><a href="${id}.html">HTML</a> · <a href="${id}.txt">text</a></td></tr>`);
  }
  const index = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threadline email previews</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #ddd}</style></head>
<body><h1>Threadline email previews</h1>
<table><tr><th>Sample</th><th>Subject</th><th>Parts</th></tr>
${rows.join('\n')}
</table></body></html>
`;
  await writeFile(path.join(outDir, 'index.html'), index);
  console.log(outDir);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
