/*
 * The quoted history of an agent's reply: the customer's previous mail below the reply, as mail
 * clients quote it. The text part gets the attribution line and `> `-prefixed lines; the HTML part
 * gets the attribution in a paragraph and the mail in a `<blockquote type="cite">`. The HTML is built
 * from the escaped text only, so nothing the customer wrote ever reaches the mail as markup.
 */
import { htmlToText } from './reply-text.js';

/** The most characters of the customer's mail quoted; a longer mail is cut and ends with `…`. */
export const MAX_QUOTED_CHARS = 20_000;

/** The quote to add below a reply, in both parts. */
export interface QuotedHistory {
  text: string;
  html: string;
}

/** The mail to quote as stored: its text, else the text of its sanitized HTML; null when it holds nothing. */
export function quotableText(mail: { text?: string | null; html?: string | null }, max = MAX_QUOTED_CHARS): string | null {
  const fromHtml = !mail.text?.trim();
  const source = fromHtml ? (mail.html ? htmlToText(mail.html) : '') : mail.text!;
  const text = source
    .replace(/\r\n?/g, '\n')
    .split('\n')
    // The text of HTML keeps the spaces its tags left at line starts: no indentation of the writer's.
    .map((line) => (fromHtml ? line.trim() : line.trimEnd()))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text === '') return null;
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Text safe inside HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Each line prefixed with `> ` (an empty line with `>`), as plain-text mail quotes. */
export function quoteLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

/**
 * The quote of one mail: `attribution` is the line introducing it, already in the customer's language
 * ("On <date>, <name> wrote:"); `text` the mail's text (see {@link quotableText}). Both are escaped in the HTML.
 */
export function buildQuotedHistory(attribution: string, text: string): QuotedHistory {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((block) => `<p style="margin:0 0 12px 0;">${block.split('\n').map(escapeHtml).join('<br>')}</p>`)
    .join('');
  return {
    text: `${attribution}\n${quoteLines(text)}`,
    html:
      `<div class="tl-quoted-history" style="margin:16px 0 0 0;"><p style="margin:0 0 8px 0;color:#6b7280;">${escapeHtml(attribution)}</p>` +
      `<blockquote type="cite" style="margin:0 0 0 4px;padding:0 0 0 12px;border-left:3px solid #d1d5db;color:#4b5563;">${paragraphs}</blockquote></div>`,
  };
}

/**
 * A mail with the quote below it: after the text part's last line (a blank line between), and in the
 * HTML part before `</body>` when the HTML is a whole document, else at its end. No HTML part stays none.
 */
export function withQuotedHistory(mail: { text: string; html: string | null }, quote: QuotedHistory): { text: string; html: string | null } {
  const text = mail.text.trim() ? `${mail.text.trimEnd()}\n\n${quote.text}\n` : `${quote.text}\n`;
  if (mail.html === null) return { text, html: null };
  const end = mail.html.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  const html = end === -1 ? `${mail.html}${quote.html}` : `${mail.html.slice(0, end)}${quote.html}${mail.html.slice(end)}`;
  return { text, html };
}
