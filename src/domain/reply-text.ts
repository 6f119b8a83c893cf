/*
 * What a person wrote in a reply, without the mail it quotes. Threadline uses a small rule of its own
 * rather than a library (the maintained ones need a newer Node), and it errs on keeping text:
 * - it stops at the line that introduces the quoted mail: `On … wrote:` (also when the mail client
 *   wrapped it over two lines), `Le … a écrit :`, `-----Original Message-----`,
 *   `----- Message d'origine -----`, a forwarded-message line, Outlook's `From: … / Sent: …` header
 *   block (`De : … / Envoyé : …`) or its line of underscores;
 * - it stops at the signature separator (`-- `);
 * - it leaves out every line that starts with `>` (a quote, including in an answer written between
 *   quoted lines).
 */

/** The longest reply text kept (an internal note's own limit). */
export const MAX_REPLY_TEXT_CHARS = 100_000;

const ATTRIBUTION = /^(?:on\s.{0,300}\swrote\s*:?|le\s.{0,300}\sa\s+écrit\s*:?|am\s.{0,300}\sschrieb\s*:?)$/i;
/** The first line of an attribution wrapped by the mail client (`On Mon, 3 Mar 2026 at 10:00, Jane <jane@x.test>`). */
const ATTRIBUTION_START = /^(?:on|le)\s.{6,300}$/i;
const ATTRIBUTION_END = /^(?:.{0,120}\s)?(?:wrote|a\s+écrit)\s*:?$/i;
const SEPARATOR = /^(?:-{2,}\s*(?:original message|message d.origine|forwarded message|message transféré|mensaje original)\s*-{2,}|_{10,})$/i;
const HEADER_FROM = /^\*?(?:from|de)\s*:\*?\s.+$/i;
const HEADER_NEXT = /^\*?(?:sent|date|envoyé|to|à|subject|objet)\s*:\*?\s.*$/i;

/** Plain text of an HTML-only mail: quoted blocks, styles and scripts dropped, tags as spaces or line breaks. */
export function htmlToText(html: string): string {
  return html
    .slice(0, MAX_REPLY_TEXT_CHARS * 4)
    .replace(/<(style|script|head|blockquote)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<br\s*\/?>|<\/(?:p|div|li|tr|h\d)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/[ \t]+/g, ' ');
}

/** The new text of a reply (see the top of this file), trimmed; '' when it holds nothing new. */
export function replyText(mail: { text?: string | null; html?: string | null }): string {
  const source = mail.text?.trim() ? mail.text : mail.html ? htmlToText(mail.html) : '';
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (line === '-- ' || trimmed === '--') break;
    if (ATTRIBUTION.test(trimmed) || SEPARATOR.test(trimmed)) break;
    const next = (lines[i + 1] ?? '').trim();
    if (ATTRIBUTION_START.test(trimmed) && ATTRIBUTION_END.test(next)) break;
    if (HEADER_FROM.test(trimmed) && HEADER_NEXT.test(next)) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line.trimEnd());
  }
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim().slice(0, MAX_REPLY_TEXT_CHARS);
}

/** A short excerpt of a text for a notification: whitespace collapsed, at most `max` characters (an ellipsis marks a cut). */
export function excerptOf(text: string | null | undefined, max = 200): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
