import { describe, expect, it } from 'vitest';
import { htmlToPlainText } from '../../../src/mail/html-text.js';

// The text/plain alternative of an agent's HTML reply (issue 18).
describe('htmlToPlainText', () => {
  it('writes paragraphs a blank line apart and links as `text [url]`', () => {
    expect(htmlToPlainText('<p>Hello <strong>Ann</strong>,</p><p>see <a href="https://example.test/docs">the docs</a>.</p>')).toBe(
      'Hello Ann,\n\nsee the docs [https://example.test/docs].',
    );
  });

  it('shows a link whose text is its address once, mailto: included', () => {
    expect(htmlToPlainText('<p><a href="https://example.test">https://example.test</a> or <a href="mailto:help@example.test">help@example.test</a></p>')).toBe(
      'https://example.test or help@example.test',
    );
  });

  it('writes bulleted items with `- `, numbered ones with their number, one line each (the editor’s <li><p>)', () => {
    const text = htmlToPlainText('<ul><li><p>one</p></li><li><p>two<br>lines</p></li></ul><ol><li><p>first</p></li><li><p>second</p></li></ol>');
    expect(text).toBe('- one\n- two\n  lines\n\n 1. first\n 2. second');
  });

  it('quotes a blockquote with `> `, keeps code as written and leaves images out', () => {
    const text = htmlToPlainText('<blockquote><p>quoted</p><p>more</p></blockquote><pre><code>a  b\n  c</code></pre><p>see <code>x</code><img src="cid:a" alt="pic"></p>');
    expect(text).toBe('> quoted\n>\n> more\n\na  b\n  c\n\nsee x');
  });

  it('decodes entities and never writes markup back', () => {
    expect(htmlToPlainText('<p>a &lt;b&gt; &amp; c&nbsp;d</p>')).toBe('a <b> & c\u00a0d');
  });
});
