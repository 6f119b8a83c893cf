import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../../templates/web');

/** Renders the page templates of `templates/web/` inside the shared layout. */
export interface ViewEngine {
  render(name: string, data: Record<string, unknown>): string;
  /** The stylesheet and its content hash (the cache-busting version in its URL). */
  stylesheet: { css: string; version: string };
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** "in 3 h" / "5 min ago": short relative times for badges. */
export function relativeTime(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const text = abs < 3_600_000 ? `${Math.max(1, Math.round(abs / 60_000))} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/**
 * Compiles every template once at start-up. Handlebars escapes every `{{value}}`; the only
 * triple-stash is the layout's `{{{body}}}`, which is another rendered template.
 */
export function createViewEngine(): ViewEngine {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('date', (d: unknown) => (d instanceof Date ? `${DATE_FORMAT.format(d)} UTC` : ''));
  hbs.registerHelper('isoDate', (d: unknown) => (d instanceof Date ? d.toISOString() : ''));
  const partialDir = path.join(TEMPLATE_DIR, 'partials');
  for (const file of readdirSync(partialDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(path.basename(file, '.hbs'), readFileSync(path.join(partialDir, file), 'utf8'));
  }
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.hbs'))) {
    // preventIndent: a partial on its own indented line would otherwise indent every line of its
    // output, including the text inside a textarea (a pre-filled reply) or a pre-wrap message body.
    templates.set(path.basename(file, '.hbs'), hbs.compile(readFileSync(path.join(TEMPLATE_DIR, file), 'utf8'), { strict: false, preventIndent: true }));
  }
  const css = readFileSync(path.join(TEMPLATE_DIR, 'app.css'), 'utf8');
  const stylesheet = { css, version: createHash('sha256').update(css).digest('hex').slice(0, 12) };
  const get = (name: string) => {
    const t = templates.get(name);
    if (!t) throw new Error(`no web template ${name}`);
    return t;
  };
  return {
    stylesheet,
    render(name, data) {
      const ctx = { ...data, cssVersion: stylesheet.version };
      return get('layout')({ ...ctx, body: get(name)(ctx) });
    },
  };
}
