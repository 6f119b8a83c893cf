import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/mail/render-email.js';

// Issue 18: an agent's HTML reply goes through the inbox's agent-reply layout as markup, and only
// ever as HTML sanitized by the renderer itself, whatever the caller passed.
const data = { ticketNumber: 12, ticketSubject: 'Printer', agentName: 'Gina', body: 'Fixed now, see the guide [https://example.test/kb].' };

describe('renderEmail agent-reply with bodyHtml', () => {
  it('writes the HTML body as markup in the layout and the text body in the text part', async () => {
    const email = await renderEmail('agent-reply', { ...data, bodyHtml: '<p>Fixed <strong>now</strong>, see <a href="https://example.test/kb">the guide</a>.</p><ul><li><p>one</p></li></ul>' });
    expect(email.html).toMatch(/^<!doctype html>/i);
    expect(email.html).toContain('<p>Fixed <strong>now</strong>, see <a href="https://example.test/kb" rel="noopener noreferrer nofollow" target="_blank">the guide</a>.</p><ul><li><p>one</p></li></ul>');
    expect(email.text).toMatch(/^Fixed now, see the guide \[https:\/\/example\.test\/kb\]\.\n/);
    // The sign-off of the layout follows the body in both parts.
    expect(email.text).toContain('Gina');
  });

  it('cleans what it writes: no script, handler, javascript: link or frame reaches the mail', async () => {
    const email = await renderEmail('agent-reply', {
      ...data,
      bodyHtml: '<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a><iframe src="https://evil.test"></iframe><img src="x" onerror="alert(3)">',
    });
    expect(email.html).toContain('<p>Hi</p>');
    expect(email.html).not.toMatch(/onclick|<script|javascript:|<iframe|onerror|evil\.test/i);
  });

  it('escapes the text body as before when there is no HTML', async () => {
    const email = await renderEmail('agent-reply', { ...data, body: 'a <b>not bold</b>', bodyHtml: '  ' });
    expect(email.html).toContain('a &lt;b&gt;not bold&lt;/b&gt;');
    expect(email.html).not.toContain('<b>not bold</b>');
  });
});
