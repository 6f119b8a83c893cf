// The reply editor's plain-text version of its document, for the form's `text` field (what the
// conversation shows, and the text/plain part of the mail): paragraphs apart by a blank line, list
// items as `- ` or `1. `, quotes with `> `, links as `text [url]`. Also the other way round: the
// editor's starting content from plain text (a draft saved without the editor). No DOM needed.

/** @typedef {{ type: string, text?: string, attrs?: Record<string, unknown>, marks?: Array<{ type: string, attrs?: Record<string, unknown> }>, content?: PmNode[] }} PmNode */

/** The link target of a text node, or null. @param {PmNode} node */
function linkOf(node) {
  const link = (node.marks || []).find((m) => m.type === 'link');
  const href = link && link.attrs && typeof link.attrs.href === 'string' ? link.attrs.href : null;
  return href || null;
}

/** The text of inline nodes; a run of text under one link is followed by its URL in brackets. @param {PmNode[]} nodes */
function inline(nodes) {
  let out = '';
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.type === 'hardBreak') out += '\n';
    else if (node.type === 'text') {
      const href = linkOf(node);
      if (!href) {
        out += node.text || '';
        continue;
      }
      let run = node.text || '';
      while (i + 1 < nodes.length && nodes[i + 1].type === 'text' && linkOf(nodes[i + 1]) === href) run += nodes[++i].text || '';
      const bare = href.replace(/^mailto:/i, '');
      out += run === href || run === bare ? run : `${run} [${href}]`;
    }
  }
  return out;
}

/** Every line of `text` but the first indented by `pad`. @param {string} text @param {string} pad */
const hang = (text, pad) => text.split('\n').join(`\n${pad}`);

/** The text of a list of block nodes, `gap` between blocks. @param {PmNode[]} nodes @param {string} gap */
function blocks(nodes, gap) {
  return nodes.map(block).filter((t) => t !== null).join(gap);
}

/** @param {PmNode} node @returns {string | null} */
function block(node) {
  const content = node.content || [];
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return inline(content);
    case 'codeBlock':
      return content.map((n) => n.text || '').join('');
    case 'blockquote':
      return blocks(content, '\n\n')
        .split('\n')
        .map((line) => (line === '' ? '>' : `> ${line}`))
        .join('\n');
    case 'bulletList':
      return content.map((item) => `- ${hang(blocks(item.content || [], '\n'), '  ')}`).join('\n');
    case 'orderedList': {
      const start = node.attrs && typeof node.attrs.start === 'number' ? node.attrs.start : 1;
      return content
        .map((item, i) => {
          const marker = `${start + i}. `;
          return `${marker}${hang(blocks(item.content || [], '\n'), ' '.repeat(marker.length))}`;
        })
        .join('\n');
    }
    case 'horizontalRule':
      return '---';
    case 'image':
      return null;
    default:
      return content.length ? blocks(content, '\n\n') : null;
  }
}

/**
 * The plain text of an editor document (Tiptap's `getJSON()`), trimmed, lines without trailing blanks.
 * @param {PmNode} doc
 * @returns {string}
 */
export function docToText(doc) {
  return blocks(doc.content || [], '\n\n')
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Editor content for plain text: one paragraph per blank-line-separated block, line breaks kept.
 * A single block is inline content only, so it can go in where the cursor is.
 * @param {string} text
 * @returns {PmNode[]}
 */
export function textToContent(text) {
  const lineNodes = (block) =>
    block.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...(line ? [{ type: 'text', text: line }] : [])]);
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n+/);
  if (paragraphs.length === 1) return lineNodes(paragraphs[0]);
  return paragraphs.map((p) => ({ type: 'paragraph', content: lineNodes(p) }));
}

/**
 * A link target the reply may carry: http(s) and mailto only. Bare addresses get a scheme (`mailto:`
 * when they hold an @ and no slash, else `https://`); anything else is null.
 * @param {string} value
 * @returns {string | null}
 */
export function safeHref(value) {
  const href = value.trim();
  if (href === '') return null;
  if (/^(?:https?:\/\/[^/\s]|mailto:[^\s]+@)/i.test(href)) return /\s/.test(href) ? null : href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return null;
  if (/\s/.test(href)) return null;
  if (/^[^@/]+@[^@/]+\.[^@/]+$/.test(href)) return `mailto:${href}`;
  return /^[^/.][^/]*\.[^/]/.test(href) ? `https://${href}` : null;
}
