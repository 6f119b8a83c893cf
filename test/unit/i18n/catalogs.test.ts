import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { createI18n, loadCatalogs, NAMESPACES, pseudoCatalog } from '../../../src/i18n/catalog.js';
import { fromAcceptLanguage, LOCALES, pickLocale } from '../../../src/i18n/locales.js';

const catalogs = loadCatalogs();

/** Every key of a nested catalog as `a.b.c` → message. */
function flatten(node: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      for (const [key, value] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(key, value);
    }
  } else out.set(prefix, node);
  return out;
}

/** The argument names a message uses (placeholders, plural and select variables), at any depth. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) into.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      into.add(el.value);
      for (const option of Object.values(el.options)) argumentsOf(option.value, into);
    }
    if (el.type === TYPE.tag) argumentsOf(el.children, into);
  }
  return into;
}

describe('the catalogs', () => {
  for (const ns of NAMESPACES) {
    const en = flatten(catalogs.en?.[ns]);
    for (const locale of LOCALES.filter((l) => l !== 'en')) {
      const other = flatten(catalogs[locale]?.[ns]);
      it(`${locale}/${ns}.json has exactly the keys of en/${ns}.json`, () => {
        expect([...other.keys()].filter((k) => !en.has(k)), `keys only in ${locale}`).toEqual([]);
        expect([...en.keys()].filter((k) => !other.has(k)), `keys missing in ${locale}`).toEqual([]);
      });
      it(`${locale}/${ns}.json uses the same parameters as English in every message`, () => {
        const differing = [...en.keys()]
          .filter((k) => other.has(k))
          .filter((k) => [...argumentsOf(parse(String(en.get(k)), { ignoreTag: true }))].sort().join() !== [...argumentsOf(parse(String(other.get(k)), { ignoreTag: true }))].sort().join());
        expect(differing).toEqual([]);
      });
    }
    it(`every message of ${ns} is a non-empty string in valid ICU syntax, in every locale`, () => {
      for (const locale of LOCALES) {
        for (const [key, message] of flatten(catalogs[locale]?.[ns])) {
          expect(typeof message === 'string' && message.trim().length > 0, `${locale}/${ns}: ${key}`).toBe(true);
          expect(() => parse(message as string, { ignoreTag: true }), `${locale}/${ns}: ${key}`).not.toThrow();
        }
      }
    });
  }

  it('French messages keep a no-break space before : ; ? ! and inside « », so a line never starts with one', () => {
    const wrong: string[] = [];
    for (const ns of NAMESPACES) {
      for (const [key, message] of flatten(catalogs.fr?.[ns])) {
        // A plain space (or none) before double punctuation; `{x}:` (a placeholder then a colon in a list) excepted.
        if (/ [:;?!»]|« |[^\s\u00a0\u202f}:/"'a-z0-9][;?!»]/.test(String(message))) wrong.push(`${ns}:${key} = ${String(message)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('French messages are not left in English', () => {
    // A French message equal to its English one is allowed only for words both languages share.
    const shared = /^(\[?[A-Z0-9 .:/#·%+-]*\]?|SLA.*|IMAP.*|SMTP.*|Cron.*|Threadline.*|Agent|agent|Digest|Message-ID.*|Email|Notes?|Documentation|Dashboard|Tags?|Total|Date|Message|Messages|Action|Actions|Description|Minutes?|Statut|Source|Options?|Fragment|Type|Contact|Contacts|Port|Version|Images?|Important|Urgent|Normal|Solution|Article|Articles|Signature|Question|Questions|Page|Pages|URL|ID|OK|Ok|Info|Menu|Notifications?|English|Français|{[^}]*})$/;
    const same: string[] = [];
    for (const ns of NAMESPACES) {
      const en = flatten(catalogs.en?.[ns]);
      for (const [key, message] of flatten(catalogs.fr?.[ns])) {
        if (message === en.get(key) && !shared.test(String(message)) && /[a-z]{3}/.test(String(message).replace(/\{[^}]*\}/g, ''))) same.push(`${ns}:${key} = ${String(message)}`);
      }
    }
    expect(same).toEqual([]);
  });
});

describe('the pseudo-locale', () => {
  it('accents every letter outside placeholders and keeps plurals working', () => {
    const pseudo = pseudoCatalog({ a: 'Sign in', b: 'Hello {name}', c: '{count, plural, one {# ticket} other {# tickets}}' });
    expect(pseudo.a).toBe('[Šîĝñ îñ]');
    const tr = createI18n({ pseudo: true, catalogs: { en: { common: { a: 'Hello {name}', c: '{count, plural, one {# ticket} other {# tickets}}' } }, fr: { common: {} } } }).translator('en-XA');
    expect(tr.t('common:a', { name: 'Bob' })).toBe('[Ĥéļļö Bob]');
    expect(tr.t('common:c', { count: 1 })).toBe('[1 ţîçķéţ]');
    expect(tr.t('common:c', { count: 3 })).toBe('[3 ţîçķéţš]');
  });
});

describe('choosing a language', () => {
  it('prefers the user’s setting, then the browser, then the instance default', () => {
    expect(pickLocale({ chosen: 'en', acceptLanguage: 'fr-FR,fr;q=0.9', fallback: 'fr' })).toBe('en');
    expect(pickLocale({ chosen: null, acceptLanguage: 'fr-CA,en;q=0.5', fallback: 'en' })).toBe('fr');
    expect(pickLocale({ chosen: null, acceptLanguage: 'de-DE,es;q=0.8', fallback: 'fr' })).toBe('fr');
    expect(pickLocale({ chosen: 'en-XA', acceptLanguage: null, fallback: 'en' })).toBe('en');
    expect(pickLocale({ chosen: 'en-XA', acceptLanguage: null, fallback: 'fr', allowPseudo: true })).toBe('en-XA');
  });

  it('reads Accept-Language by quality, and shrugs off a malformed or hostile header', () => {
    expect(fromAcceptLanguage('en;q=0.4, fr;q=0.8')).toBe('fr');
    expect(fromAcceptLanguage('de, en;q=0.1, fr;q=0.1')).toBe('en');
    expect(fromAcceptLanguage('fr;q=0, en;q=0.2')).toBe('en');
    expect(fromAcceptLanguage('fr;q=abc')).toBeNull();
    expect(fromAcceptLanguage('*')).toBeNull();
    expect(fromAcceptLanguage(`${'x-'.repeat(100_000)}fr`)).toBeNull();
  });
});
