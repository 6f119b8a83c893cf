import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Handlebars from 'handlebars';
import { LOCALE_NAMES, LOCALES } from '../i18n/locales.js';
import { EMAIL_SAMPLES, sampleOptions } from '../mail/email-samples.js';
import { renderEmail } from '../mail/render-email.js';

const USAGE = `Usage: npm run preview:emails -- [--out DIR]

Renders every email template with sample data, in every language (${LOCALES.join(', ')}), into DIR
(default .data/email-previews): <sample>.<language>.html and <sample>.<language>.txt per sample, and
index.html linking them. Needs no database.`;

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
    for (const locale of LOCALES) {
      const email = await renderEmail(sample.template, sample.data, sampleOptions(sample, locale));
      const stem = `${sample.id}.${locale}`;
      await writeFile(path.join(outDir, `${stem}.html`), email.html);
      await writeFile(path.join(outDir, `${stem}.txt`), email.text);
      const file = encodeURIComponent(stem);
      rows.push(
        `<tr><td>${esc(sample.id)}</td><td lang="${locale}">${esc(LOCALE_NAMES[locale])}</td><td lang="${locale}">${esc(email.subject)}</td><td><a href="${file}.html">HTML</a> · <a href="${file}.txt">text</a></td></tr>`,
      );
    }
  }
  const index = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threadline email previews</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #ddd}</style></head>
<body><h1>Threadline email previews</h1>
<table><tr><th>Sample</th><th>Language</th><th>Subject</th><th>Parts</th></tr>
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
