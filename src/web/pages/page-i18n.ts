import type { Request, RequestHandler, Response } from 'express';
import type { I18n, Translator } from '../../i18n/catalog.js';
import { formatsFor, type Formats } from '../../i18n/formats.js';
import { pickLocale, PSEUDO_LOCALE, type Locale } from '../../i18n/locales.js';
import { sessionOf } from '../session/session-middleware.js';

/** The language and time zone one page is rendered in. */
export interface PageI18n {
  /** The page's messages; `tr.t('web:tickets.heading')`. */
  tr: Translator;
  formats: Formats;
  /** The moment relative times are measured from. */
  now: Date;
}

/** The instance's defaults (DEFAULT_LOCALE, DEFAULT_TIME_ZONE). */
export interface LocaleDefaults {
  locale: Locale;
  /** Null: each user gets their browser's zone at their first sign-in, UTC until then. */
  timeZone: string | null;
}

/**
 * Picks each request's language (the user's setting, else Accept-Language, else the default) and
 * time zone (the user's, else the default, else UTC) into `res.locals.i18n`. Runs after the session.
 */
export function pageI18nMiddleware(deps: { i18n: I18n; defaults: LocaleDefaults; now: () => Date; allowPseudo?: boolean }): RequestHandler {
  return (req, res, next) => {
    const user = sessionOf(res)?.user;
    const locale = pickLocale({ chosen: user?.locale ?? null, acceptLanguage: req.get('accept-language') ?? null, fallback: deps.defaults.locale, allowPseudo: deps.allowPseudo ?? false });
    // Caches must keep the languages apart: the same URL answers in the browser's language.
    res.vary('Accept-Language');
    const tr = deps.i18n.translator(locale);
    res.locals.i18n = { tr, formats: formatsFor(tr.formatLocale, user?.timeZone ?? deps.defaults.timeZone ?? 'UTC'), now: deps.now() } satisfies PageI18n;
    next();
  };
}

/** The language of this response (set by {@link pageI18nMiddleware}). */
export function pageI18n(res: Response): PageI18n {
  const found = res.locals.i18n as PageI18n | undefined;
  if (!found) throw new Error('pageI18nMiddleware did not run for this request');
  return found;
}

/** This page's message lookup, for text built in route code (flash notices, titles). */
export function textOf(res: Response): Translator['t'] {
  return pageI18n(res).tr.t;
}

/**
 * The language of a public page's own texts (the help center, the satisfaction page), which is the
 * page's language `lang`; a browser asking for the test pseudo-locale gets that instead of English
 * when the catalogs have it (tests only: production catalogs never do).
 */
export function publicPageLocale(i18n: I18n, req: Request, lang: string): string {
  const pseudo = lang === 'en' && i18n.locales.includes(PSEUDO_LOCALE) && (req.get('accept-language') ?? '').trim().startsWith(PSEUDO_LOCALE);
  return pseudo ? PSEUDO_LOCALE : lang;
}

/**
 * The language and time zone of a public page (no signed-in reader, so no zone of theirs): the
 * instance's default time zone (DEFAULT_TIME_ZONE), UTC without one.
 */
export function publicPageI18n(i18n: I18n, req: Request, lang: string, timeZone: string | null, now: Date): PageI18n {
  const tr = i18n.translator(publicPageLocale(i18n, req, lang));
  return { tr, formats: formatsFor(tr.formatLocale, timeZone ?? 'UTC'), now };
}
