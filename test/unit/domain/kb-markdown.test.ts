import { describe, expect, it } from 'vitest';
import { htmlToPlainText, renderKbMarkdown } from '../../../src/domain/kb-markdown.js';

describe('article Markdown', () => {
  it('renders GitHub-flavoured Markdown', () => {
    const html = renderKbMarkdown('## Steps\n\n1. Open **Settings**\n2. Click `Reset`\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(html).toContain('<h2>Steps</h2>');
    expect(html).toContain('<li>Open <strong>Settings</strong></li>');
    expect(html).toContain('<code>Reset</code>');
    expect(html).toContain('<td>1</td>');
  });

  it('keeps http(s) and mailto links, marked nofollow, and drops every other scheme', () => {
    const html = renderKbMarkdown('[a](https://ok.test) [b](mailto:help@ok.test) [c](javascript:alert(1)) [d](data:text/html,x) <a href="//evil.test">e</a> [f](/help/en/x)');
    expect(html).toContain('<a href="https://ok.test" rel="noopener noreferrer nofollow">a</a>');
    expect(html).toContain('href="mailto:help@ok.test"');
    expect(html).toContain('href="/help/en/x"');
    expect(html).not.toMatch(/javascript|data:|evil\.test/);
  });

  it('keeps only https and relative images', () => {
    const html = renderKbMarkdown('![a](https://cdn.test/a.png) ![b](http://cdn.test/b.png) ![c](/img/c.png) ![d](data:image/png;base64,AAAA)');
    expect(html).toContain('<img src="https://cdn.test/a.png" alt="a" />');
    expect(html).toContain('<img src="/img/c.png" alt="c" />');
    expect(html).not.toMatch(/http:\/\/|data:/);
  });

  it('removes raw HTML that could run, style or frame anything', () => {
    const html = renderKbMarkdown('<script>alert(1)</script><style>body{}</style><iframe src="https://x"></iframe><b onclick="x()" style="color:red">bold</b><form><input></form>\n\n<img src="https://x/a.png" onerror="alert(1)">');
    expect(html).not.toMatch(/script|style|iframe|onclick|onerror|form|input|alert/);
    expect(html).toContain('bold');
  });

  it('gives the plain text of the HTML for excerpts', () => {
    expect(htmlToPlainText(renderKbMarkdown('# Title\n\nTom &amp; Jerry <3'))).toBe('Title Tom & Jerry <3');
  });
});
