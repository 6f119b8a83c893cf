/**
 * Hostile mail too big to keep as a fixture: test/fixtures/hostile/deeply-nested-html-60k-divs.eml and
 * cc-with-20k-addresses.eml were written by these functions (60k and 20k), larger ones are made here.
 */

const SUPPORT = 'support@example.test';

/** Quoted-printable with soft line breaks; the markup stays readable, as in most real HTML mail. */
function quotedPrintable(text: string): string {
  const escaped = text.replace(/=/g, '=3D');
  const lines: string[] = [];
  for (let at = 0; at < escaped.length; at += 75) lines.push(escaped.slice(at, at + 75));
  return lines.join('=\r\n');
}

/**
 * A mail whose HTML nests `depth` `<div>`s around one sentence, as a multipart/alternative with a
 * plain-text part or (`textPart: false`) as HTML alone.
 */
export function nestedHtmlMail(depth: number, opts: { textPart: boolean; messageId: string; to?: string }): Buffer {
  const sentence = 'Please look at my order, it is stuck.';
  const html = `<html><body>${'<div>'.repeat(depth)}<p>${sentence}</p>${'</div>'.repeat(depth)}</body></html>`;
  const head = [
    'From: Nadia Nested <nadia@customer.example>',
    `To: ${opts.to ?? SUPPORT}`,
    `Subject: Order stuck (${depth.toLocaleString('en-US')} nested divs)`,
    'Date: Sat, 21 Nov 2026 08:30:00 +0000',
    `Message-ID: <${opts.messageId}>`,
    'MIME-Version: 1.0',
  ];
  const htmlPart = ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(html)];
  const body = opts.textPart
    ? ['Content-Type: multipart/alternative; boundary="nested"', '', '--nested', 'Content-Type: text/plain; charset=utf-8', '', sentence, '--nested', ...htmlPart, '--nested--']
    : htmlPart;
  return Buffer.from([...head, ...body, ''].join('\r\n'));
}

/** A plain-text mail to us with `count` addresses in Cc, one per folded header line. */
export function manyCcMail(count: number, opts: { messageId: string; to?: string }): Buffer {
  const cc = Array.from({ length: count }, (_, i) => `member${String(i + 1).padStart(5, '0')}@list.example.org`).join(',\r\n ');
  return Buffer.from(
    [
      'From: Carl Copier <carl@customer.example>',
      `To: ${opts.to ?? SUPPORT}`,
      `Cc: ${cc}`,
      `Subject: Newsletter sign-up problem (${count.toLocaleString('en-US')} in Cc)`,
      'Date: Sat, 21 Nov 2026 08:40:00 +0000',
      `Message-ID: <${opts.messageId}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, none of the people in Cc can sign up for the newsletter.',
      '',
    ].join('\r\n'),
  );
}
