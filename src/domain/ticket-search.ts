import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemFrench } from '@orama/stemmers/french';

/**
 * Ticket search without a text index, so the built-in server and MongoDB serve it alike: each ticket
 * stores a `searchTerms` string array, indexed as a multikey index, and a search is equality, `$in`
 * or an `$elemMatch` prefix range on it.
 *
 * A word is stored as its stems, English and French both (whatever the inbox's language), folded
 * (lower case, no accents), so "invoices" finds "invoice" and "résolues" finds "resolu". Text in
 * scripts written without spaces (Chinese, Japanese, Korean) is stored as character bigrams (and a
 * lone character as itself), the way CJK search engines index it. Subject terms are stored twice,
 * also as `s:<term>`, which ranks subject matches first; `f:` and `t:` tokens hold the senders'
 * and recipients' addresses and domains for the `from:` and `to:` operators. The requester's name
 * and address words are also stored with every prefix, so "ali" finds alice.smith@example.com.
 */

/** Longer words are cut to this many characters, the same way when storing and when searching. */
export const MAX_TERM_LENGTH = 40;
/** Shorter prefixes than this are not stored (a one-letter word still is, whole). */
export const MIN_PREFIX_LENGTH = 2;
/** How much of one message's text is indexed: a long mail's start says what it is about. */
export const MAX_INDEXED_CHARS = 20_000;
/** At most this many terms come from one message, so one mail's cost is bounded. */
export const MAX_MESSAGE_TERMS = 400;
/** A ticket stops taking message terms once it holds this many (its subject and people always count). */
export const MAX_TICKET_TERMS = 3000;
/** The prefix of subject terms (ranking), of sender tokens (`from:`) and of recipient tokens (`to:`). */
export const SUBJECT_PREFIX = 's:';
export const FROM_PREFIX = 'f:';
export const TO_PREFIX = 't:';
/** Bumped when what is stored changes; tickets indexed under an older version are re-indexed by a migration. */
export const SEARCH_INDEX_VERSION = 2;

const MAX_SUBJECT_WORDS = 60;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const DIGIT = /\p{N}/u;

/*
 * Words too common to narrow a search, in both languages (after folding). Dropped when storing and
 * when searching alike; a search of nothing else is refused with a clear message.
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have i if in is it its me my no not of on or our so that the their them then there these they this ' +
    'to was we were will with you your au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur lui ma mais me mes mon ne ' +
    'nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y'
  ).split(' '),
);

/**
 * Lower case without accents, so "José" and "jose" are the same word. Only the combining diacritics
 * block is dropped: other scripts' marks (the kana voicing mark in "が") change the letter.
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]+/g, '').normalize('NFC').toLowerCase();
}

/** The words of a text, folded and cut to {@link MAX_TERM_LENGTH} (CJK runs stay whole here). */
export function searchWords(text: string): string[] {
  return (foldText(text).match(WORD) ?? []).map((w) => w.slice(0, MAX_TERM_LENGTH));
}

/*
 * Stemming costs ~2 µs a word; mail repeats its words, so recent words are remembered: two
 * generations of up to STEM_CACHE_SIZE words, the older dropped whole when the newer fills (deleting
 * a Map's oldest entry one at a time degrades once the Map is full).
 */
let stemCache = new Map<string, readonly string[]>();
let olderStems = new Map<string, readonly string[]>();
const STEM_CACHE_SIZE = 20_000;

/**
 * The terms of one word (lower case, accents kept): its English and French stems, folded. The
 * French stemmer reads accents ("créées" → "cré"), so the folded word's stem is stored as well:
 * a search typed without accents then meets the same term ("creees" → "cree").
 */
export function wordTerms(word: string): readonly string[] {
  const cached = stemCache.get(word);
  if (cached) return cached;
  const older = olderStems.get(word);
  if (older) {
    stemCache.set(word, older);
    return older;
  }
  const folded = foldText(word).slice(0, MAX_TERM_LENGTH);
  let out: string[];
  if (DIGIT.test(word)) out = [folded];
  else out = [...new Set([stemEnglish(folded), foldText(stemFrench(word)), stemFrench(folded)].map((t) => t.slice(0, MAX_TERM_LENGTH)))];
  if (stemCache.size >= STEM_CACHE_SIZE) {
    olderStems = stemCache;
    stemCache = new Map();
  }
  stemCache.set(word, out);
  return out;
}

/** One token of a text: a word (to stem), or a run of CJK characters (to cut into bigrams). */
export interface TextToken {
  kind: 'word' | 'cjk';
  /** Lower case, NFC, accents kept. */
  text: string;
}

/** The tokens of a text, in order; stop words and lone non-digit letters are dropped. */
export function textTokens(text: string): TextToken[] {
  const out: TextToken[] = [];
  for (const raw of text.normalize('NFC').toLowerCase().match(WORD) ?? []) {
    if (!HAS_CJK.test(raw)) {
      pushWord(out, raw);
      continue;
    }
    let at = 0;
    for (const m of raw.matchAll(CJK)) {
      if (m.index > at) pushWord(out, raw.slice(at, m.index));
      out.push({ kind: 'cjk', text: m[0] });
      at = m.index + m[0].length;
    }
    if (at < raw.length) pushWord(out, raw.slice(at));
  }
  return out;
}

function pushWord(out: TextToken[], word: string): void {
  const folded = foldText(word);
  if (STOP_WORDS.has(folded) || (folded.length < 2 && !DIGIT.test(folded))) return;
  out.push({ kind: 'word', text: word });
}

/** The bigrams of a CJK run (a lone character is its own term). */
export function cjkTerms(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** The terms of one token. */
export function tokenTerms(token: TextToken): readonly string[] {
  return token.kind === 'word' ? wordTerms(token.text) : cjkTerms(token.text);
}

/** The distinct terms of a text, in order of first appearance, at most `max`. */
export function textTerms(text: string, max: number): string[] {
  const terms = new Set<string>();
  for (const token of textTokens(text.slice(0, MAX_INDEXED_CHARS))) {
    for (const t of tokenTerms(token)) {
      terms.add(t);
      if (terms.size >= max) return [...terms];
    }
  }
  return [...terms];
}

function prefixes(word: string): string[] {
  const out = [word];
  for (let n = MIN_PREFIX_LENGTH; n < word.length; n++) out.push(word.slice(0, n));
  return out;
}

/** The `from:`/`to:` tokens of an address: the address itself, its domain and its local part. */
export function addressTokens(prefix: string, email: string): string[] {
  const address = foldText(email.trim()).slice(0, 254);
  if (!address) return [];
  const at = address.lastIndexOf('@');
  const out = [prefix + address];
  if (at > 0) out.push(prefix + address.slice(at + 1), prefix + address.slice(0, at));
  return out;
}

/** What a ticket is found by from its subject and requester; stored whenever either is written. */
export function ticketSearchTerms(t: { subject: string; requester: { email: string; name?: string | null } }): string[] {
  const terms = new Set<string>();
  for (const term of textTerms(t.subject, MAX_SUBJECT_WORDS * 3)) {
    terms.add(term);
    terms.add(SUBJECT_PREFIX + term);
  }
  for (const word of [...searchWords(t.requester.name ?? ''), ...searchWords(t.requester.email)]) {
    for (const p of prefixes(word)) terms.add(p);
  }
  for (const token of addressTokens(FROM_PREFIX, t.requester.email)) terms.add(token);
  for (const word of searchWords(t.requester.name ?? '')) terms.add(FROM_PREFIX + word);
  return [...terms];
}

/**
 * What one message adds to its ticket's terms: the words of its text (the text part, or the text
 * mailparser made of the HTML; an internal note's text), its sender's `from:` tokens when a customer
 * wrote it, and its recipients' `to:` tokens. Bounded by {@link MAX_MESSAGE_TERMS}.
 */
export function messageSearchTerms(m: {
  text: string | null | undefined;
  from?: { address?: string | null; name?: string | null } | null;
  recipients?: ReadonlyArray<{ address?: string | null }>;
}): string[] {
  const terms = new Set<string>();
  if (m.from?.address) for (const token of addressTokens(FROM_PREFIX, m.from.address)) terms.add(token);
  for (const r of (m.recipients ?? []).slice(0, 20)) if (r.address) for (const token of addressTokens(TO_PREFIX, r.address)) terms.add(token);
  for (const term of textTerms(m.text ?? '', MAX_MESSAGE_TERMS)) {
    if (terms.size >= MAX_MESSAGE_TERMS + 63) break;
    terms.add(term);
  }
  return [...terms];
}
