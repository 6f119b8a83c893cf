import { describe, expect, it } from 'vitest';
import {
  decodeBinaryText,
  decodeEncodedWords,
  extractMessageIds,
  extractPathAddress,
  headerMap,
  parseHeaderBlock,
  parseMimeValue,
  stripComments,
} from '../../../src/domain/mail-headers.js';

describe('parseHeaderBlock', () => {
  it('unfolds continuation lines with CRLF, LF or CR line ends and lower-cases names', () => {
    for (const eol of ['\r\n', '\n', '\r']) {
      const fields = parseHeaderBlock(['Subject: a', '\tb', 'X-Thing : c', '', 'Body: no'].join(eol));
      expect(fields).toEqual([
        { name: 'subject', value: 'a\tb' },
        { name: 'x-thing', value: 'c' },
      ]);
    }
  });

  it('appends a line without a field name to the field before it (broken folding)', () => {
    expect(parseHeaderBlock('References: <a@x>\n<b@x>\nTo: t@x')).toEqual([
      { name: 'references', value: '<a@x> <b@x>' },
      { name: 'to', value: 't@x' },
    ]);
  });

  it('groups repeated fields in order', () => {
    expect(headerMap(parseHeaderBlock('Received: 1\nReceived: 2\nTo: t'))).toEqual({ received: ['1', '2'], to: ['t'] });
  });
});

describe('decodeEncodedWords (RFC 2047)', () => {
  it('decodes B and Q words and drops the whitespace between adjacent words', () => {
    expect(decodeEncodedWords('=?UTF-8?B?44G+44G/?= =?utf-8?q?_x=C3=A9?= tail')).toBe('まみ xé tail');
  });

  it('joins a multibyte character split across two words', () => {
    // "é" (C3 A9) split between two base64 words.
    expect(decodeEncodedWords('=?utf-8?B?w6=?= =?utf-8?B?qQ==?=')).toBe('é');
    expect(decodeEncodedWords('=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=')).toBe('é');
  });

  it('keeps text between words and leaves unknown charsets alone', () => {
    expect(decodeEncodedWords('Re: =?iso-8859-1?q?caf=E9?= ok')).toBe('Re: café ok');
    expect(decodeEncodedWords('=?NONE?B?VEVTVA=?=')).toBe('=?NONE?B?VEVTVA=?=');
  });

  it('ignores an RFC 2231 language suffix and knows UTF-7 and Windows aliases', () => {
    expect(decodeEncodedWords('=?utf-8*en?q?hello?=')).toBe('hello');
    expect(decodeEncodedWords('=?utf-7?q?+AGEAYgBj-?=')).toBe('abc');
    expect(decodeEncodedWords('=?cp932?B?g2WDWINn?=')).toBe('テスト');
  });
});

describe('decodeBinaryText (RFC 6532 and legacy 8-bit headers)', () => {
  it('reads UTF-8 first, then the fallback charset, then windows-1252', () => {
    expect(decodeBinaryText(Buffer.from('Jöhn', 'utf8').toString('latin1'))).toBe('Jöhn');
    expect(decodeBinaryText(Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]).toString('latin1'), 'shift_jis')).toBe('テスト');
    expect(decodeBinaryText('caf\xe9 \x93q\x94')).toBe('café “q”');
  });
});

describe('extractMessageIds', () => {
  it('strips brackets, removes whitespace inside ids, keeps order and drops duplicates', () => {
    expect(extractMessageIds(['<a@x> <b@x>', ' <a@x>\t<c\r\n @x>'])).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('accepts comma-separated lists and a lone bare id; ignores comments and phrases', () => {
    expect(extractMessageIds(['<a@x>,<b@x>', 'c@x'])).toEqual(['a@x', 'b@x', 'c@x']);
    expect(extractMessageIds(['<a@x> (message from "John <j@x>")', '"someone@x wrote" <b@x>'])).toEqual(['a@x', 'b@x']);
  });

  it('drops garbage: no @, absurd length, spaces between words', () => {
    expect(extractMessageIds(['<20140913142357>', `<${'x'.repeat(400)}@x>`, 'not an id', '<@x>', '<x@>'])).toEqual([]);
  });
});

describe('small parsers', () => {
  it('parseMimeValue reads the type and parameters, quoted or joined from RFC 2231 continuations', () => {
    expect(parseMimeValue('Multipart/Report (a report); report-type="delivery-status"; boundary=abc')).toEqual({
      value: 'multipart/report',
      params: { 'report-type': 'delivery-status', boundary: 'abc' },
    });
    expect(parseMimeValue('text/plain; name*0="a"; name*1="b.txt"').params.name).toBe('ab.txt');
  });

  it('extractPathAddress reads Return-Path forms', () => {
    expect(extractPathAddress('<>')).toBe('');
    expect(extractPathAddress('< >')).toBe('');
    expect(extractPathAddress('<@relay.example:user@example.com>')).toBe('user@example.com');
    expect(extractPathAddress('user@example.com (comment)')).toBe('user@example.com');
    expect(extractPathAddress('  ')).toBeNull();
  });

  it('stripComments removes nested comments but not quoted parentheses', () => {
    expect(stripComments('a (b (c) d) "e (f)" g')).toBe('a  "e (f)" g');
  });
});
