import { KB_LIMITS } from './kb-articles.js';
import { replyText } from './reply-text.js';

/**
 * "Create article from this ticket": a draft article made of a conversation (the customer's question
 * and the agents' answers), with what would identify the customer taken out: their name, every
 * email address and every phone number. Quoted earlier mail and signatures are left out the way a
 * reply's new text is read (src/domain/reply-text.ts).
 */

/** What replaces what was taken out, in the article's language. */
export interface AnonymiseLabels {
  name: string;
  email: string;
  phone: string;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/*
 * A phone number candidate: an optional `+` or `00`, then digits, with spaces, dots, dashes, slashes
 * or parentheses between them, not glued to a word. Which candidates are numbers is decided by
 * {@link looksLikePhone}.
 */
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}+])(?:\+|\(\+?)?\d(?:[ \t.\-/()]{0,3}\d){6,}(?![\p{L}\p{N}])/gu;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DOTTED_DATE = /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;

/**
 * Whether a run of digits and separators is a phone number rather than an amount, a date or an
 * order number: 8 to 15 digits, and written like one: international (`+33 6…`, `0033 6…`,
 * `+1 (555) …`), national with a leading 0 (`06 12 34 56 78`, `0612345678`, `020 7946 0958`), with
 * an area code in parentheses, or grouped like North American numbers (`555-123-4567`).
 */
export function looksLikePhone(candidate: string): boolean {
  const text = candidate.trim();
  const digits = text.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15) return false;
  if (ISO_DATE.test(text) || DOTTED_DATE.test(text)) return false;
  if (text.startsWith('+') || text.startsWith('(+') || digits.startsWith('00')) return true;
  if (/\(\d{1,5}\)/.test(text)) return true;
  if (/^\d{3}[ .-]\d{3}[ .-]\d{4}$/.test(text)) return true;
  // A national number: a trunk 0, then 9 or 10 digits in all (France: 0X XX XX XX XX).
  return digits.startsWith('0') && digits.length >= 9 && digits.length <= 11;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The text with the customer's name (whole, and each part of three letters or more, as whole words,
 * any case), email addresses and phone numbers replaced by the labels.
 */
export function anonymiseText(text: string, customer: { name?: string | null; email?: string | null }, labels: AnonymiseLabels): string {
  let out = text.replace(EMAIL, labels.email);
  if (customer.email) out = out.replace(new RegExp(escapeRegExp(customer.email), 'giu'), labels.email);
  out = out.replace(PHONE_CANDIDATE, (m) => (looksLikePhone(m) ? labels.phone : m));
  const name = (customer.name ?? '').replace(/["<>]/g, ' ').replace(/\s+/g, ' ').trim();
  // The whole name first, then its parts (longest first, so "Marie-Claire" goes before "Marie").
  const parts = name ? [name, ...name.split(/[\s,]+/).filter((p) => [...p].length >= 3)].sort((a, b) => b.length - a.length) : [];
  for (const part of [...new Set(parts)]) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(part)}(?![\\p{L}\\p{N}])`, 'giu'), labels.name);
  }
  // "[name] [name]" (first and last name replaced one by one) reads as one.
  const twice = new RegExp(`${escapeRegExp(labels.name)}(?:[ \\t]+${escapeRegExp(labels.name)})+`, 'g');
  return out.replace(twice, labels.name);
}

/** One entry of the conversation as the draft reads it. */
export interface ConversationEntry {
  direction: 'inbound' | 'outbound' | 'note';
  text: string | null;
  html: string | null;
}

/** The words of the draft that are not the conversation's, in the article's language. */
export interface DraftWords extends AnonymiseLabels {
  question: string;
  answer: string;
  untitled: string;
}

const SUBJECT_NOISE = /^(?:\s*(?:re|fw|fwd|tr|aw|wg)\s*(?:\[\d+\])?\s*:\s*)+/i;

/**
 * The draft article of a conversation: its title from the subject (reply prefixes and the ticket
 * token removed), its Markdown body the customer's first mail under a "question" heading and the
 * agents' replies under an "answer" heading, each without quoted mail or signature, all without the
 * customer's name, addresses or phone numbers; cut to the article limits. Notes are left out.
 */
export function articleDraftOf(
  ticket: { subject: string; requester: { name?: string | null; email: string } },
  conversation: readonly ConversationEntry[],
  words: DraftWords,
): { title: string; body: string } {
  const clean = (text: string) => anonymiseText(text, ticket.requester, words);
  const subject = ticket.subject.replace(/\[#\d{1,12}\]/g, ' ').replace(SUBJECT_NOISE, '').replace(/\s+/g, ' ').trim();
  const title = (clean(subject) || words.untitled).slice(0, KB_LIMITS.title).trim();
  const question = conversation.find((m) => m.direction === 'inbound');
  const answers = conversation.filter((m) => m.direction === 'outbound').map((m) => replyText(m)).filter((t) => t !== '');
  const sections: string[] = [];
  const asked = question ? replyText(question) : '';
  if (asked) sections.push(`## ${words.question}\n\n${clean(asked)}`);
  if (answers.length) sections.push(`## ${words.answer}\n\n${answers.map(clean).join('\n\n')}`);
  const body = sections.join('\n\n').slice(0, KB_LIMITS.body);
  return { title, body: body || title };
}
