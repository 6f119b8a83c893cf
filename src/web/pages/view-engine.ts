import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { PageI18n } from './page-i18n.js';
import { scriptUrl, versioned } from './static-assets.js';

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../../templates/web');
/** The keyboard shortcuts of every signed-in page. */
const SHORTCUTS_URL = scriptUrl('shortcuts.js');

/** Renders the page templates of `templates/web/` inside the shared layout. */
export interface ViewEngine {
  /** Renders a page in the layout (or another, such as the help center's), in the language and time zone of `i18n`. */
  render(name: string, data: Record<string, unknown>, i18n: PageI18n, layout?: string): string;
  /** The stylesheet and its content hash (the cache-busting version in its URL). */
  stylesheet: { body: string; version: string };
}

/**
 * Compiles every template once at start-up. Handlebars escapes every `{{value}}`; the only
 * triple-stash is the layout's `{{{body}}}`, which is another rendered template.
 */
export function createViewEngine(): ViewEngine {
  const hbs = Handlebars.create();
  const i18nOf = (options: Handlebars.HelperOptions) => (options.data as { root: { i18n: PageI18n } }).root.i18n;
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // (concat "common:status." status): a key built from a value, e.g. a status name.
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  // {{t "web:tickets.count" count=n}}: a message of the page's language, with ICU parameters.
  hbs.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => i18nOf(options).tr.t(String(key), options.hash as Record<string, unknown>));
  hbs.registerHelper('date', (d: unknown, options: Handlebars.HelperOptions) => (d instanceof Date ? i18nOf(options).formats.dateTime(d) : ''));
  hbs.registerHelper('dateOnly', (d: unknown, options: Handlebars.HelperOptions) => (d instanceof Date ? i18nOf(options).formats.date(d) : ''));
  hbs.registerHelper('relative', (d: unknown, options: Handlebars.HelperOptions) => {
    const i18n = i18nOf(options);
    return d instanceof Date ? i18n.formats.relative(d, i18n.now) : '';
  });
  hbs.registerHelper('formatNumber', (n: unknown, options: Handlebars.HelperOptions) => (typeof n === 'number' ? i18nOf(options).formats.number(n) : ''));
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
  const stylesheet = versioned(css);
  const get = (name: string) => {
    const t = templates.get(name);
    if (!t) throw new Error(`no web template ${name}`);
    return t;
  };
  return {
    stylesheet,
    render(name, data, i18n, layout = 'layout') {
      const ctx = { ...data, cssVersion: stylesheet.version, shortcutsUrl: SHORTCUTS_URL, i18n, lang: i18n.tr.locale, timeZone: i18n.formats.timeZone };
      return get(layout)({ ...ctx, body: get(name)(ctx) });
    },
  };
}
