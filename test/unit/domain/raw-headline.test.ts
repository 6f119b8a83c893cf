import { describe, expect, it } from 'vitest';
import { rawHeadline } from '../../../src/domain/raw-headline.js';

const mail = (head: string, body = 'Body\r\n') => Buffer.from(`${head}\r\n\r\n${body}`, 'utf8');

describe('rawHeadline', () => {
  it('reads the Subject and the sender address of a plain header block', () => {
    expect(rawHeadline(mail('From: Carla Diaz <Carla@Example.org>\r\nSubject: Invoice 2291 is wrong'))).toEqual({ subject: 'Invoice 2291 is wrong', from: 'carla@example.org' });
  });

  it('unfolds folded headers and decodes encoded words, adjacent ones joined', () => {
    const head = 'Subject: =?UTF-8?B?RmFjdHVyZSBkw6k=?=\r\n =?utf-8?Q?j=C3=A0_pay=C3=A9e?=\r\nFrom: =?iso-8859-1?Q?Ren=E9?= <rene@example.fr>';
    expect(rawHeadline(mail(head))).toEqual({ subject: 'Facture déjà payée', from: 'rene@example.fr' });
  });

  it('keeps raw UTF-8 subjects and bare addresses', () => {
    expect(rawHeadline(mail('Subject: Réclamation 請求書\r\nFrom: ann@example.org'))).toEqual({ subject: 'Réclamation 請求書', from: 'ann@example.org' });
  });

  it('looks no further than the header block, and answers null for what is missing', () => {
    expect(rawHeadline(mail('X-Other: 1', 'Subject: not a header\r\nFrom: body@example.org'))).toEqual({ subject: null, from: null });
    expect(rawHeadline(Buffer.from('not a mail at all'))).toEqual({ subject: null, from: null });
  });
});
