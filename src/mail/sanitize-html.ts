import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sanitizeHtml, { type Attributes, type IOptions, type Tag } from 'sanitize-html';

/** Options for {@link sanitizeEmailHtml}. */
export interface SanitizeEmailHtmlOptions {
  /** Keep `http(s)` image sources; by default they move to `data-remote-src` (tracking pixels). */
  allowRemoteImages?: boolean;
}

/** Sanitised HTML plus how many remote images were held back. */
export interface SanitizedEmailHtml {
  html: string;
  blockedRemoteImages: number;
}

const ALLOWED_TAGS = [
  'p', 'div', 'span', 'br', 'b', 'i', 'u', 'strong', 'em', 's', 'strike', 'del', 'ins', 'small', 'big',
  'sub', 'sup', 'mark', 'abbr', 'cite', 'q', 'tt', 'kbd', 'samp', 'var', 'address', 'a', 'img', 'font', 'center',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'code', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
];

/**
 * Tags dropped together with everything inside them. Not `head`: an unclosed `<head>` would take
 * the whole message with it, and what it holds (title, style, meta, link) goes anyway.
 */
const DROP_WITH_CONTENT = [
  'script', 'style', 'textarea', 'option', 'select', 'noscript', 'title', 'xml', 'template',
  'iframe', 'frame', 'frameset', 'noframes', 'object', 'embed', 'applet', 'noembed', 'svg', 'math',
];

const CELL = ['width', 'height', 'align', 'valign', 'bgcolor', 'colspan', 'rowspan', 'nowrap', 'style'];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['style', 'title', 'dir', 'align'],
  a: ['href', 'rel', 'target'],
  img: ['src', 'data-remote-src', 'alt', 'width', 'height', 'border', 'hspace', 'vspace'],
  font: ['color', 'face', 'size'],
  table: ['width', 'height', 'bgcolor', 'border', 'cellpadding', 'cellspacing', 'valign', 'summary'],
  tr: ['height', 'valign', 'bgcolor'],
  td: CELL,
  th: CELL,
  col: ['span', 'width', 'valign'],
  colgroup: ['span', 'width', 'valign'],
  thead: ['valign'],
  tbody: ['valign'],
  tfoot: ['valign'],
  hr: ['width', 'size', 'noshade', 'color'],
  ol: ['start', 'type'],
  ul: ['type'],
  li: ['value', 'type'],
};

/** Presentational attribute values: colours, sizes, font names. No quotes, parentheses or colons. */
const PLAIN_ATTRIBUTE_VALUE = /^[#\w\s.,%+-]*$/;
const PLAIN_ATTRIBUTES = new Set([
  'width', 'height', 'align', 'valign', 'bgcolor', 'border', 'cellpadding', 'cellspacing', 'color', 'face',
  'size', 'span', 'colspan', 'rowspan', 'hspace', 'vspace', 'start', 'type', 'value', 'dir',
]);

// CSS values: no functions except colour functions, no escapes (`\75rl(` is `url(`), no comments.
// Numbers are written without overlapping quantifiers so a long value cannot make them backtrack.
const NUMBER = '(?:\\d+(?:\\.\\d+)?|\\.\\d+)';
const UNIT = '(?:px|pt|em|rem|ex|%|cm|mm|in)?';
const LENGTH = `(?:auto|-?${NUMBER}${UNIT})`;
const POSITIVE = `(?:auto|${NUMBER}${UNIT})`;
const LENGTHS = new RegExp(`^${LENGTH}(?:\\s+${LENGTH}){0,3}$`, 'i');
const NON_NEGATIVE = new RegExp(`^${POSITIVE}(?:\\s+${POSITIVE}){0,3}$`, 'i');
const COLOR = /^(?:#[0-9a-f]{3,8}|[a-z]+|rgba?\(\s*[\d.\s,%]+\)|hsla?\(\s*[\d.\s,%deg]+\))$/i;
const WORDS = /^[a-z][a-z\s-]*$/i;
const FONT_NAMES = /^[\w\s,'"-]+$/;
const FONT = /^[\w\s,.'"%/-]+$/;
const BORDER = /^(?:[\w\s.%#-]|rgba?\([\d.\s,%]+\))+$/i;

const ALLOWED_STYLES: Record<string, RegExp[]> = {
  color: [COLOR],
  'background-color': [COLOR],
  background: [COLOR],
  font: [FONT],
  'font-family': [FONT_NAMES],
  'font-size': [NON_NEGATIVE, WORDS],
  'font-weight': [/^(?:normal|bold|bolder|lighter|[1-9]00)$/i],
  'font-style': [/^(?:normal|italic|oblique)$/i],
  'font-variant': [WORDS],
  'text-align': [/^(?:left|right|center|justify|start|end)$/i],
  'text-decoration': [WORDS],
  'text-transform': [WORDS],
  'text-indent': [LENGTHS],
  'letter-spacing': [LENGTHS, /^normal$/i],
  'vertical-align': [/^(?:baseline|top|middle|bottom|sub|super|text-top|text-bottom)$/i, LENGTHS],
  'white-space': [/^(?:normal|nowrap|pre|pre-wrap|pre-line)$/i],
  'line-height': [NON_NEGATIVE, /^normal$/i],
  display: [/^(?:none|block|inline|inline-block)$/i],
  width: [NON_NEGATIVE],
  height: [NON_NEGATIVE],
  'max-width': [NON_NEGATIVE, /^none$/i],
  'min-width': [NON_NEGATIVE],
  'max-height': [NON_NEGATIVE, /^none$/i],
  'min-height': [NON_NEGATIVE],
  'list-style-type': [WORDS],
  'border-collapse': [/^(?:collapse|separate)$/i],
  'border-spacing': [NON_NEGATIVE],
};
// Negative margins would let a message draw over the page around it.
for (const side of ['', '-top', '-right', '-bottom', '-left']) {
  ALLOWED_STYLES[`margin${side}`] = [NON_NEGATIVE];
  ALLOWED_STYLES[`padding${side}`] = [NON_NEGATIVE];
  ALLOWED_STYLES[`border${side}`] = [BORDER];
  for (const part of ['-width', '-style', '-color']) ALLOWED_STYLES[`border${side}${part}`] = [BORDER];
}
ALLOWED_STYLES['border-radius'] = [NON_NEGATIVE];

/** Browsers ignore tabs, newlines and control characters inside URLs (`jav&#x09;ascript:`). */
function compactUrl(value: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return (value ?? '').replace(/[\x00-\x20\x7f]+/g, '');
}

function transformLink(tagName: string, attribs: Attributes): Tag {
  const href = compactUrl(attribs.href);
  const rest: Attributes = { ...attribs };
  delete rest.href;
  delete rest.rel;
  delete rest.target;
  if (!/^(?:https?:\/\/[^/]|mailto:)/i.test(href)) return { tagName, attribs: rest };
  return { tagName, attribs: { ...rest, href, rel: 'noopener noreferrer nofollow', target: '_blank' } };
}

/** Longer style attributes are dropped whole: real mail stays far below, and it bounds the work. */
const MAX_STYLE_LENGTH = 4096;

function keepPlainAttributes(tagName: string, attribs: Attributes): Tag {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (name === 'style' && value.length > MAX_STYLE_LENGTH) continue;
    if (!PLAIN_ATTRIBUTES.has(name) || PLAIN_ATTRIBUTE_VALUE.test(value)) out[name] = value;
  }
  return { tagName, attribs: out };
}

const REMOTE_IMAGE = /^https?:\/\/[^/]/i;

/** The sanitize-html options, with the image rule of the caller (at ingest, or when showing a body). */
function optionsWith(transformImage: (tagName: string, attribs: Attributes) => Tag): IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedStyles: { '*': ALLOWED_STYLES },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowProtocolRelative: false,
    allowVulnerableTags: false,
    disallowedTagsMode: 'discard',
    nonTextTags: DROP_WITH_CONTENT,
    enforceHtmlBoundary: false,
    transformTags: { '*': keepPlainAttributes, a: transformLink, img: transformImage },
    // An image left without any source is an empty box (or was a tracking/attack vector).
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !frame.attribs['data-remote-src'],
  };
}

/**
 * Cleans HTML from a customer's mail for display to agents. Scripts, event handlers, frames,
 * objects, forms, `<style>`/`<link>`/`<meta>`/`<base>`, SVG and MathML are removed; links keep only
 * absolute http(s)/mailto targets and open in a new tab without referrer; images keep http(s) or
 * `cid:` sources, and remote (http/https) ones are held back in `data-remote-src` unless
 * `allowRemoteImages` is set; `srcset` and every other attribute that could load something is
 * dropped; inline styles are limited to a list of formatting properties whose values cannot load
 * anything or cover the page (no `url()`, `expression()`, `position`).
 */
export function sanitizeEmailHtml(html: string, opts: SanitizeEmailHtmlOptions = {}): SanitizedEmailHtml {
  let blockedRemoteImages = 0;

  const transformImage = (tagName: string, attribs: Attributes): Tag => {
    const { tagName: name, attribs: plain } = keepPlainAttributes(tagName, attribs);
    const src = compactUrl(plain.src);
    delete plain.src;
    delete plain['data-remote-src'];
    if (/^cid:./i.test(src)) return { tagName: name, attribs: { ...plain, src } };
    if (REMOTE_IMAGE.test(src)) {
      if (opts.allowRemoteImages) return { tagName: name, attribs: { ...plain, src } };
      blockedRemoteImages++;
      return { tagName: name, attribs: { ...plain, 'data-remote-src': src } };
    }
    return { tagName: name, attribs: plain };
  };
  return { html: sanitizeHtml(html, optionsWith(transformImage)), blockedRemoteImages };
}

/** Options for {@link prepareMailBody} and {@link linkMailImages}. */
export interface PrepareMailBodyOptions {
  /** Turn held-back remote images (`data-remote-src`) into real sources: the agent asked to load them. */
  loadRemoteImages: boolean;
  /**
   * Where the image of a `cid:` URL (RFC 2392, the part after `cid:`) is served from, or null when
   * this message has no such inline image; the image is then dropped.
   */
  inlineImageUrl: (contentId: string) => string | null;
}

/** A mail body ready to frame, and how many remote images it refers to. */
export interface PreparedMailBody {
  html: string;
  remoteImages: number;
}

/** The image rule for HTML at rest: `cid:` sources stay, remote ones are held back in `data-remote-src`. */
function keepStoredImage(tagName: string, attribs: Attributes): Tag {
  const { tagName: name, attribs: plain } = keepPlainAttributes(tagName, attribs);
  const src = compactUrl(plain.src);
  const held = compactUrl(plain['data-remote-src']);
  delete plain.src;
  delete plain['data-remote-src'];
  if (/^cid:./i.test(src)) return { tagName: name, attribs: { ...plain, src } };
  const remote = REMOTE_IMAGE.test(src) ? src : REMOTE_IMAGE.test(held) ? held : null;
  return { tagName: name, attribs: remote ? { ...plain, 'data-remote-src': remote } : plain };
}

/**
 * Cleans stored customer HTML again under today's rules (see {@link SANITIZER_RULES}), keeping what
 * ingest made of its images: `cid:` sources, and remote images held back in `data-remote-src`.
 */
export function cleanStoredHtml(storedHtml: string): string {
  return sanitizeHtml(storedHtml, optionsWith(keepStoredImage));
}

/** The sanitizer writes every attribute value double-quoted with these four characters escaped. */
const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeAttribute = (value: string) => value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const IMG_TAG = /<img\b([^>]*)>/gi;
const ATTRIBUTE = /([^\s="/>]+)(?:="([^"]*)")?/g;

/**
 * Readies HTML cleaned under today's rules for its framed body route without parsing it again: one
 * pass over its `<img>` tags, which the sanitizer wrote in a fixed form (no `>` inside them, every
 * value double-quoted and escaped). `cid:` sources become URLs of this message's own inline images;
 * remote images stay in `data-remote-src` unless `loadRemoteImages` is set; an image left without a
 * source is dropped. The result equals {@link prepareMailBody} on the same HTML.
 */
export function linkMailImages(cleanHtml: string, opts: PrepareMailBodyOptions): PreparedMailBody {
  let remoteImages = 0;
  const html = cleanHtml.replace(IMG_TAG, (_tag, attributes: string) => {
    const kept: string[] = [];
    let src = '';
    let held = '';
    for (const [whole, name, value] of attributes.matchAll(ATTRIBUTE)) {
      if (name === 'src') src = compactUrl(unescapeAttribute(value ?? ''));
      else if (name === 'data-remote-src') held = compactUrl(unescapeAttribute(value ?? ''));
      else kept.push(whole);
    }
    let source: string | null = null;
    if (/^cid:./i.test(src)) {
      const url = opts.inlineImageUrl(src.slice(4));
      if (url) source = `src="${escapeAttribute(url)}"`;
    } else {
      const remote = REMOTE_IMAGE.test(src) ? src : REMOTE_IMAGE.test(held) ? held : null;
      if (remote) {
        remoteImages++;
        source = `${opts.loadRemoteImages ? 'src' : 'data-remote-src'}="${escapeAttribute(remote)}"`;
      }
    }
    return source ? `<img ${[...kept, source].join(' ')} />` : '';
  });
  return { html, remoteImages };
}

/**
 * Readies stored customer HTML of unknown rules for its framed body route: {@link cleanStoredHtml},
 * then {@link linkMailImages}. HTML cleaned under today's rules only needs the second step.
 */
export function prepareMailBody(storedHtml: string, opts: PrepareMailBodyOptions): PreparedMailBody {
  return linkMailImages(cleanStoredHtml(storedHtml), opts);
}

/**
 * Whether stored (sanitized) HTML holds back remote images. The sanitizer writes every attribute
 * double-quoted and escapes `<` in text, so the pattern can only match a real `<img>` attribute.
 */
export function hasRemoteImages(storedHtml: string): boolean {
  return /<img\s[^>]*\bdata-remote-src="/i.test(storedHtml);
}

/**
 * Names the rules of this file and the sanitize-html release applying them: a fingerprint of this
 * file's source and that release. A message records the rules its stored HTML was cleaned under;
 * HTML cleaned under other rules (or none recorded) is cleaned again before it is shown, so a
 * stricter rule reaches old mail too. Derived, so changing a rule needs no version bump.
 */
export const SANITIZER_RULES = createHash('sha256')
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .update((createRequire(import.meta.url)('sanitize-html/package.json') as { version: string }).version)
  .digest('hex')
  .slice(0, 16);
