import { foldText, SUBJECT_PREFIX, textTokens, tokenTerms } from './ticket-search.js';

/**
 * Which knowledge base articles answer a customer's mail: the auto-reply's "these articles may help"
 * and the ticket page's "Matching articles". The mail's words are read once (subject first, then its
 * body), stemmed like the search (src/domain/ticket-search.ts), and each candidate article is scored
 * by the share of those words it holds, a word of the subject weighing twice a word of the body and a
 * word in the article's title counting twice a word of its body. Only articles at or above
 * {@link SUGGESTION_THRESHOLD} are suggested, so a mail about something else gets none.
 */

/** Bounds: the mail's words read, the articles scored, the articles suggested, the body characters read. */
export const SUGGESTION_LIMITS = { words: 16, candidates: 40, articles: 3, bodyChars: 4000 } as const;

/**
 * The lowest relevance suggested (see {@link suggestionRelevance}; 0 to 2). 0.5: half the mail's
 * weighted words are in the article's body, or a quarter of them in its title.
 */
export const SUGGESTION_THRESHOLD = 0.5;

/*
 * The words every mail has and no article is about: greetings, thanks, sign-offs, reply prefixes.
 * (Articles' own common words are left to the search's stop words.)
 */
const MAIL_NOISE = new Set(
  (
    're fw fwd tr aw hello hi hey dear thanks thank regards best kind please pls question help issue problem can could would ' +
    'bonjour bonsoir salut merci cordialement madame monsieur svp plait avance bonne journee soiree aide besoin question probleme souci'
  ).split(' '),
);

/** One distinct word of the mail: its terms (stems, as stored on articles) and whether the subject holds it. */
export interface MailWord {
  terms: readonly string[];
  subject: boolean;
}

/** Links, addresses and numbers say nothing of what a mail is about. */
const NOT_WORDS = /\b(?:https?:\/\/|www\.)\S+|\S+@\S+|\[#\d+\]/gi;
const NUMBER = /^[\p{N}]+$/u;

/**
 * The distinct meaningful words of a mail, subject first, at most `max`: stop words, greetings,
 * sign-offs, numbers, links, addresses and the words of `ignore` (the writer's name) left out; only
 * the first {@link SUGGESTION_LIMITS.bodyChars} characters of the body read.
 */
export function mailWords(subject: string, body: string, max: number = SUGGESTION_LIMITS.words, ignore: readonly string[] = []): MailWord[] {
  const out: MailWord[] = [];
  const seen = new Set<string>();
  const ignored = new Set(ignore.flatMap((text) => textTokens(text).map((t) => foldText(t.text))));
  const add = (text: string, inSubject: boolean) => {
    for (const token of textTokens(text.replace(NOT_WORDS, ' '))) {
      if (out.length >= max) return;
      const folded = foldText(token.text);
      if (token.kind === 'word' && (MAIL_NOISE.has(folded) || ignored.has(folded) || NUMBER.test(folded))) continue;
      const terms = tokenTerms(token);
      const key = terms.join('|');
      if (terms.length === 0 || seen.has(key)) continue;
      seen.add(key);
      out.push({ terms, subject: inSubject });
    }
  };
  add(subject, true);
  add(body.slice(0, SUGGESTION_LIMITS.bodyChars), false);
  return out;
}

/** Every term of the words (what a candidate must hold one of), and the same as title terms. */
export function suggestionTerms(words: readonly MailWord[]): { any: string[]; title: string[] } {
  const any = [...new Set(words.flatMap((w) => w.terms))];
  return { any, title: any.map((t) => SUBJECT_PREFIX + t) };
}

/**
 * How well an article (its stored search terms) answers the mail's words: the weighted share of the
 * words it holds, a subject word weighing 2 and a body word 1, each counted twice when the article's
 * title holds it. 0 (nothing in common) to 2 (every word in its title); 0 for a mail without words.
 */
export function suggestionRelevance(words: readonly MailWord[], articleTerms: ReadonlySet<string>): number {
  let total = 0;
  let held = 0;
  for (const word of words) {
    const weight = word.subject ? 2 : 1;
    total += weight;
    if (word.terms.some((t) => articleTerms.has(SUBJECT_PREFIX + t))) held += 2 * weight;
    else if (word.terms.some((t) => articleTerms.has(t))) held += weight;
  }
  return total === 0 ? 0 : held / total;
}

/**
 * The articles to suggest, best first: those at or above the threshold, by relevance (ties keep the
 * candidates' order), at most `limit`.
 */
export function pickSuggestions<A extends { searchTerms: readonly string[] }>(
  words: readonly MailWord[],
  candidates: readonly A[],
  limit: number = SUGGESTION_LIMITS.articles,
  threshold: number = SUGGESTION_THRESHOLD,
): Array<A & { relevance: number }> {
  return candidates
    .map((a, index) => ({ a, index, relevance: suggestionRelevance(words, new Set(a.searchTerms)) }))
    .filter((s) => s.relevance >= threshold)
    .sort((x, y) => y.relevance - x.relevance || x.index - y.index)
    .slice(0, limit)
    .map((s) => ({ ...s.a, relevance: s.relevance }));
}
