import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * An article's Markdown as the HTML readers get: rendered with marked (GitHub-flavoured), then
 * cleaned with a strict allow-list, so neither Markdown nor raw HTML in it can run code, style the
 * page or reach elsewhere than a link or an image would. Done once when an article is saved; the
 * pages show the stored HTML.
 */

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED_TAGS = [
  'p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'a', 'img', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'kbd', 'sup', 'sub',
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  // Links: http(s) and mailto; images: https only. Relative addresses (no scheme) are kept for both.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'iframe', 'object', 'embed', 'svg', 'math', 'template'],
  transformTags: {
    // Outside links neither learn where the reader came from nor get a handle on the page.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** The sanitized HTML of an article's Markdown. */
export function renderKbMarkdown(markdown: string): string {
  const raw = marked.parse(markdown) as string;
  return sanitizeHtml(raw, OPTIONS).trim();
}

/** The text of rendered HTML (for excerpts): tags dropped, entities decoded. */
export function htmlToPlainText(html: string): string {
  const text = sanitizeHtml(html.replace(/<\/(p|h\d|li|tr|pre|blockquote)>/gi, '$& '), { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
