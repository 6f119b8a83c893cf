import { convert, type HtmlToTextOptions } from 'html-to-text';

/** The reply HTML longest converted; longer input is cut (a reply's HTML is at most 2 MB, usually a few KB). */
const MAX_HTML_CHARS = 4_000_000;

const OPTIONS: HtmlToTextOptions = {
  // Lines as the writer broke them: mail clients wrap plain text themselves.
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    // `text [url]`, or the URL alone when it is the text (`mailto:` shown without its scheme).
    { selector: 'a', options: { linkBrackets: ['[', ']'], hideLinkIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'ol', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    // The editor writes list items as paragraphs: one line each, not a blank line apart.
    { selector: 'li > p', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
};

/**
 * The plain-text version of a reply's (sanitized) HTML, for the text/plain part of the mail and the
 * conversation: paragraphs a blank line apart, links as `text [url]`, list items with `- ` (or their
 * number), quotes with `> `, images left out, lines without trailing blanks.
 */
export function htmlToPlainText(html: string): string {
  const text = convert(html.slice(0, MAX_HTML_CHARS), OPTIONS);
  return text
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    // A link whose text is its address once (`https://x.test`, not `https://x.test [https://x.test]`).
    .replace(/ \[([^\]\s]{1,2048})\]/g, (whole, url: string, at: number, all: string) => (all.slice(at - url.length, at) === url ? '' : whole))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
