/**
 * Lexing of Message-ID / In-Reply-To / References values into candidate ids. Old clients write
 * In-Reply-To as prose around the id, and some of that prose names the author of the answered
 * message, whose address must not be mistaken for an id:
 * - nmh / exmh / MH-E: `Message from Jane Roe <jane@example.org> of "Tue, 03 Mar 2026 10:52:13 CST." <id@host>`
 * - mutt (its old `in_reply_to` format): `<id@host>; from jane@example.org on Tue, Mar 03, 2026 at 10:52:13AM`
 * - Elm: `<id@host> from jane@example.org at Mar 3, 26 10:52 am`
 * - Gnus / old Emacs mail: `jane@example.org's message of Tue, 3 Mar 2026 <id@host>`
 */

/** One `<...>` token or one bare `local@domain` word of a message-id header value. */
export interface IdToken {
  /** Offset in the value, for ordering. */
  at: number;
  /** The token without its angle brackets, whitespace (broken folding) left in. */
  text: string;
  /** In angle brackets, or touching a lone `<` or `>` (an id that lost a bracket to truncation). */
  bracketed: boolean;
  /** Names the answered message's author in a reply phrase: never an id. */
  phrase: boolean;
}

/** Words that end the name after `from`: `of "date"` (MH), `on date` (mutt), `at date` (Elm). */
const NAME_END = new Set(['of', 'on', 'at', 'dated', 'sent', 'wrote']);

/** A name longer than this after `from` is prose that merely contains the word. */
const MAX_NAME_WORDS = 6;

/**
 * The candidate tokens of one header value whose comments and quoted strings are already blanked
 * out, in order. A token right after `from` and a name (no date in between), and a token followed
 * by `'s`, are marked as phrase; words without an `@` are not returned.
 */
export function idTokens(text: string): IdToken[] {
  const tokens: IdToken[] = [];
  let nameWords = -1; // ≥ 0 while reading the name after `from`
  for (const m of text.matchAll(/<[^<>]*>|[^\s,;<>]+|[;<>]/g)) {
    const lexeme = m[0];
    const at = m.index ?? 0;
    if (lexeme === '<' || lexeme === '>') continue;
    if (lexeme === ';') {
      nameWords = -1;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    if (/^['’]s$/i.test(lexeme)) {
      // `<jane@example.org>'s message of ...`
      if (previous?.bracketed && text[at - 1] === '>') previous.phrase = true;
      continue;
    }
    const bracketed = lexeme.startsWith('<');
    const inner = bracketed ? lexeme.slice(1, -1) : lexeme;
    if (!bracketed && !inner.includes('@')) {
      const word = inner.toLowerCase();
      if (/^from:?$/.test(word)) nameWords = 0;
      // A digit means a date has begun: `Your message from Tue, 3 Mar 2026 <id@host>` names nobody.
      else if (nameWords >= 0 && (NAME_END.has(word) || /\d/.test(word) || ++nameWords > MAX_NAME_WORDS)) nameWords = -1;
      continue;
    }
    tokens.push({
      at,
      text: inner,
      bracketed: bracketed || text[at - 1] === '<' || text[at + lexeme.length] === '>',
      phrase: nameWords >= 0 || (!bracketed && /['’]s$/i.test(inner)),
    });
    nameWords = -1;
  }
  return tokens;
}
