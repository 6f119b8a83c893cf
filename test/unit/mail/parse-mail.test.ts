import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../../src/domain/errors.js';
import type { ParsedMail } from '../../../src/domain/mail.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { emlFiles, readFixture } from '../../helpers/mail-fixtures.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };

async function parseFixture(path: string): Promise<ParsedMail> {
  return parseMail(readFixture(path), LIMIT);
}

async function parseError(raw: Buffer, maxBytes = LIMIT.maxBytes): Promise<unknown> {
  try {
    await parseMail(raw, { maxBytes });
  } catch (err) {
    return err;
  }
  throw new Error('expected parseMail to throw');
}

describe('parseMail on the mikel/mail corpus', () => {
  const files = emlFiles('mikel-mail');

  it('parses every file or quarantines it with MAIL_UNPARSEABLE / MAIL_TOO_LARGE, nothing else', async () => {
    expect(files.length).toBe(103);
    let parsed = 0;
    const quarantined: string[] = [];
    for (const file of files) {
      try {
        const mail = await parseFixture(file);
        expect(typeof mail.subject).toBe('string');
        expect(Array.isArray(mail.attachments)).toBe(true);
        parsed++;
      } catch (err) {
        if (!isAppError(err, 'MAIL_UNPARSEABLE') && !isAppError(err, 'MAIL_TOO_LARGE')) throw err;
        quarantined.push(`${file}: ${err.message}`);
      }
    }
    console.log(`mikel-mail: ${parsed} parsed, ${quarantined.length} quarantined`, quarantined);
    expect(parsed + quarantined.length).toBe(files.length);
  });
});

describe('parseMail: headers', () => {
  it('decodes RFC 2047 subjects in several charsets', async () => {
    expect((await parseFixture('mikel-mail/multi_charset/japanese.eml')).subject).toBe('まみむめも');
    expect((await parseFixture('mikel-mail/plain_emails/raw_email.eml')).subject).toBe('NOTE: 한국말로 하는 것');
    expect((await parseFixture('mikel-mail/attachment_emails/attachment_pdf.eml')).subject).toBe('Another PDF with 🎉 Unicode chars in it 🍿');
  });

  it('decodes adjacent ISO-2022-JP encoded-words one by one (rfc2822/example14)', async () => {
    expect((await parseFixture('mikel-mail/rfc2822/example14.eml')).subject).toBe('Re: TEST テストテスト');
  });

  it('reads RFC 6532 UTF-8 headers', async () => {
    const mail = await parseFixture('mikel-mail/rfc6532/utf8_headers.eml');
    expect(mail.subject).toBe('Säying Hello');
    expect(mail.from).toEqual({ address: 'jdöe@mächine.example', name: 'Jöhn Doe' });
    expect(mail.to).toEqual([{ address: 'märy@exämple.net', name: 'Märy Smith' }]);
  });

  it('falls back to the body charset for raw 8-bit headers that are not UTF-8', async () => {
    const subject = Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]); // テスト in Shift_JIS
    const raw = Buffer.concat([
      Buffer.from('From: a@example.com\r\nSubject: '),
      subject,
      Buffer.from('\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\nbody\r\n'),
    ]);
    const mail = await parseMail(raw, LIMIT);
    expect(mail.subject).toBe('テスト');
    expect(mail.headers.subject).toEqual(['テスト']);
  });

  it('keeps every value of a repeated header under a lower-case name', async () => {
    const mail = await parseFixture('mikel-mail/error_emails/multiple_references_with_one_invalid.eml');
    // Unfolding removes only the line break (RFC 5322 §2.2.3): 3 trailing spaces + 1 leading space.
    expect(mail.headers.references).toEqual(['<foo@bar.net>', '<baz@bar.net>, <invalid.    something@bar.net>']);
    expect(Object.keys(mail.headers).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('recovers ids from repeated, comma-separated and badly folded References', async () => {
    const mail = await parseFixture('mikel-mail/error_emails/multiple_references_with_one_invalid.eml');
    expect(mail.references).toEqual(['foo@bar.net', 'baz@bar.net', 'invalid.something@bar.net']);
  });

  it('normalises Message-ID, In-Reply-To and References', async () => {
    const raw = Buffer.from(
      [
        'From: a@example.com',
        'Message-ID:   <abc@example.com>  ',
        'In-Reply-To: <p1@example.com> (Jane\'s message of "Mon, 1 Jan 2024")',
        'References: <p0@example.com> <p1@example.com>',
        '  <p0@example.com>,<broken',
        ' -id@example.com> not-an-id <' + 'x'.repeat(400) + '@example.com> bare@example.org',
        '',
        'body',
      ].join('\r\n'),
    );
    const mail = await parseMail(raw, LIMIT);
    expect(mail.messageId).toBe('abc@example.com');
    expect(mail.inReplyTo).toEqual(['p1@example.com']);
    // A bare word beside bracketed ids is prose (`<id>; from bare@example.org on ...`), not an id.
    expect(mail.references).toEqual(['p0@example.com', 'p1@example.com', 'broken-id@example.com']);
  });

  it('drops an In-Reply-To that is the recipient\'s address (a thread key every mail to them would share) and an empty one', async () => {
    expect((await parseFixture('mikel-mail/error_emails/bad_date_header.eml')).inReplyTo).toEqual([]);
    expect((await parseFixture('mikel-mail/error_emails/empty_in_reply_to.eml')).inReplyTo).toEqual([]);
  });

  it('tells an absent Return-Path (null) from the null sender <> (empty string)', async () => {
    expect((await parseFixture('mikel-mail/rfc2822/example01.eml')).returnPath).toBeNull();
    expect((await parseFixture('mikel-mail/multipart_report_emails/multipart_report_multiple_status.eml')).returnPath).toBe('');
    expect((await parseFixture('mikel-mail/plain_emails/basic_email.eml')).returnPath).toBe('test@lindsaar.net');
  });

  it('gives null for an unreadable date instead of "now"', async () => {
    expect((await parseFixture('mikel-mail/error_emails/bad_date_header.eml')).date).toBeNull();
    expect((await parseFixture('mikel-mail/rfc2822/example01.eml')).date?.toISOString()).toBe('1997-11-21T15:55:06.000Z');
  });

  it('reads addresses with comments inside them (rfc2822/example10)', async () => {
    expect((await parseFixture('mikel-mail/rfc2822/example10.eml')).from).toEqual({ address: 'pete@silly.test', name: 'Pete' });
  });

  it('reports the top-level content type and report-type', async () => {
    const mail = await parseFixture('mikel-mail/multipart_report_emails/report_530.eml');
    expect(mail.contentType).toBe('multipart/report');
    expect(mail.reportType).toBe('delivery-status');
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['message/delivery-status', 'text/rfc822-headers']);
  });
});

describe('parseMail: bodies and attachments', () => {
  it('decodes bodies in Shift_JIS, ISO-2022-JP, ks_c_5601-1987 and EUC-KR', async () => {
    expect((await parseFixture('mikel-mail/multi_charset/japanese_shift_jis.eml')).text).toBe(
      'あいうえお\n\nこのメールはテスト用のメールです。\n\n今後ともよろしくお願い申し上げます！\n',
    );
    expect((await parseFixture('mikel-mail/multi_charset/japanese_iso_2022.eml')).text).toBe('すみません。\n\n');
    expect((await parseFixture('mikel-mail/multi_charset/ks_c_5601-1987.eml')).text).toBe('스티해\n');
    expect((await parseFixture('mikel-mail/plain_emails/raw_email.eml')).text).toContain('대부분의 마찬가지로, 우리는 하나님을 믿습니다.');
  });

  it('decodes RFC 2231 and RFC 2047 attachment names', async () => {
    const long = await parseFixture('mikel-mail/multi_charset/japanese_attachment_long_name.eml');
    expect(long.attachments.map((a) => a.filename)).toEqual(['かきくけこかきくけこかきくけこかきくけこかきくけこ.txt']);
    const quoted = await parseFixture('mikel-mail/attachment_emails/attachment_with_quoted_filename.eml');
    expect(quoted.attachments[0]?.filename).toBe('Eelanalüüsi päring.jpg');
    const encoded = await parseFixture('mikel-mail/multi_charset/japanese_attachment.eml');
    expect(encoded.attachments[0]?.filename).toBe('てすと.txt');
  });

  it('recognises an inline cid image and leaves cid: links alone', async () => {
    const mail = await parseFixture('mikel-mail/attachment_emails/attachment_message_rfc822_inline_image.eml');
    const image = mail.attachments.find((a) => a.contentType === 'image/png');
    expect(image).toMatchObject({ inline: true, contentId: 'emedfeb92f-a786-4718-a446-98db8afb53fb@kronos', filename: 'img.png' });
    expect(mail.html).toContain('cid:emedfeb92f-a786-4718-a446-98db8afb53fb@kronos');
    expect(mail.html).not.toContain('data:image');
  });

  it('keeps message/rfc822 parts whole as attachments', async () => {
    const mail = await parseFixture('mikel-mail/attachment_emails/attachment_message_rfc822.eml');
    const forwarded = mail.attachments.find((a) => a.contentType === 'message/rfc822');
    expect(forwarded?.filename).toBe('ForwardedMessage.eml');
    expect(forwarded?.content.toString('utf8')).toMatch(/^Message-ID: <xxxx@xxxx.com>$/m);
  });

  it('parses LF-only files exactly like their CRLF twins', async () => {
    const crlf = await parseFixture('mikel-mail/plain_emails/basic_email.eml');
    const lf = await parseFixture('mikel-mail/plain_emails/basic_email_lf.eml');
    expect(lf).toEqual(crlf);
    const pdf = await parseFixture('mikel-mail/attachment_emails/attachment_pdf_lf.eml');
    expect(pdf.attachments[0]?.filename).toBe('broken.pdf');
  });

  it('shows the raw body when a broken multipart header loses every part (sisimai lhost-apachejames-01)', async () => {
    const mail = await parseFixture('sisimai-bounces/maildir/bsd/lhost-apachejames-01.eml');
    expect(mail.text).toContain('Error: Invalid user address');
  });

  it('skips an mbox From_ line on top and tolerates a NUL inside a header', async () => {
    const raw = Buffer.from('From MAILER-DAEMON  Mon Sep 20 19:29:27 2021\nFrom: a@example.com\nSubject: hi\0\n\nbody\n');
    const mail = await parseMail(raw, LIMIT);
    expect(mail.subject).toBe('hi');
    expect(mail.from?.address).toBe('a@example.com');
  });
});

describe('parseMail: refusals', () => {
  it('throws MAIL_TOO_LARGE above maxBytes', async () => {
    const raw = readFixture('mikel-mail/plain_emails/basic_email.eml');
    const err = await parseError(raw, raw.length - 1);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'MAIL_TOO_LARGE', httpStatus: 413 });
    await expect(parseMail(raw, { maxBytes: raw.length })).resolves.toBeDefined();
  });

  it.each([
    ['empty input', Buffer.alloc(0)],
    ['sisimai size-1 (one space)', readFixture('sisimai-bounces/mailbox/size-1')],
    ['sisimai size-2 ("22")', readFixture('sisimai-bounces/mailbox/size-2')],
    ['text without headers', Buffer.from('Hello there,\n\nthis is not a mail.\n')],
    ['a PNG file', Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')],
    ['header-like text that is no mail', Buffer.from('Name: value\nOther: thing\n\nbody')],
    ['binary noise', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256))],
  ])('throws MAIL_UNPARSEABLE for %s', async (_label, raw) => {
    const err = await parseError(raw);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'MAIL_UNPARSEABLE', httpStatus: 422 });
  });

  it('never fails with anything but AppError on truncated or corrupted input', async () => {
    const sources = [
      'mikel-mail/attachment_emails/attachment_pdf.eml',
      'mikel-mail/multipart_report_emails/report_530.eml',
      'mikel-mail/mime_emails/raw_email_with_nested_attachment.eml',
      'mikel-mail/multi_charset/japanese_attachment_long_name.eml',
    ];
    let outcomes = 0;
    for (const source of sources) {
      const raw = readFixture(source);
      for (let i = 1; i <= 24; i++) {
        const cut = raw.subarray(0, Math.floor((raw.length * i) / 25));
        const noisy = Buffer.from(raw);
        for (let j = i; j < noisy.length; j += 37 + i) noisy[j] = (noisy[j] ?? 0) ^ (0x55 + i);
        for (const variant of [cut, noisy]) {
          try {
            await parseMail(variant, LIMIT);
          } catch (err) {
            expect(isAppError(err)).toBe(true);
          }
          outcomes++;
        }
      }
    }
    expect(outcomes).toBe(sources.length * 48);
  });
});

describe('parseMail: less work for a costly mail', () => {
  const htmlOnly = (html: string) =>
    Buffer.from(['From: Ann <ann@customer.test>', 'To: support@example.test', 'Subject: Deep', 'Message-ID: <deep@customer.test>', 'Content-Type: text/html; charset=utf-8', '', html, ''].join('\r\n'));

  it('reads the text of HTML too deep for HTML-to-text with a linear scan instead of refusing the mail', async () => {
    const mail = await parseMail(htmlOnly(`${'<div>'.repeat(20_000)}<p>Deep &amp; down</p>${'</div>'.repeat(20_000)}`), LIMIT);
    expect(mail.text).toBe('Deep & down');
    expect(mail.html).toContain('<div><div>');
  });

  it('without-html-text: the same mail but an HTML-only body read by the linear scan', async () => {
    const raw = htmlOnly('<h1>Title</h1><p>Hello <a href="https://x.test/">there</a></p>');
    const [full, lighter] = [await parseMail(raw, LIMIT), await parseMail(raw, { ...LIMIT, mode: 'without-html-text' })];
    expect(full.text).toBe('TITLE\n\nHello there [https://x.test/]');
    expect(lighter).toEqual({ ...full, text: 'Title\n\nHello there' });
  });

  it('headers-and-raw-text: headers and addresses as always, the body undecoded, no parts', async () => {
    const raw = readFixture('mikel-mail/attachment_emails/attachment_pdf.eml');
    const [full, bare] = [await parseMail(raw, LIMIT), await parseMail(raw, { ...LIMIT, mode: 'headers-and-raw-text' })];
    expect(bare).toMatchObject({ messageId: full.messageId, subject: full.subject, from: full.from, to: full.to, cc: full.cc, date: full.date, headers: full.headers, html: null, attachments: [], contentType: 'text/plain' });
    expect(bare.text).toContain('Content-Disposition: attachment');
  });

  it('headers-and-raw-text decodes encoded names and keeps groups flat', async () => {
    const raw = Buffer.from('From: =?utf-8?q?J=C3=B6rg?= <jorg@customer.test>\r\nTo: team: a@x.test, b@x.test;, c@x.test\r\nSubject: hi\r\n\r\nbody\r\n');
    const mail = await parseMail(raw, { ...LIMIT, mode: 'headers-and-raw-text' });
    expect(mail.from).toEqual({ address: 'jorg@customer.test', name: 'Jörg' });
    expect(mail.to.map((a) => a.address)).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    expect(mail.text).toBe('body\n');
  });
});
