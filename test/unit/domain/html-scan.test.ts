import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { htmlNestingDepth, plainTextOfHtml } from '../../../src/domain/html-scan.js';

/** Milliseconds one call takes. */
const timed = (run: () => unknown) => {
  const t = performance.now();
  run();
  return performance.now() - t;
};

describe('htmlNestingDepth', () => {
  it('counts elements inside elements, as an HTML parser nests them', () => {
    expect(htmlNestingDepth('')).toBe(0);
    expect(htmlNestingDepth('plain text, 3 < 4 and a <b')).toBe(0);
    expect(htmlNestingDepth('<div><p>a</p><table><tr><td><span>b</span></td></tr></table></div>')).toBe(3);
    expect(htmlNestingDepth('<DIV><Div>x</dIV></div>')).toBe(2);
    expect(htmlNestingDepth(`${'<blockquote>'.repeat(40)}quoted${'</blockquote>'.repeat(40)}`)).toBe(40);
  });

  it('does not count empty elements, comments, or runs of paragraphs, items and cells left open', () => {
    expect(htmlNestingDepth('<br><img src="a"><hr/><input><meta charset="utf-8"><!-- <div><div> --><!doctype html>')).toBe(0);
    expect(htmlNestingDepth(`<ul>${'<li>item'.repeat(5000)}</ul>`)).toBe(1);
    expect(htmlNestingDepth(`${'<p>para'.repeat(5000)}`)).toBe(0);
  });

  it('counts what a parser would nest even when it is written as self-closing or split by quoted-printable', () => {
    expect(htmlNestingDepth('<div/><div/><div/>')).toBe(3);
    expect(htmlNestingDepth('<div><di=\r\nv><d=\r\niv>x')).toBe(3);
  });

  it('stops once the depth passes the limit', () => {
    const deep = '<div>'.repeat(100_000);
    expect(htmlNestingDepth(deep, 1000)).toBe(1001);
    expect(htmlNestingDepth(deep)).toBe(100_000);
  });

  it('stays linear on markup made to defeat a scanner', () => {
    for (const hostile of ['<a'.repeat(500_000), '<!--'.repeat(250_000), '<div title="'.repeat(100_000), `<${'x'.repeat(1_000_000)}`]) {
      expect(timed(() => htmlNestingDepth(hostile))).toBeLessThan(500);
    }
  });
});

describe('plainTextOfHtml', () => {
  it('keeps the words, with block elements as line breaks (a blank line between two) and entities decoded', () => {
    expect(plainTextOfHtml('<html><head><title>T</title><style>p{color:red}</style></head><body><p>Hello&nbsp;there,</p><div>the <b>printer</b> &amp; the <i>scanner</i></div>3 &lt; 4 &#8364;5 &#x263A;<br>Bye</body></html>')).toBe(
      'Hello there,\n\nthe printer & the scanner\n3 < 4 €5 ☺\nBye',
    );
  });

  it('drops scripts and comments, keeps table cells apart and collapses blank runs', () => {
    expect(plainTextOfHtml('<script>alert("<p>x</p>")</script><!-- hidden --><table><tr><td>a</td><td>b</td></tr></table>\n\n\n\n<p>   c   </p>')).toBe('a b\n\nc');
  });

  it('reads deeply nested HTML', () => {
    expect(plainTextOfHtml(`${'<div>'.repeat(200_000)}<p>Deep &amp; down</p>${'</div>'.repeat(200_000)}`)).toBe('Deep & down');
  });

  it('keeps text after a lone < and stops at a tag that never ends', () => {
    expect(plainTextOfHtml('if a < b then <b>c</b> <a href="x')).toBe('if a < b then c');
  });

  it('stays linear on markup made to defeat a scanner', () => {
    for (const hostile of ['<a'.repeat(500_000), '<script>'.repeat(200_000), '<!--'.repeat(250_000), `${' '.repeat(1_000_000)}x`, '&amp'.repeat(250_000)]) {
      expect(timed(() => plainTextOfHtml(hostile))).toBeLessThan(1000);
    }
  });
});
