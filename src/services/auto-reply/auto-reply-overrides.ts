import { isLocale, LOCALES, type Locale } from '../../i18n/locales.js';
import type { AutoReplyText } from '../../store/models/inbox.js';

/** An inbox's own auto-reply subject and text in one language; null: Threadline's default in that language. */
export interface AutoReplyOverride {
  subject: string | null;
  template: string | null;
}

type WithOverrides = { autoReply?: { overrides?: Partial<Record<Locale, AutoReplyText>> | null } | null };

/** The language an inbox writes to customers in when theirs is not known (English for an inbox stored without one). */
export function inboxLocale(inbox: { defaultLocale?: unknown }): Locale {
  return isLocale(inbox.defaultLocale) ? inbox.defaultLocale : 'en';
}

/** The inbox's own subject and text for `locale`. */
export function autoReplyOverride(inbox: WithOverrides, locale: string): AutoReplyOverride {
  const text = isLocale(locale) ? inbox.autoReply?.overrides?.[locale] : undefined;
  return { subject: text?.subject ?? null, template: text?.template ?? null };
}

/** The inbox's own subject and text in every language. */
export function autoReplyOverrides(inbox: WithOverrides): Record<Locale, AutoReplyOverride> {
  return Object.fromEntries(LOCALES.map((locale) => [locale, autoReplyOverride(inbox, locale)])) as Record<Locale, AutoReplyOverride>;
}

/** Subject and text as an input gives them: a field left out is left as it is. */
export type AutoReplyTextInput = { subject?: string | null; template?: string | null };

/**
 * The per-language texts an input sets: its `overrides`, and its plain `subject`/`template` (the API
 * before languages) as the texts of `defaultLocale` unless `overrides` names that language's field too.
 */
export function autoReplyTextsOf(
  input: AutoReplyTextInput & { overrides?: Partial<Record<Locale, AutoReplyTextInput | undefined>> | null },
  defaultLocale: Locale,
): Array<[Locale, AutoReplyTextInput]> {
  return LOCALES.flatMap((locale): Array<[Locale, AutoReplyTextInput]> => {
    const own = input.overrides?.[locale];
    const plain = locale === defaultLocale ? { subject: input.subject, template: input.template } : {};
    const merged = { subject: own?.subject !== undefined ? own.subject : plain.subject, template: own?.template !== undefined ? own.template : plain.template };
    return merged.subject === undefined && merged.template === undefined ? [] : [[locale, merged]];
  });
}
