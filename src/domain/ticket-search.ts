/**
 * Ticket search without a text index: each ticket stores a lower-cased `searchTerms` word list,
 * indexed as a multikey index, and a query word matches by equality against it. The terms are the
 * whole words of the subject and every prefix (from two characters) of each word of the requester's
 * name and email address, so "ali", "alice.sm" or "alice@exa" find alice.smith@example.com while
 * subject words match whole.
 */

/** Longer words are cut to this many characters, the same way when storing and when searching. */
export const MAX_TERM_LENGTH = 40;
/** Shorter prefixes than this are not stored (a one-letter word still is, whole). */
export const MIN_PREFIX_LENGTH = 2;
const MAX_SUBJECT_WORDS = 60;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Lower case without accents, so "José" and "jose" are the same word. Only the combining diacritics
 * block is dropped: other scripts' marks (the kana voicing mark in "が") change the letter.
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]+/g, '').normalize('NFC').toLowerCase();
}

/** The words of a text, folded and cut to {@link MAX_TERM_LENGTH}. */
export function searchWords(text: string): string[] {
  return (foldText(text).match(WORD) ?? []).map((w) => w.slice(0, MAX_TERM_LENGTH));
}

function prefixes(word: string): string[] {
  const out = [word];
  for (let n = MIN_PREFIX_LENGTH; n < word.length; n++) out.push(word.slice(0, n));
  return out;
}

/** What a ticket is found by; store it whenever the subject or requester is written. */
export function ticketSearchTerms(t: { subject: string; requester: { email: string; name?: string | null } }): string[] {
  const terms = new Set(searchWords(t.subject).slice(0, MAX_SUBJECT_WORDS));
  for (const word of [...searchWords(t.requester.name ?? ''), ...searchWords(t.requester.email)]) {
    for (const p of prefixes(word)) terms.add(p);
  }
  return [...terms];
}

/**
 * The words of a search, each of which a ticket's terms must contain. Longest first: the database
 * drives the lookup from the first one, and a longer word is usually the rarer one.
 */
export function searchQueryTerms(q: string): string[] {
  return [...new Set(searchWords(q))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}
