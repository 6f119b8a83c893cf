import { francAll } from 'franc-min';
import { isLocale, type Locale } from '../../i18n/locales.js';

/** How much of a mail's text language detection reads: the start says enough, and the cost stays bounded. */
export const DETECT_MAX_CHARS = 2000;
/** Below this many characters (quotes, signature, links and numbers removed) a text is too short to tell. */
export const DETECT_MIN_CHARS = 40;
/** From this many characters a clear result may change the language remembered for the customer. */
export const CONFIDENT_MIN_CHARS = 80;

/** franc's ISO 639-3 codes for the languages Threadline writes. */
const FRANC_CODES: Record<string, Locale> = { fra: 'fr', eng: 'en' };
/** How close the other language's score (franc's best is 1) may come for a result to count, and to count as clear. */
const MAX_RUNNER_UP = 0.9;
const CLEAR_RUNNER_UP = 0.85;

/**
 * Very common words of each language. franc reads letter trigrams, which short texts mislead
 * ("Hello, it does not work." scores French); a result these words contradict is not taken.
 */
const COMMON_WORDS: Record<Locale, ReadonlySet<string>> = {
  en: new Set('the and to of is it not you i my your we our for with on that this have has can could would please thanks thank hello hi did does do are was be will'.split(' ')),
  fr: new Set('le la les de des du un une je vous nous est pas ne et pour que qui avec sur mon ma mes votre vos merci bonjour au aux ce cette il elle sont être avez pouvez'.split(' ')),
};

/** What a mail's text says about its writer's language; `confident` when it is long and clear. */
export interface LocaleGuess {
  locale: Locale;
  confident: boolean;
}

/** A line that starts the quoted earlier mail in a reply: `On … wrote:`, `Le … a écrit :`, `-----Original Message-----`, `De : …`. */
const QUOTE_HEADER = /^(?:on\s.{0,200}\swrote:?|le\s.{0,200}\sa\s+écrit\s*:?|-{2,}\s*(?:original message|message d.origine|forwarded message|message transféré)\s*-{2,}|(?:from|de)\s*:\s.+)$/i;

/** Plain text of an HTML-only mail: quoted blocks, styles and scripts dropped, tags as spaces. */
function htmlText(html: string): string {
  return html
    .slice(0, DETECT_MAX_CHARS * 4)
    .replace(/<(style|script|head|blockquote)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<br\s*\/?>|<\/(?:p|div|li|tr|h\d)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&(?:#\d+|#x[0-9a-f]+|[a-z]+);/gi, ' ');
}

/**
 * What the customer wrote themselves, from the first {@link DETECT_MAX_CHARS} characters of their
 * mail (the tag-stripped HTML when it has no plain text): without the quoted earlier mail, the
 * signature, links, addresses and numbers, which say nothing of the language.
 */
export function ownWords(mail: { text?: string | null; html?: string | null }): string {
  const source = (mail.text?.trim() ? mail.text : mail.html ? htmlText(mail.html) : '') ?? '';
  const kept: string[] = [];
  for (const line of source.slice(0, DETECT_MAX_CHARS).replace(/\r\n?/g, '\n').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '--' || QUOTE_HEADER.test(trimmed)) break;
    if (!trimmed.startsWith('>')) kept.push(trimmed);
  }
  return kept
    .join(' ')
    .replace(/\b(?:https?:\/\/|www\.)\S+|\S+@\S+|\[#\d+\]|[\d_#]+/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function commonWordCount(words: string[], locale: Locale): number {
  return words.filter((w) => COMMON_WORDS[locale].has(w)).length;
}

/**
 * The language of a customer's mail (`text`: {@link ownWords}), with franc-min over French and
 * English; null when the text is too short or the result unclear. `confident` results are long
 * and clear enough to change what is remembered for the customer.
 */
export function detectLocale(text: string | null | undefined): LocaleGuess | null {
  const words = (text ?? '').slice(0, DETECT_MAX_CHARS);
  if (words.length < DETECT_MIN_CHARS) return null;
  const [best, second] = francAll(words, { only: Object.keys(FRANC_CODES), minLength: DETECT_MIN_CHARS });
  const locale = best ? FRANC_CODES[best[0]] : undefined;
  if (!locale) return null;
  const runnerUp = second?.[1] ?? 0;
  if (runnerUp > MAX_RUNNER_UP) return null;
  const tokens = words.toLowerCase().split(/[^\p{L}’']+/u).flatMap((w) => w.split(/[’']/));
  const other: Locale = locale === 'fr' ? 'en' : 'fr';
  const [own, theirs] = [commonWordCount(tokens, locale), commonWordCount(tokens, other)];
  if (theirs > own) return null;
  return { locale, confident: words.length >= CONFIDENT_MIN_CHARS && runnerUp <= CLEAR_RUNNER_UP && own > theirs };
}

/**
 * The language to write to a customer in: what their mail is written in, else what was remembered
 * for them, else the inbox's default language, else English.
 */
export function customerLocale(guess: LocaleGuess | null, remembered: string | null | undefined, inboxDefault: string | null | undefined): Locale {
  if (guess) return guess.locale;
  if (isLocale(remembered)) return remembered;
  return isLocale(inboxDefault) ? inboxDefault : 'en';
}
