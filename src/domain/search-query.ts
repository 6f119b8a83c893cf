import { TICKET_STATUSES, type TicketStatus } from './ticket-status.js';
import {
  FROM_PREFIX,
  MIN_PREFIX_LENGTH,
  SUBJECT_PREFIX,
  TO_PREFIX,
  foldText,
  searchWords,
  textTokens,
  tokenTerms,
  type TextToken,
} from './ticket-search.js';

/**
 * A ticket search as typed in the list's search box, parsed: words (stemmed like the stored terms),
 * `"exact phrases"`, `-excluded` words and the operators `from:`, `to:`, `tag:`, `status:` and
 * `team:`. The last word typed (no space after it) also matches as the start of a word.
 */

/** One condition on a ticket's terms: it holds one of `anyOf`, or a term starting with `prefix`. */
export type TermCondition = { anyOf: string[]; prefix?: undefined } | { prefix: string; anyOf?: undefined };

/** A parsed search. Every list is empty when the search has none of it. */
export interface SearchQuery {
  /** Conditions on the text's terms (subject, bodies, notes, requester): each must hold. */
  words: TermCondition[];
  /** Conditions on `from:`/`to:` tokens: each must hold. */
  people: TermCondition[];
  /** Terms none of which a ticket may hold (`-word`). */
  excluded: string[];
  /** Phrases (as folded words) a ticket's subject or one message must hold word for word. */
  phrases: string[][];
  /** Phrases a ticket must not hold (`-"…"`). */
  excludedPhrases: string[][];
  /** Tags every ticket must have / must not have (`tag:`, `-tag:`). */
  tags: string[];
  excludedTags: string[];
  /** `status:` values (any of them), `-status:` values (none of them). */
  statuses: TicketStatus[];
  excludedStatuses: TicketStatus[];
  /** `team:` names, folded: the ticket's team's name starts with one of them. */
  teams: string[];
}

/** Why a search was refused, as a code the edges turn into words. */
export type SearchQueryProblem = 'noWord' | 'commonWordsOnly' | 'tooManyWords' | 'unknownStatus' | 'negatedOperator' | 'emptyOperator';

/** A search that cannot run, with the offending value. */
export class SearchQueryError extends Error {
  constructor(
    readonly problem: SearchQueryProblem,
    readonly value: string,
  ) {
    super(`search: ${problem} (${value})`);
  }
}

/** More term conditions than this are refused (each is one more check per candidate ticket). */
export const MAX_SEARCH_CONDITIONS = 12;
const PREFIX_END = String.fromCodePoint(0x10ffff);

/* Status names a team types, English and French (folded), to the stored statuses. */
const STATUS_NAMES: Record<string, TicketStatus> = {
  ...Object.fromEntries(TICKET_STATUSES.map((s) => [s, s])),
  nouveau: 'new',
  nouvelle: 'new',
  ouvert: 'open',
  ouverte: 'open',
  attente: 'pending',
  'en-attente': 'pending',
  'en attente': 'pending',
  partner: 'with_partner',
  'with-partner': 'with_partner',
  'with partner': 'with_partner',
  partenaire: 'with_partner',
  'chez-le-partenaire': 'with_partner',
  'chez le partenaire': 'with_partner',
  resolu: 'solved',
  resolue: 'solved',
  ferme: 'closed',
  fermee: 'closed',
};

const OPERATORS = new Set(['from', 'to', 'tag', 'status', 'team']);
/* A token: optional "-", optional "name:", then a quoted phrase (closing quote optional) or a bare word. */
const TOKEN = /(-?)(?:([a-z]+):)?(?:"([^"]*)"?|(\S+))/giu;

/** The exclusive upper bound of a prefix range: every string starting with `prefix` sorts below it. */
export function prefixRangeEnd(prefix: string): string {
  return prefix + PREFIX_END;
}

/** Parses a search; throws {@link SearchQueryError} for one that cannot run. */
export function parseSearchQuery(q: string): SearchQuery {
  const out: SearchQuery = { words: [], people: [], excluded: [], phrases: [], excludedPhrases: [], tags: [], excludedTags: [], statuses: [], excludedStatuses: [], teams: [] };
  const endsInWord = /[^\s"]$/u.test(q);
  const matches = [...q.matchAll(TOKEN)];
  matches.forEach((m, i) => {
    const negated = m[1] === '-';
    const op = m[2]?.toLowerCase();
    const quoted = m[3];
    const value = quoted ?? m[4] ?? '';
    const last = i === matches.length - 1 && endsInWord && quoted === undefined;
    if (op && OPERATORS.has(op)) return addOperator(out, op, value, negated);
    // "word:thing" that is no operator (a time "10:30", "re:") is plain text.
    const text = op ? `${m[2]}:${value}` : value;
    if (quoted !== undefined) return addPhrase(out, text, negated);
    const tokens = textTokens(text);
    if (negated) {
      for (const t of tokens) out.excluded.push(...tokenTerms(t));
      return;
    }
    tokens.forEach((t, j) => out.words.push(...conditionsOf(t, last && j === tokens.length - 1)));
  });
  out.words = dedupe(out.words);
  if (out.words.length + out.people.length > MAX_SEARCH_CONDITIONS) throw new SearchQueryError('tooManyWords', q);
  const filters = out.tags.length + out.excludedTags.length + out.statuses.length + out.excludedStatuses.length + out.teams.length;
  if (out.words.length + out.people.length + out.excluded.length + filters === 0) throw new SearchQueryError(searchWords(q).length > 0 ? 'commonWordsOnly' : 'noWord', q);
  return out;
}

function addOperator(out: SearchQuery, op: string, raw: string, negated: boolean): void {
  const value = foldText(raw.trim());
  if (!value) throw new SearchQueryError('emptyOperator', `${op}:`);
  if (op === 'status') {
    const status = STATUS_NAMES[value];
    if (!status) throw new SearchQueryError('unknownStatus', raw);
    (negated ? out.excludedStatuses : out.statuses).push(status);
    return;
  }
  if (op === 'tag') {
    (negated ? out.excludedTags : out.tags).push(raw.trim().toLowerCase().slice(0, 50));
    return;
  }
  if (negated) throw new SearchQueryError('negatedOperator', `-${op}:`);
  if (op === 'team') out.teams.push(value);
  else out.people.push({ prefix: (op === 'from' ? FROM_PREFIX : TO_PREFIX) + value.slice(0, 254) });
}

function addPhrase(out: SearchQuery, text: string, negated: boolean): void {
  const words = searchWords(text);
  if (words.length === 0) return;
  if (negated) {
    out.excludedPhrases.push(words);
    return;
  }
  out.phrases.push(words);
  for (const t of textTokens(text)) out.words.push(...conditionsOf(t, false));
}

/*
 * The conditions of one token. A CJK run needs each of its bigrams. A word needs one of its stems;
 * typed last, it may also be the start of a longer word: then the condition is a range over every
 * term starting with what the word and its stems share ("invoi" → invoi…, "invoices" → invoic…).
 */
function conditionsOf(token: TextToken, asPrefix: boolean): TermCondition[] {
  const terms = tokenTerms(token);
  if (token.kind === 'cjk') return terms.map((t) => ({ anyOf: [t] }));
  if (asPrefix) {
    const folded = foldText(token.text);
    const shared = terms.reduce((p, t) => commonPrefix(p, t), folded);
    if (shared.length >= MIN_PREFIX_LENGTH + 1 && !/^\p{N}+$/u.test(folded)) return [{ prefix: shared }];
  }
  return [{ anyOf: [...terms] }];
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

function dedupe(conds: TermCondition[]): TermCondition[] {
  const seen = new Set<string>();
  return conds.filter((c) => {
    const key = c.prefix !== undefined ? `p:${c.prefix}` : `a:${[...c.anyOf].sort().join(' ')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The same conditions on the subject's terms (`s:`), for ranking subject matches first. */
export function subjectConditions(words: readonly TermCondition[]): TermCondition[] {
  return words.map((c) => (c.prefix !== undefined ? { prefix: SUBJECT_PREFIX + c.prefix } : { anyOf: c.anyOf.map((t) => SUBJECT_PREFIX + t) }));
}

/**
 * Whether a text holds the phrase's words one after the other (accents, case and punctuation
 * ignored). CJK text has no spaces between words, so a phrase in it may start or end inside a run.
 */
export function holdsPhrase(text: string, phrase: readonly string[]): boolean {
  if (phrase.length === 0) return true;
  const joined = ` ${searchWords(text).join(' ')} `;
  const wanted = phrase.join(' ');
  return HAS_CJK_CHAR.test(wanted) ? joined.includes(wanted) : joined.includes(` ${wanted} `);
}

const HAS_CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
