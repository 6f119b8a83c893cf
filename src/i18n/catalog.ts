import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { printAST } from '@formatjs/icu-messageformat-parser/printer.js';
import i18next, { type i18n as I18next } from 'i18next';
import ICU from 'i18next-icu';
import { LOCALES, PSEUDO_LOCALE } from './locales.js';

const LOCALE_DIR = path.resolve(import.meta.dirname, '../../locales');

/**
 * One catalog file per namespace: `locales/<locale>/<namespace>.json`; keys are written `namespace:dotted.key`.
 * `web` is the page shell (layout, sign-in, errors), `tickets` the inboxes, lists, ticket pages and trail,
 * `settings` the settings, users and account pages, `mail` every email, `errors` the text of AppErrors,
 * `kb` the knowledge base (agents' pages and the public help center).
 */
export const NAMESPACES = ['common', 'web', 'tickets', 'settings', 'mail', 'errors', 'kb'] as const;

export type Catalog = Record<string, unknown>;

/** Renders the messages of one locale; `t` takes ICU parameters (plurals, selects, numbers). */
export interface Translator {
  readonly locale: string;
  /** The language tag to format dates and numbers with (`en` for the pseudo-locale). */
  readonly formatLocale: string;
  t(key: string, params?: Record<string, unknown>): string;
  /** Whether the key has a message in this locale or its fallback. */
  has(key: string): boolean;
}

/** The loaded catalogs; one per process, made at start-up. */
export interface I18n {
  /** The locales with catalogs (the pseudo-locale too, when made with it). */
  readonly locales: readonly string[];
  translator(locale: string): Translator;
}

/** Reads every locale's catalogs (sync: once, at start-up). */
export function loadCatalogs(dir = LOCALE_DIR): Record<string, Record<string, Catalog>> {
  const out: Record<string, Record<string, Catalog>> = {};
  for (const locale of LOCALES) {
    out[locale] = {};
    const files = new Set(readdirSync(path.join(dir, locale)));
    for (const ns of NAMESPACES) {
      out[locale][ns] = files.has(`${ns}.json`) ? (JSON.parse(readFileSync(path.join(dir, locale, `${ns}.json`), 'utf8')) as Catalog) : {};
    }
  }
  return out;
}

const ACCENTED: Record<string, string> = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c, i) => [c, [...'åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'][i]!]),
);

function pseudoElements(elements: MessageFormatElement[]): MessageFormatElement[] {
  return elements.map((el) => {
    if (el.type === TYPE.literal) return { ...el, value: [...el.value].map((c) => ACCENTED[c] ?? c).join('') };
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      const options = Object.fromEntries(Object.entries(el.options).map(([k, o]) => [k, { ...o, value: pseudoElements(o.value) }]));
      return { ...el, options } as MessageFormatElement;
    }
    if (el.type === TYPE.tag) return { ...el, children: pseudoElements(el.children) };
    return el;
  });
}

/** `en` made unmistakable: `Sign in` becomes `[Šîĝñ îñ]`, placeholders and plural rules kept. */
export function pseudoCatalog(catalog: Catalog): Catalog {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return `[${printAST(pseudoElements(parse(node, { ignoreTag: true })))}]`;
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(catalog) as Catalog;
}

/**
 * The i18n layer: i18next with ICU message syntax over `locales/`. A key missing in a locale falls
 * back to English (the catalogs' check test keeps that from happening); `pseudo` adds the test locale.
 */
export function createI18n(opts: { pseudo?: boolean; catalogs?: Record<string, Record<string, Catalog>> } = {}): I18n {
  const catalogs = opts.catalogs ?? loadCatalogs();
  const resources: Record<string, Record<string, Catalog>> = { ...catalogs };
  if (opts.pseudo) resources[PSEUDO_LOCALE] = Object.fromEntries(Object.entries(catalogs.en ?? {}).map(([ns, c]) => [ns, pseudoCatalog(c)]));
  const instance: I18next = i18next.createInstance();
  void instance.use(ICU).init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: Object.keys(resources),
    ns: [...NAMESPACES],
    defaultNS: 'common',
    initAsync: false,
    // Handlebars escapes what the templates print; escaping here as well would print &amp;.
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  } as Parameters<I18next['init']>[0]);
  const cache = new Map<string, Translator>();
  return {
    locales: Object.keys(resources),
    translator(locale) {
      let found = cache.get(locale);
      if (!found) {
        const lng = resources[locale] ? locale : 'en';
        const fixed = instance.getFixedT(lng);
        found = {
          locale: lng,
          formatLocale: lng === PSEUDO_LOCALE ? 'en' : lng,
          t: (key, params) => fixed(key, params ?? {}) as string,
          has: (key) => instance.exists(key, { lng }),
        };
        cache.set(locale, found);
      }
      return found;
    },
  };
}
