import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import { automatedHeaders, replySubject, replyThreading } from '../../../src/domain/outbound-headers.js';
import { composeMessage, envelopeFor, type ComposeInput } from '../../../src/mail/compose-message.js';
import { parseMail } from '../../../src/mail/parse-mail.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };
const LOOP = 'threadline@help.example.com';

function message(overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    from: { address: 'support@help.example.com', name: 'Support Tëam' },
    to: [{ address: 'jane@example.com', name: 'Jäne Doe' }],
    subject: 'Re: Überweisung fehlgeschlagen — 請求書 [#42]',
    text: 'Hallo Jäne,\nwir haben Ihre Anfrage erhalten.\n',
    messageId: 'tl.42.abc.0123456789@help.example.com',
    inReplyTo: 'orig@example.com',
    references: ['root@example.com', 'orig@example.com'],
    date: new Date('2024-05-01T10:00:00Z'),
    ...overrides,
  };
}

/** The header block between CRLFs, so every field can be matched as `\r\nName: value\r\n`. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  return `\r\n${text.slice(0, text.indexOf('\r\n\r\n'))}\r\n`;
}

async function rejection(input: ComposeInput): Promise<unknown> {
  try {
    await composeMessage(input);
  } catch (err) {
    return err;
  }
  throw new Error('composeMessage accepted the input');
}

describe('composeMessage', () => {
  it('writes a message that parses back with the same ids, subject, names and headers', async () => {
    const raw = await composeMessage(message({ headers: automatedHeaders('auto-replied', LOOP) }));
    const mail = await parseMail(raw, LIMIT);
    expect(mail.messageId).toBe('tl.42.abc.0123456789@help.example.com');
    expect(mail.inReplyTo).toEqual(['orig@example.com']);
    expect(mail.references).toEqual(['root@example.com', 'orig@example.com']);
    expect(mail.subject).toBe('Re: Überweisung fehlgeschlagen — 請求書 [#42]');
    expect(mail.from).toEqual({ address: 'support@help.example.com', name: 'Support Tëam' });
    expect(mail.to).toEqual([{ address: 'jane@example.com', name: 'Jäne Doe' }]);
    expect(mail.date?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(mail.text?.trim()).toBe('Hallo Jäne,\nwir haben Ihre Anfrage erhalten.');
    expect(mail.headers['auto-submitted']).toEqual(['auto-replied']);
    expect(mail.headers['x-auto-response-suppress']).toEqual(['All']);
    expect(mail.headers['precedence']).toEqual(['bulk']);
    expect(mail.headers['x-loop']).toEqual([LOOP]);
  });

  it('uses CRLF line ends only, brackets the ids and encodes non-ASCII headers (RFC 2047)', async () => {
    const raw = await composeMessage(message());
    expect(raw.toString('latin1')).not.toMatch(/(?<!\r)\n/);
    const text = headerBlock(raw);
    expect(text).toContain('\r\nMessage-ID: <tl.42.abc.0123456789@help.example.com>\r\n');
    expect(text).toContain('\r\nIn-Reply-To: <orig@example.com>\r\n');
    expect(text).toContain('\r\nReferences: <root@example.com> <orig@example.com>\r\n');
    expect(text).toContain('\r\nDate: Wed, 01 May 2024 10:00:00 +0000\r\n');
    expect(text).toMatch(/\r\nSubject: =\?UTF-8\?[QB]\?/);
    expect(text).toMatch(/\r\nFrom: =\?UTF-8\?[QB]\?[^\r]*\?= <support@help\.example\.com>\r\n/);
    // eslint-disable-next-line no-control-regex -- every header byte must be 7-bit
    expect(text).not.toMatch(/[^\x00-\x7f]/);
  });

  it('accepts ids given with brackets, and leaves out threading headers it was not given', async () => {
    const text = headerBlock(await composeMessage(message({ messageId: '<new@help.example.com>', inReplyTo: null, references: [] })));
    expect(text).toContain('\r\nMessage-ID: <new@help.example.com>\r\n');
    expect(text).not.toMatch(/^(?:In-Reply-To|References):/im);
  });

  it('folds a long References header so that it still parses back whole', async () => {
    const chain = Array.from({ length: 40 }, (_, i) => `msg-${i}.${'x'.repeat(30)}@mail.example.net`);
    const threading = replyThreading({ messageId: 'parent@mail.example.net', references: chain, inReplyTo: null });
    const raw = await composeMessage(message(threading));
    expect(headerBlock(raw).split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect((await parseMail(raw, LIMIT)).references).toEqual(threading.references);
  });

  it('adds Cc, Reply-To and an HTML alternative', async () => {
    const mail = await parseMail(
      await composeMessage(
        message({
          cc: [{ address: 'boss@example.com' }],
          replyTo: [{ address: 'support@help.example.com', name: null }],
          html: '<p>Hallo J&auml;ne</p>',
        }),
      ),
      LIMIT,
    );
    expect(mail.cc).toEqual([{ address: 'boss@example.com', name: null }]);
    expect(mail.replyTo).toEqual([{ address: 'support@help.example.com', name: null }]);
    expect(mail.html).toContain('Hallo J&auml;ne');
    expect(mail.text).toContain('wir haben Ihre Anfrage erhalten');
  });

  it('keeps the spelling of extra header names', async () => {
    const text = headerBlock(await composeMessage(message({ headers: { 'X-MS-Exchange-Test': 'yes', 'x-threadline-ticket': '42' } })));
    expect(text).toContain('\r\nX-MS-Exchange-Test: yes\r\n');
    expect(text).toContain('\r\nx-threadline-ticket: 42\r\n');
  });

  it('turns line breaks and control characters in the subject and display names into spaces', async () => {
    const raw = await composeMessage(
      message({ subject: 'Hi\r\nBcc: victim@example.com\0', to: [{ address: 'jane@example.com', name: 'Jane\r\nBcc: victim@example.com' }] }),
    );
    expect(headerBlock(raw)).not.toMatch(/\r\nBcc:/i);
    const mail = await parseMail(raw, LIMIT);
    expect(mail.subject).toBe('Hi Bcc: victim@example.com');
    expect(mail.to).toEqual([{ address: 'jane@example.com', name: 'Jane Bcc: victim@example.com' }]);
    expect(mail.headers['bcc']).toBeUndefined();
  });

  it.each([
    ['a CRLF in a header value', { headers: { 'X-Loop': 'a@b.example\r\nBcc: victim@example.com' } }],
    ['a bare LF in a header value', { headers: { 'X-Loop': 'a@b.example\nBcc: victim@example.com' } }],
    ['a bare CR in a header value', { headers: { 'X-Loop': 'a@b.example\rBcc: victim@example.com' } }],
    ['a line break in a header name', { headers: { 'X-A\r\nBcc': 'victim@example.com' } }],
    ['a colon in a header name', { headers: { 'Bcc: victim@example.com\r\nX-A': 'b' } }],
    ['a space in a header name', { headers: { 'X Loop': 'b' } }],
    ['an empty header name', { headers: { '': 'b' } }],
    ['a header the composer owns', { headers: { 'message-id': '<forged@example.com>' } }],
    ['a malformed address', { to: [{ address: 'jane@example.com>, <victim@example.com' }] }],
    ['a malformed message id', { messageId: 'two ids@example.com' }],
    ['a line break in a reference', { references: ['a@example.com\r\nBcc: victim@example.com'] }],
    ['no recipient', { to: [] }],
  ] as Array<[string, Partial<ComposeInput>]>)('refuses %s with VALIDATION_FAILED', async (_label, overrides) => {
    const err = await rejection(message(overrides));
    expect(isAppError(err, 'VALIDATION_FAILED')).toBe(true);
  });
});

describe('envelopeFor', () => {
  it('sends automated mail from the null sender (RFC 3834 §3.3, RFC 5321 §4.5.5)', () => {
    expect(envelopeFor('auto', 'support@help.example.com', ['jane@example.com'])).toEqual({ from: '', to: ['jane@example.com'] });
  });

  it('sends a person’s reply from the inbox address', () => {
    expect(envelopeFor('human', 'support@help.example.com', ['jane@example.com', 'boss@example.com'])).toEqual({
      from: 'support@help.example.com',
      to: ['jane@example.com', 'boss@example.com'],
    });
  });
});

describe('automatedHeaders', () => {
  it('marks automated mail for RFC 3834 responders, Exchange, old vacation programs and our loop check', () => {
    expect(automatedHeaders('auto-generated', LOOP)).toEqual({
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      Precedence: 'bulk',
      'X-Loop': LOOP,
    });
  });
});

describe('replyThreading (RFC 5322 §3.6.4)', () => {
  it("appends the parent's Message-ID to its References", () => {
    expect(replyThreading({ messageId: 'c@x', references: ['a@x', 'b@x'], inReplyTo: 'b@x' })).toEqual({
      inReplyTo: 'c@x',
      references: ['a@x', 'b@x', 'c@x'],
    });
  });

  it("uses the parent's single In-Reply-To when it has no References", () => {
    expect(replyThreading({ messageId: '<c@x>', references: [], inReplyTo: '<b@x>' })).toEqual({ inReplyTo: 'c@x', references: ['b@x', 'c@x'] });
  });

  it('ignores an In-Reply-To naming several ids', () => {
    expect(replyThreading({ messageId: 'c@x', references: [], inReplyTo: '<a@x> <b@x>' })).toEqual({ inReplyTo: 'c@x', references: ['c@x'] });
  });

  it('starts a chain from a parent with neither', () => {
    expect(replyThreading({ messageId: 'a@x', references: [], inReplyTo: null })).toEqual({ inReplyTo: 'a@x', references: ['a@x'] });
  });

  it('returns nothing to point at when the parent has no Message-ID', () => {
    expect(replyThreading({ messageId: null, references: ['a@x'], inReplyTo: null })).toEqual({ inReplyTo: null, references: ['a@x'] });
  });

  it("removes duplicates and a parent's id that already appears in its own References", () => {
    expect(replyThreading({ messageId: 'C@x', references: ['a@x', 'b@x', 'A@x', 'c@x', 'b@x'], inReplyTo: null }).references).toEqual([
      'a@x',
      'b@x',
      'C@x',
    ]);
  });

  it('caps a long chain to the thread root and the 20 most recent ids', () => {
    const chain = Array.from({ length: 60 }, (_, i) => `m${i}@x`);
    const { references } = replyThreading({ messageId: 'm60@x', references: chain, inReplyTo: null });
    expect(references).toHaveLength(21);
    expect(references[0]).toBe('m0@x');
    expect(references.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `m${41 + i}@x`));
  });

  it('keeps a chain that is exactly at the cap whole', () => {
    const chain = Array.from({ length: 20 }, (_, i) => `m${i}@x`);
    expect(replyThreading({ messageId: 'm20@x', references: chain, inReplyTo: null }).references).toHaveLength(21);
  });
});

describe('replySubject', () => {
  it.each([
    ['Question about my order', 'Re: Question about my order [#7]'],
    ['Re: Question about my order', 'Re: Question about my order [#7]'],
    ['RE: Question', 'RE: Question [#7]'],
    ['AW: Frage zur Bestellung', 'AW: Frage zur Bestellung [#7]'],
    ['SV: Fråga', 'SV: Fråga [#7]'],
    ['Re: Question [#7]', 'Re: Question [#7]'],
    ['[#7] Question', 'Re: Question [#7]'],
    ['Re: Question [#7] [#7]', 'Re: Question [#7]'],
    ['Re: Question [#3]', 'Re: Question [#7]'],
    ['', 'Re: [#7]'],
  ])('%j → %j', (original, expected) => {
    expect(replySubject(original, 7)).toBe(expected);
  });
});
