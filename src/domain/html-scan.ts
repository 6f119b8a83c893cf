/**
 * Linear scans of untrusted HTML: how deeply it nests, to decide whether the full HTML tools may run
 * on it (their cost grows with the square of the depth), and its words as plain text for when they
 * may not. Each looks at every character a bounded number of times and builds no tree.
 */

/**
 * The deepest nesting the HTML tools (sanitizer, HTML-to-text) are given: the sanitizer takes well
 * under 100 ms there, and real mail stays below, even one that never closes its `<font>` tags. Deeper
 * HTML is shown as text.
 */
export const MAX_HTML_NESTING = 5000;

/** Elements without content: their opening tag nests nothing. */
const VOID_ELEMENTS = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

/** Elements an HTML parser closes by itself when the next one of their kind opens: a run of them nests nothing. */
const RUN_ELEMENTS = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'thead', 'tbody', 'tfoot', 'colgroup', 'rp', 'rt']);

/** Elements that start a new line in the text of a mail. */
const LINE_ELEMENTS = new Set([
  'address', 'article', 'blockquote', 'br', 'center', 'dd', 'div', 'dl', 'dt', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header',
  'hr', 'li', 'ol', 'p', 'pre', 'section', 'table', 'tr', 'ul',
]);

/** Elements whose content is not text a person wrote. */
const HIDDEN_ELEMENTS = new Set(['head', 'script', 'style', 'template', 'title', 'xml']);

const isNameStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isNameChar = (c: number) => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x3a;

interface TagAt {
  /** Lower-case element name; '' for a comment, doctype or processing instruction. */
  name: string;
  closing: boolean;
  /** Index just past the tag's `>`. */
  end: number;
}

/** The tag starting at `at` (a `<`), null when that `<` is text, or 'open-ended' when the rest has no `>`. */
function tagAt(html: string, at: number): TagAt | null | 'open-ended' {
  const next = html.charCodeAt(at + 1);
  if (next === 0x21 || next === 0x3f) {
    const comment = html.startsWith('<!--', at);
    const end = comment ? html.indexOf('-->', at + 4) : html.indexOf('>', at + 2);
    if (end < 0) return 'open-ended';
    return { name: '', closing: false, end: end + (comment ? 3 : 1) };
  }
  const closing = next === 0x2f;
  const start = closing ? at + 2 : at + 1;
  if (!isNameStart(html.charCodeAt(start))) return null;
  let stop = start + 1;
  while (stop < html.length && isNameChar(html.charCodeAt(stop))) stop++;
  const end = html.indexOf('>', stop);
  if (end < 0) return 'open-ended';
  return { name: html.slice(start, stop).toLowerCase(), closing, end: end + 1 };
}

/**
 * How deeply the elements of `html` nest, as an HTML parser would build them (closely enough to bound
 * its cost): opening tags count, closing tags uncount, empty elements and runs of paragraphs, list
 * items and table cells do not. Stops counting once the depth passes `stopAbove`.
 */
export function htmlNestingDepth(html: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let at = html.indexOf('<');
  while (at >= 0) {
    const tag = tagAt(html, at);
    if (tag === 'open-ended') break;
    if (tag === null) {
      at = html.indexOf('<', at + 1);
      continue;
    }
    if (tag.name && !VOID_ELEMENTS.has(tag.name) && !RUN_ELEMENTS.has(tag.name)) {
      if (tag.closing) depth = Math.max(0, depth - 1);
      else if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    }
    at = html.indexOf('<', tag.end);
  }
  return deepest;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', bull: '•', middot: '·', euro: '€', pound: '£', yen: '¥', cent: '¢', deg: '°',
};

function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  });
}

/**
 * The words of `html` as plain text, for showing a mail whose HTML is too costly to render: tags go,
 * block elements become line breaks, scripts, styles and comments vanish, common entities are decoded
 * and blank runs collapse. Cruder than a real converter, but linear in the length of the input.
 */
export function plainTextOfHtml(html: string): string {
  const lower = html.toLowerCase();
  const parts: string[] = [];
  let from = 0;
  let at = html.indexOf('<');
  while (at >= 0) {
    const tag = tagAt(html, at);
    if (tag === null) {
      at = html.indexOf('<', at + 1);
      continue;
    }
    parts.push(html.slice(from, at));
    if (tag === 'open-ended') {
      from = html.length;
      break;
    }
    from = tag.end;
    if (!tag.closing && HIDDEN_ELEMENTS.has(tag.name)) {
      const close = lower.indexOf(`</${tag.name}`, tag.end);
      const closeEnd = close < 0 ? -1 : html.indexOf('>', close);
      from = closeEnd < 0 ? html.length : closeEnd + 1;
    } else if (LINE_ELEMENTS.has(tag.name)) parts.push('\n');
    else if (tag.name === 'td' || tag.name === 'th') parts.push(' ');
    at = html.indexOf('<', from);
  }
  parts.push(html.slice(from));
  return decodeEntities(parts.join(''))
    .replace(/[ \t\f\v\r\u00a0]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
