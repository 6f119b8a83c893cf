/*
 * Mentions in internal notes. A person is mentioned by `@` and their handle: the part of their
 * email address before the `@`, lower-case (`@jane.doe` for Jane.Doe@example.com). When two people
 * who can see the ticket share that part, neither has it as a handle and each is mentioned by their
 * whole address (`@jane@example.com`); the whole address always works. A mention starts a word: the
 * `@` of an address written in the text (`bob@example.com`) mentions no one.
 */

/** Someone who may be mentioned on a ticket. */
export interface MentionCandidate {
  email: string;
}

/** `@` at the start of a word, then a handle or a whole address. */
const MENTION = /(?<![\p{L}\p{N}_.+@-])@([a-z0-9][a-z0-9._+-]*(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?)/giu;

const localPart = (email: string) => email.slice(0, Math.max(0, email.lastIndexOf('@'))).toLowerCase();

/** The handles written in a text, lower-case, each once, in order (trailing punctuation such as `@jane.` left out). */
export function parseMentions(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    const token = m[1]!.toLowerCase();
    found.add(token.includes('@') ? token : token.replace(/[._+-]+$/, ''));
  }
  found.delete('');
  return [...found];
}

/** Each person with their handle (see the top of this file): the local part when it is theirs alone, else the whole address. */
export function withHandles<T extends MentionCandidate>(people: readonly T[]): Array<T & { handle: string }> {
  const count = new Map<string, number>();
  for (const p of people) count.set(localPart(p.email), (count.get(localPart(p.email)) ?? 0) + 1);
  return people.map((p) => {
    const local = localPart(p.email);
    return { ...p, handle: local && count.get(local) === 1 ? local : p.email.toLowerCase() };
  });
}

/** The people a text mentions, among those who may be mentioned, each once, in the order of `people`. */
export function mentionedIn<T extends MentionCandidate>(text: string, people: readonly T[]): T[] {
  const tokens = new Set(parseMentions(text));
  if (tokens.size === 0) return [];
  const handles = withHandles(people);
  return people.filter((p, i) => tokens.has(handles[i]!.handle) || tokens.has(p.email.toLowerCase()));
}
