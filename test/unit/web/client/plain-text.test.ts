import { describe, expect, it } from 'vitest';

// The reply editor's own plain text (src/web/client/plain-text.js, browser code without types).
interface PlainText {
  docToText(doc: unknown): string;
  textToContent(text: string): Array<{ type: string }>;
  safeHref(value: string): string | null;
}
const { docToText, textToContent, safeHref } = (await import('../../../../src/web/client/plain-text.js' as string)) as PlainText;

const text = (t: string, marks?: unknown[]) => ({ type: 'text', text: t, ...(marks ? { marks } : {}) });
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const li = (...content: unknown[]) => ({ type: 'listItem', content });

describe('the reply editor’s plain text', () => {
  it('writes paragraphs, lists, quotes and links as the text part shows them', () => {
    const doc = {
      type: 'doc',
      content: [
        p(text('Hello '), text('Ann', [{ type: 'bold' }]), text(',')),
        { type: 'bulletList', content: [li(p(text('one'))), li(p(text('two')))] },
        { type: 'orderedList', attrs: { start: 1 }, content: [li(p(text('first'))), li(p(text('second')))] },
        { type: 'blockquote', content: [p(text('quoted')), p(text('more'))] },
        p(text('see '), text('the docs', [{ type: 'link', attrs: { href: 'https://example.test/docs' } }]), { type: 'hardBreak' }, text('bye')),
      ],
    };
    expect(docToText(doc)).toBe('Hello Ann,\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n>\n> more\n\nsee the docs [https://example.test/docs]\nbye');
  });

  it('makes inline content of one block of text (for the cursor) and paragraphs of several', () => {
    expect(textToContent('we are on it. ')).toEqual([{ type: 'text', text: 'we are on it. ' }]);
    expect(textToContent('a\nb\n\nc').map((n) => n.type)).toEqual(['paragraph', 'paragraph']);
  });

  it('accepts http(s) and mailto links only, adding a scheme to a bare address', () => {
    expect(safeHref('https://example.test/a')).toBe('https://example.test/a');
    expect(safeHref('example.test/a')).toBe('https://example.test/a');
    expect(safeHref('ann@example.test')).toBe('mailto:ann@example.test');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('')).toBeNull();
  });
});
