import { describe, expect, it } from 'vitest';
import { buildQuotedHistory, MAX_QUOTED_CHARS, quotableText, quoteLines, withQuotedHistory } from '../../../src/domain/quoted-history.js';

describe('quotableText', () => {
  it('takes the stored text, line endings normalised and trailing spaces and extra blank lines dropped', () => {
    expect(quotableText({ text: 'Hello,\r\n\r\n\r\n\r\nmy printer  \r\nis broken.\r\n', html: '<p>ignored</p>' })).toBe('Hello,\n\nmy printer\nis broken.');
  });

  it('falls back to the text of the sanitized HTML, without its quoted blocks', () => {
    expect(quotableText({ text: '  ', html: '<p>Paper &amp; toner</p><blockquote>old mail</blockquote><p>jam</p>' })).toBe('Paper & toner\njam');
  });

  it('is null for a mail without words', () => {
    expect(quotableText({ text: null, html: null })).toBeNull();
    expect(quotableText({ text: ' \n ', html: '<p> </p>' })).toBeNull();
  });

  it('keeps at most the bound, marking the cut', () => {
    const long = 'x'.repeat(MAX_QUOTED_CHARS + 500);
    const quoted = quotableText({ text: long })!;
    expect(quoted).toHaveLength(MAX_QUOTED_CHARS);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quotableText({ text: 'abcdef' }, 4)).toBe('abc…');
    expect(quotableText({ text: 'x'.repeat(MAX_QUOTED_CHARS) })).toHaveLength(MAX_QUOTED_CHARS);
  });
});

describe('buildQuotedHistory', () => {
  const attribution = 'On Dec 6, 2026, 2:05 PM, Ann <ann@customer.test> wrote:';

  it('quotes the text part with `> ` lines below the attribution, blank lines as `>`', () => {
    expect(quoteLines('a\n\nb')).toBe('> a\n>\n> b');
    expect(buildQuotedHistory(attribution, 'Hello,\n\nit jams.\nAgain.').text).toBe(`${attribution}\n> Hello,\n>\n> it jams.\n> Again.`);
  });

  it('puts the HTML in a blockquote type="cite" after the escaped attribution, a paragraph per block', () => {
    const { html } = buildQuotedHistory(attribution, 'Hello,\n\nit jams.\nAgain.');
    expect(html).toContain('On Dec 6, 2026, 2:05 PM, Ann &lt;ann@customer.test&gt; wrote:</p><blockquote type="cite"');
    expect(html).toMatch(/<blockquote type="cite"[^>]*><p[^>]*>Hello,<\/p><p[^>]*>it jams\.<br>Again\.<\/p><\/blockquote>/);
  });

  it('escapes everything the customer wrote: no markup of theirs reaches the HTML', () => {
    const { html, text } = buildQuotedHistory('On x, "Eve" <eve@x.test> wrote:', '<script>alert(1)</script>\n<img src=x onerror=alert(2)> & \'q\'');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;img src=x onerror=alert(2)&gt; &amp; &#39;q&#39;');
    expect(html).toContain('&quot;Eve&quot; &lt;eve@x.test&gt;');
    expect(text).toContain('> <script>alert(1)</script>');
  });
});

describe('withQuotedHistory', () => {
  const quote = buildQuotedHistory('On Monday, Ann wrote:', 'Broken.');

  it('adds the quote below the text after a blank line, and before </body> of a whole HTML document', () => {
    const mail = withQuotedHistory({ text: 'Fixed now.\n', html: '<html><body><p>Fixed now.</p></body></html>' }, quote);
    expect(mail.text).toBe('Fixed now.\n\nOn Monday, Ann wrote:\n> Broken.\n');
    expect(mail.html).toBe(`<html><body><p>Fixed now.</p>${quote.html}</body></html>`);
  });

  it('appends to an HTML fragment, and leaves a mail without HTML without it', () => {
    expect(withQuotedHistory({ text: 'Ok', html: '<p>Ok</p>' }, quote).html).toBe(`<p>Ok</p>${quote.html}`);
    expect(withQuotedHistory({ text: 'Ok', html: null }, quote)).toEqual({ text: 'Ok\n\nOn Monday, Ann wrote:\n> Broken.\n', html: null });
  });

  it('gives a reply written in HTML only a text part with the quote', () => {
    expect(withQuotedHistory({ text: '', html: '<p>Ok</p>' }, quote).text).toBe('On Monday, Ann wrote:\n> Broken.\n');
  });
});
